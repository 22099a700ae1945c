// The --json contract of sipedge-resolve:
// {"uri", "tls_identity", "targets": [{"transport","host","port","address"}],
//  "steps": [{"query","type","rcode","answers", "cached" and "stale" when true}], "round_trips",
//  "min_ttl_s", "elapsed_ms" (request to answer), "deadline_ms" (the configured worst case), and
//  "error" when no target}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "resolve/resolve_types.h"

namespace sipedge::tools {

// How long one resolution took, and the bound it ran under.
struct Timing {
  int64_t elapsed_ms = 0;
  int64_t deadline_ms = 0;
};

// Renders `result` for `uri` as one JSON object (no trailing newline).
std::string result_to_json(std::string_view uri, const resolve::ResolveResult& result,
                           const Timing& timing = {});

// Renders `result` as the human-readable listing (one target per line).
std::string result_to_text(std::string_view uri, const resolve::ResolveResult& result,
                           const Timing& timing = {});

}  // namespace sipedge::tools
