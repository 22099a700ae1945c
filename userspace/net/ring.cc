#include "net/ring.h"

#include <sys/mman.h>

#include <cstring>

namespace sipedge::net {

BufferRing::~BufferRing() {
  if (br_) {
    io_uring_unregister_buf_ring(ring_, group_);
    munmap(br_, br_bytes_);
  }
  if (data_) munmap(data_, data_bytes_);
}

void BufferRing::recycle(uint16_t bid) {
  io_uring_buf_ring_add(br_, buffer(bid), size_, bid, io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(br_, 1);
}

Expected<std::unique_ptr<Ring>, std::string> Ring::create(unsigned entries,
                                                          const UringFeatures& features) {
  std::unique_ptr<Ring> r(new Ring());
  io_uring_params p{};
  if (features.single_issuer) p.flags |= IORING_SETUP_SINGLE_ISSUER;
  if (features.defer_taskrun) p.flags |= IORING_SETUP_DEFER_TASKRUN;
  p.flags |= IORING_SETUP_CQSIZE;
  p.cq_entries = entries * 8;  // multishot receives can post many CQEs per SQE
  int rc = io_uring_queue_init_params(entries, &r->ring_, &p);
  if (rc < 0) return unexpected(std::string("io_uring_queue_init: ") + std::strerror(-rc));
  r->initialised_ = true;
  return r;
}

Ring::~Ring() {
  buffer_rings_.clear();
  if (initialised_) io_uring_queue_exit(&ring_);
}

io_uring_sqe* Ring::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  while (!s) {
    io_uring_submit(&ring_);
    s = io_uring_get_sqe(&ring_);
  }
  return s;
}

Expected<BufferRing*, std::string> Ring::add_buffer_ring(uint16_t group, uint32_t count,
                                                         uint32_t size) {
  std::unique_ptr<BufferRing> b(new BufferRing());
  b->ring_ = &ring_;
  b->group_ = group;
  b->size_ = size;
  b->count_ = count;
  b->br_bytes_ = count * sizeof(io_uring_buf);
  void* br =
      mmap(nullptr, b->br_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (br == MAP_FAILED) return unexpected(std::string("mmap buffer ring: ") + std::strerror(errno));
  b->br_ = static_cast<io_uring_buf_ring*>(br);
  b->data_bytes_ = static_cast<size_t>(count) * size;
  void* data =
      mmap(nullptr, b->data_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (data == MAP_FAILED) {
    munmap(br, b->br_bytes_);
    b->br_ = nullptr;
    return unexpected(std::string("mmap buffers: ") + std::strerror(errno));
  }
  b->data_ = static_cast<uint8_t*>(data);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(br);
  reg.ring_entries = count;
  reg.bgid = group;
  int rc = io_uring_register_buf_ring(&ring_, &reg, 0);
  if (rc < 0) {
    munmap(br, b->br_bytes_);
    b->br_ = nullptr;
    return unexpected(std::string("register buffer ring: ") + std::strerror(-rc));
  }
  io_uring_buf_ring_init(b->br_);
  for (uint32_t i = 0; i < count; ++i) {
    io_uring_buf_ring_add(b->br_, b->buffer(static_cast<uint16_t>(i)), size,
                          static_cast<uint16_t>(i), io_uring_buf_ring_mask(count),
                          static_cast<int>(i));
  }
  io_uring_buf_ring_advance(b->br_, static_cast<int>(count));
  buffer_rings_.push_back(std::move(b));
  return buffer_rings_.back().get();
}

}  // namespace sipedge::net
