// The --json contract of sipedge-resolve:
// {"uri", "tls_identity", "targets": [{"transport","host","port","address"}],
//  "steps": [{"query","type","rcode","answers"}], "round_trips", and "error" when no target}.
#pragma once

#include <string>
#include <string_view>

#include "resolve/resolve_types.h"

namespace sipedge::tools {

// Renders `result` for `uri` as one JSON object (no trailing newline).
std::string result_to_json(std::string_view uri, const resolve::ResolveResult& result);

// Renders `result` as the human-readable listing (one target per line).
std::string result_to_text(std::string_view uri, const resolve::ResolveResult& result);

}  // namespace sipedge::tools
