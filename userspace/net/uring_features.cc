#include "net/uring_features.h"

#include <liburing.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <cstdio>

#include "net/unique_fd.h"

namespace sipedge::net {
namespace {

bool kernel_at_least(int major, int minor) {
  utsname u{};
  if (uname(&u) != 0) return false;
  int ma = 0, mi = 0;
  if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

// Registers a one-entry buffer ring: the only reliable test for PBUF_RING.
bool probe_buffer_ring(io_uring* ring) {
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mem == MAP_FAILED) return false;
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(mem);
  reg.ring_entries = 1;
  reg.bgid = 7;
  bool ok = io_uring_register_buf_ring(ring, &reg, 0) == 0;
  if (ok) io_uring_unregister_buf_ring(ring, 7);
  munmap(mem, 4096);
  return ok;
}

}  // namespace

std::string UringFeatures::describe() const {
  auto f = [](bool b) { return b ? "on" : "off"; };
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "io_uring=%s multishot-recvmsg=%s buffer-ring=%s multishot-accept=%s "
                "multishot-poll=%s single-issuer=%s defer-taskrun=%s",
                f(available), f(multishot_recvmsg), f(provided_buffer_ring), f(multishot_accept),
                f(multishot_poll), f(single_issuer), f(defer_taskrun));
  return buf;
}

UringFeatures probe_uring_features() {
  UringFeatures out;
  io_uring ring;
  if (io_uring_queue_init(4, &ring, 0) != 0) return out;
  out.available = true;
  out.ext_arg = ring.features & IORING_FEAT_EXT_ARG;
  if (io_uring_probe* probe = io_uring_get_probe_ring(&ring)) {
    bool recvmsg = io_uring_opcode_supported(probe, IORING_OP_RECVMSG);
    bool accept = io_uring_opcode_supported(probe, IORING_OP_ACCEPT);
    bool poll = io_uring_opcode_supported(probe, IORING_OP_POLL_ADD);
    io_uring_free_probe(probe);
    out.provided_buffer_ring = probe_buffer_ring(&ring);
    // Multishot flags are not visible in the opcode probe; they came with these kernels.
    out.multishot_recvmsg = recvmsg && out.provided_buffer_ring && kernel_at_least(6, 0);
    out.multishot_accept = accept && kernel_at_least(5, 19);
    out.multishot_poll = poll && kernel_at_least(5, 13);
  }
  io_uring_queue_exit(&ring);
  io_uring_params p{};
  p.flags = IORING_SETUP_SINGLE_ISSUER;
  if (io_uring_queue_init_params(4, &ring, &p) == 0) {
    out.single_issuer = true;
    io_uring_queue_exit(&ring);
    io_uring_params q{};
    q.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(4, &ring, &q) == 0) {
      out.defer_taskrun = true;
      io_uring_queue_exit(&ring);
    }
  }
  return out;
}

}  // namespace sipedge::net
