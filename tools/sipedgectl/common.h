// Helpers shared by sipedgectl's commands.
#pragma once

#include <string>

#include "xdp/pins.h"
#include "xdp/status.h"

namespace sipedgectl {

// Opens the pinned maps of `iface`, checking first that the interface exists.
sipedge::xdp::Result<sipedge::xdp::PinnedMaps> OpenMaps(const std::string& iface);

}  // namespace sipedgectl
