// sipedgectl attach / detach.
#include <iostream>

#include "commands.h"
#include "xdp/loader.h"
#include "xdp/names.h"

namespace sipedgectl {

int Attach(const Options& o) {
  using sipedge::xdp::AttachMode;
  AttachMode mode = o.mode == "native"    ? AttachMode::kNative
                    : o.mode == "generic" ? AttachMode::kGeneric
                                          : AttachMode::kAuto;
  auto r = sipedge::xdp::Attach(o.iface, mode);
  if (!r) return Fail(r.error());
  std::cout << (r->replaced ? "replaced" : "attached") << " sipedge_xdp on " << o.iface << " ("
            << sipedge::xdp::ModeName(r->mode) << ", "
            << (r->backend == SIPEDGE_BACKEND_DISPATCHER ? "libxdp dispatcher" : "bpf_link")
            << ", prog id " << r->prog_id << ", maps " << (r->fresh_maps ? "created" : "reused")
            << ")\n";
  return 0;
}

int Detach(const Options& o) {
  if (auto s = sipedge::xdp::Detach(o.iface, o.keep_maps); !s) return Fail(s.error());
  std::cout << "detached sipedge_xdp from " << o.iface << (o.keep_maps ? " (maps kept)" : "")
            << "\n";
  return 0;
}

}  // namespace sipedgectl
