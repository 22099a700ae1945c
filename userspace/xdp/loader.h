// Attaching sipedge_xdp to an interface and detaching it, with its maps pinned under
// /sys/fs/bpf/sipedge/<ifname>/ so counters and policy outlive the process that attached.
//
// Attachment goes through libxdp, so that sipedge sits in libxdp's multi-program dispatcher
// beside other XDP programs (xdp-filter, xdpdump). When the kernel refuses the dispatcher
// (it needs freplace/BPF_PROG_TYPE_EXT programs), libxdp can only attach one program directly;
// sipedge then holds the interface through its own bpf_link, pinned as `link`, which makes a
// later re-attach an atomic link update.
#pragma once

#include <cstdint>
#include <string>

#include "xdp/status.h"

namespace sipedge::xdp {

enum class AttachMode { kAuto, kNative, kGeneric };

struct AttachResult {
  unsigned mode = 0;     // enum sipedge_attach_mode
  unsigned backend = 0;  // enum sipedge_backend
  uint32_t prog_id = 0;
  bool replaced = false;    // an attached instance was replaced in place
  bool fresh_maps = false;  // the maps were created (not reused from pins)
};

// Attaches (or atomically replaces) sipedge_xdp on `ifname`. kAuto tries native, then
// generic. Reuses pinned maps when present. Needs root.
Result<AttachResult> Attach(const std::string& ifname, AttachMode mode);

// Detaches sipedge_xdp from `ifname` and removes its pins (keep_maps: leaves the map pins,
// so a later Attach resumes with the same counters and policy). On maps kept by an earlier
// detach, removes them (keep_maps: errors, nothing attached).
Status Detach(const std::string& ifname, bool keep_maps);

}  // namespace sipedge::xdp
