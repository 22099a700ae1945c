// One worker's io_uring: owns the ring and its provided-buffer rings, and hands out SQEs
// (submitting when the submission queue is full, so callers never see "no SQE").
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/uring_features.h"
#include "sipedge/expected.h"

namespace sipedge::net {

// A provided-buffer ring (IORING_REGISTER_PBUF_RING): `count` buffers of `size` bytes the
// kernel picks from for multishot receives. Buffers go back with recycle() once the
// datagram in them has been handled (always within the same loop turn).
class BufferRing {
 public:
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;
  ~BufferRing();

  uint16_t group() const { return group_; }
  uint32_t buffer_size() const { return size_; }
  uint8_t* buffer(uint16_t bid) { return data_ + static_cast<size_t>(bid) * size_; }
  // Gives buffer `bid` back to the kernel.
  void recycle(uint16_t bid);

 private:
  friend class Ring;
  BufferRing() = default;
  io_uring* ring_ = nullptr;
  io_uring_buf_ring* br_ = nullptr;
  size_t br_bytes_ = 0;
  uint8_t* data_ = nullptr;
  size_t data_bytes_ = 0;
  uint16_t group_ = 0;
  uint32_t size_ = 0;
  uint32_t count_ = 0;
};

class Ring {
 public:
  // Creates a ring of `entries` SQEs with the setup flags `features` allows.
  static Expected<std::unique_ptr<Ring>, std::string> create(unsigned entries,
                                                             const UringFeatures& features);
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  // Buffer rings are unregistered before the ring goes (the owner enforces the order).
  ~Ring();

  io_uring* raw() { return &ring_; }
  // A free SQE; submits pending ones first when the queue is full. Never null.
  io_uring_sqe* sqe();
  // Registers a buffer ring of `count` (power of two) buffers of `size` bytes.
  Expected<BufferRing*, std::string> add_buffer_ring(uint16_t group, uint32_t count, uint32_t size);

 private:
  Ring() = default;
  io_uring ring_{};
  bool initialised_ = false;
  std::vector<std::unique_ptr<BufferRing>> buffer_rings_;
};

// user_data layout: kind in the top 8 bits, a 24-bit generation, a 32-bit index. The
// generation lets a late completion for a closed and reused slot be recognised and ignored.
enum class OpKind : uint8_t {
  kUdpRecv = 1,
  kTcpAccept,
  kTcpPoll,      // readiness of a TCP connection (multishot poll)
  kTcpConnect,   // connect completion (POLLOUT) of an outgoing connection
  kTcpWritable,  // POLLOUT after a short write
  kDnsPoll,      // a c-ares socket
  kWake,         // the worker's eventfd
  kIgnore,       // cancellations and other completions nobody waits for
};

inline uint64_t make_user_data(OpKind kind, uint32_t index, uint32_t generation = 0) {
  return (static_cast<uint64_t>(kind) << 56) |
         (static_cast<uint64_t>(generation & 0xffffff) << 32) | index;
}
inline OpKind op_kind(uint64_t ud) { return static_cast<OpKind>(ud >> 56); }
inline uint32_t op_index(uint64_t ud) { return static_cast<uint32_t>(ud); }
inline uint32_t op_generation(uint64_t ud) { return static_cast<uint32_t>(ud >> 32) & 0xffffff; }

}  // namespace sipedge::net
