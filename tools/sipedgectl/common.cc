#include "common.h"

#include <net/if.h>

#include <iostream>

#include "commands.h"

namespace sipedgectl {

int Fail(const std::string& message) {
  std::cerr << "sipedgectl: " << message << "\n";
  return 1;
}

sipedge::xdp::Result<sipedge::xdp::PinnedMaps> OpenMaps(const std::string& iface) {
  if (if_nametoindex(iface.c_str()) == 0) return sipedge::unexpected("no such interface: " + iface);
  return sipedge::xdp::PinnedMaps::Open(iface);
}

}  // namespace sipedgectl
