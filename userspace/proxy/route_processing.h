// Route information preprocessing (RFC 3261 §16.4) and the next hop it leaves (§16.5):
// strict-router compatibility, removal of our own leading Route values, the URI to resolve.
#pragma once

#include <cstdint>

#include "proxy/stateless_proxy.h"
#include "sip/sip_message.h"
#include "sip/uri.h"

namespace sipedge::proxy {

struct RouteAnalysis {
  uint16_t count = 0;           // Route values over all rows
  uint16_t pop = 0;             // leading values that are ours, to remove
  bool strict_fixup = false;    // Request-URI was ours: it becomes the last Route value
  sip::Uri request_uri;         // the Request-URI to forward
  bool has_next_route = false;  // a Route value remains after the removals
  sip::Uri route_on;            // that value's URI, else request_uri
  // Nothing is left to route on but ourselves: the request is addressed to this proxy.
  bool addressed_to_us = false;
};

// Analyses the Route rows and Request-URI of `req`. Errors name Route when a value does not
// parse (name-addr form is required).
Expected<RouteAnalysis, sip::ParseError> analyze_routes(const sip::Message& req,
                                                        const LocalIdentity& me);

// True when a sip:/sips: URI's host:port is this proxy.
bool uri_is_local(const sip::Uri& uri, const LocalIdentity& me);

// Calls on_value(index, element) for every Route value in order (index counts over all rows).
template <typename OnValue>
void for_each_route_value(const sip::Message& req, OnValue&& on_value);

// The Route values that are forwarded: indexes [pop, count - fixup).
inline bool route_value_kept(uint16_t index, uint16_t count, uint16_t pop, bool fixup) {
  return index >= pop && !(fixup && index + 1 == count);
}

}  // namespace sipedge::proxy

#include "proxy/message_rows.h"

namespace sipedge::proxy {

template <typename OnValue>
void for_each_route_value(const sip::Message& req, OnValue&& on_value) {
  uint16_t index = 0;
  for (const sip::Header& h : req.headers) {
    if (h.id != sip::HeaderId::kRoute) continue;
    ListElements list(h.value);
    std::string_view element;
    while (list.next(&element)) on_value(index++, element);
  }
}

}  // namespace sipedge::proxy
