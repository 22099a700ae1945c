// The `sipedge-parse --json` summary of a valid message (the documented contract).
#pragma once

#include <string>

#include "sip/sip_message.h"

namespace sipedge::tools {

// Renders `msg` (already validated) as the JSON summary object.
std::string message_summary_json(const sip::Message& msg);

}  // namespace sipedge::tools
