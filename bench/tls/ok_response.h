// The responder's answer: a 200 OK to a SIP request, carrying exactly what a stateless proxy
// needs to route it back (RFC 3261 §8.2.6: every Via in order, From, To with a tag, Call-ID,
// CSeq) and nothing else.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace sipedge::bench {

// Writes a 200 OK for `request` into out; returns its size, or 0 when the request lacks a
// header the response needs or out is too small. Compact header names are understood.
size_t build_ok_response(std::string_view request, std::span<char> out);

}  // namespace sipedge::bench
