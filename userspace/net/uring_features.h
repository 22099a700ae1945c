// What this kernel's io_uring can do, probed once at start; the worker branches on the flags
// (helio's proactor does the same) and the daemon logs which paths are on.
#pragma once

#include <string>

namespace sipedge::net {

struct UringFeatures {
  bool available = false;             // io_uring_setup works at all (not disabled by sysctl)
  bool multishot_recvmsg = false;     // IORING_RECV_MULTISHOT on RECVMSG (5.20/6.0)
  bool provided_buffer_ring = false;  // IORING_REGISTER_PBUF_RING (5.19)
  bool multishot_accept = false;      // IORING_ACCEPT_MULTISHOT (5.19)
  bool multishot_poll = false;        // IORING_POLL_ADD_MULTI (5.13)
  bool single_issuer = false;         // IORING_SETUP_SINGLE_ISSUER (6.0)
  bool defer_taskrun = false;         // IORING_SETUP_DEFER_TASKRUN (6.1)
  bool ext_arg = false;               // timeout on the wait itself (5.11)

  // "multishot-recvmsg=on buffer-ring=on ..." for the start-up log line.
  std::string describe() const;
};

// Probes with a throw-away ring. Cheap (a few syscalls); call once.
UringFeatures probe_uring_features();

}  // namespace sipedge::net
