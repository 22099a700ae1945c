// Error values for the XDP loader and map editors: a one-line message naming the problem,
// ready to print as "sipedgectl: <message>".
#pragma once

#include <string>

#include "sipedge/expected.h"

namespace sipedge::xdp {

struct Ok {};

template <typename T>
using Result = sipedge::Expected<T, std::string>;

using Status = Result<Ok>;

// Formats "<what>: <strerror(err)>" for a negative or positive errno value.
std::string ErrnoMessage(const std::string& what, int err);

}  // namespace sipedge::xdp
