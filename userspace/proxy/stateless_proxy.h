// The stateless proxy core (RFC 3261 §16.3-16.7, §16.11; RFC 3581): pure message logic the
// router calls for every message. No sockets, no DNS, no threads, no locks; nothing here
// allocates per message: outputs go into a caller-provided buffer, scratch lives on the stack.
// Every input byte may be attacker-chosen: an output that would not fit is an error
// (kTooLarge), never an overflow.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/endpoint.h"
#include "resolve/transport.h"
#include "sip/parse_error.h"
#include "sip/sip_message.h"
#include "sip/via.h"
#include "sip/uri.h"
#include "sipedge/expected.h"
#include "trust/branch_mac.h"
#include "trust/flow_token.h"

namespace sipedge::proxy {

// Who "this proxy" is: the listener endpoints and extra local host names.
struct LocalIdentity {
  std::vector<std::pair<resolve::Transport, net::Endpoint>> listeners;
  std::vector<std::string> names;  // lower-case, no trailing dot
  // Seals and checks our Via branches (derived from [daemon] secret_file).
  trust::BranchKey branch_key;

  // True when a URI or Via host:port names this proxy. `host` is an IP literal (IPv6 without
  // brackets) or a name; port 0 means absent: the default port (5061 for sips, else the
  // listener transport's default) must then equal a listener's port. A name matches when it
  // is in `names` and the port matches any listener's port.
  bool is_local(std::string_view host, uint16_t port_or_0, bool sips) const;
};

// Where a message came in.
struct Inbound {
  resolve::Transport transport = resolve::Transport::kUdp;
  net::Endpoint source;  // the peer's address and port
  net::Endpoint local;   // the listener that received it
  // The flow it came on (trust::pack of a FlowToken): named in our Via branch under its
  // MAC, so the response goes back on exactly this flow.
  uint64_t flow = 0;
};

// "z9hG4bK" + 16 hex (flow token) + "." + 16 hex (loop-detection hash) + "." + 24 hex (MAC).
inline constexpr size_t kBranchSize = 7 + 16 + 1 + 16 + 1 + trust::kBranchMacHex;

// Outcome of inspecting a request: §16.3 validation, §16.4 route information preprocessing,
// §16.5 target (the next hop to resolve).
struct RequestPlan {
  enum class Kind : uint8_t { kForward, kRespond, kDrop };
  Kind kind = Kind::kDrop;

  // kRespond: status and a static reason phrase ("Too Many Hops", "Bad Request (bad Via)").
  // kDrop: `reason` says why (ACK is never answered; it is dropped where a request would
  // have been answered).
  uint16_t status = 0;
  std::string_view reason;
  // 420: the first Proxy-Require row's value (write_unsupported_header lists every row).
  std::string_view unsupported;
  // 400: the header and fault the parser reported (for logs; `where` views the message).
  sip::ParseError fault;

  // kForward: the URI to resolve (RFC 3263): the first Route left after our own entries are
  // removed, else the Request-URI to forward (after the strict-router fixup).
  sip::Uri route_on;
  // The Request-URI to forward: the received one, or the last Route value after the
  // strict-router fixup.
  sip::Uri request_uri;
  uint16_t route_count = 0;     // Route values in the request (all rows)
  uint16_t pop_own_routes = 0;  // leading Route values that are ours, removed when forwarding
  // §16.4: the Request-URI was ours (the previous hop is a strict router): it becomes the
  // last Route value, and that value is removed.
  bool strict_router_fixup = false;

  // Facts the policy needs (userspace/policy decides; R3, R5, R6).
  bool request_uri_sips = false;     // the Request-URI to forward is sips:
  bool transport_tls_param = false;  // route_on carries transport=tls (R5)
  bool contact_present = false;
  bool contact_sips = false;  // the first Contact URI is sips:

  uint8_t max_forwards_out = 70;  // the value written into the forwarded request
  bool add_max_forwards = false;  // the request had none: "Max-Forwards: 70" is added

  // Our branch (§16.11) with its MAC still unset: build_forwarded_request seals it over the
  // Via below ours as it writes it (compute_branch gives the sealed one).
  std::array<char, kBranchSize> branch_text{};
  std::string_view branch() const { return {branch_text.data(), kBranchSize}; }
  uint64_t loop = 0;  // the loop-detection hash in it
};

// Decides what to do with a parsed request: forward (with the route information), respond
// statelessly (400/404/416/420/482/483, or 200 for an OPTIONS addressed to this proxy), or
// drop (an ACK that would have been answered). Does not run the strict validator.
RequestPlan plan_request(const sip::Message& req, const Inbound& in, const LocalIdentity& me);

// How to forward: the local listener we send from (our Via's sent-by) and Record-Route (R7).
struct ForwardOptions {
  resolve::Transport out_transport = resolve::Transport::kUdp;
  net::Endpoint out_local;
  bool record_route = false;
  std::string_view record_route_scheme = "sip";  // "sip" | "sips" (R7, from policy)
  net::Endpoint record_route_local;
  resolve::Transport record_route_transport = resolve::Transport::kUdp;
  trust::BranchKey branch_key;  // seals our branch (LocalIdentity::branch_key)
};

// Writes the forwarded request into `out`: the start line unchanged (R1) unless the
// strict-router fixup applies; our Via on top ("Via: SIP/2.0/UDP addr:port;branch=...;rport");
// Record-Route next when enabled; Max-Forwards decremented in place (or added); received/rport
// on the previous top Via (RFC 3581 §4); our own Route values removed; every other header row
// and the body byte for byte; Content-Length added when absent. `req` must view `raw` and
// `plan` must be plan_request's kForward for it. Returns the bytes written, kTooLarge when out
// is too small.
Expected<size_t, sip::ParseError> build_forwarded_request(
    const sip::Message& req, std::string_view raw, const RequestPlan& plan, const Inbound& in,
    const ForwardOptions& opts, std::span<char> out);

// Why a response was not forwarded (the label of sipedge_responses_dropped_total).
enum class ResponseDrop : uint8_t {
  kNone,
  kNotOurs,               // our Via is not on top (or it is not a response)
  kForgedBranch,          // our branch does not verify for the Via below it
  kMalformed,             // top or second Via missing or unparsable
  kUnsupportedTransport,  // the second Via's transport is none we speak
  kPolicy,                // from a denied source, or plaintext from a TLS-only network
  kSendFailed,            // the flow is gone and no new one could be opened
  kCount,
};
// "not_ours", "forged_branch", "malformed", "unsupported_transport", "policy", "send_failed".
std::string_view response_drop_name(ResponseDrop d);

// Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4).
struct ResponseRoute {
  enum class Kind : uint8_t { kForward, kDrop };
  Kind kind = Kind::kDrop;
  ResponseDrop drop = ResponseDrop::kNone;
  // The flow the request came on, from our verified branch: the response leaves on it (the
  // UDP listener it arrived on; the very connection for streams).
  trust::FlowToken flow;
  resolve::Transport transport = resolve::Transport::kUdp;  // of the second Via
  net::Endpoint destination;                                // valid unless needs_dns
  // The second Via's sent-by is a name and it has no received: the caller resolves
  // `host` (A/AAAA) and sends to `port`.
  bool needs_dns = false;
  std::string_view host;
  uint16_t port = 0;  // the port the response goes to (rport, sent-by port, or the default)
  // The sent-by port (or the transport's default): where a new stream connection goes
  // when the request's connection is gone (§18.2.2).
  uint16_t sent_by_port = 0;
  std::string_view drop_reason;
};

// Our Via must be the top one (its sent-by is local) and its branch must carry the MAC of the
// Via below it exactly as we forwarded it (received and rport included) and of the flow it
// names, else kDrop; the next Via then says where the response goes: received (+ rport)
// when present, else sent-by (default port per transport). maddr is ignored (no multicast
// responses from an edge).
ResponseRoute route_response(const sip::Message& resp, const LocalIdentity& me);

// Writes `resp` without its top Via value (only the first value when the top Via row holds
// several), everything else byte for byte; Content-Length added when absent.
Expected<size_t, sip::ParseError> build_forwarded_response(const sip::Message& resp,
                                                           std::string_view raw,
                                                           std::span<char> out);

// A stateless response to a parsed request (§8.2.6): every Via row (received/rport on the top
// value per RFC 3581), From, To (";tag=<deterministic>" added when absent and status > 100),
// Call-ID, CSeq, `extra_headers` (whole lines, e.g. "Unsupported: foo\r\n"), Content-Length: 0.
// An ACK is never answered: that is an error, as is a request without Via.
Expected<size_t, sip::ParseError> build_response(const sip::Message& req, const Inbound& in,
                                                 uint16_t status, std::string_view reason,
                                                 std::string_view extra_headers,
                                                 std::span<char> out);

// Best effort for a request the parser refused (a 400 naming the fault): scans raw lines
// leniently for a request line and Via/v, From/f, To/t, Call-ID/i, CSeq rows. Errors when
// there is no request line or no Via, when it is an ACK, or when out is too small.
Expected<size_t, sip::ParseError> build_response_to_unparsed(std::string_view raw,
                                                             const Inbound& in, uint16_t status,
                                                             std::string_view reason,
                                                             std::span<char> out);

// "Unsupported: tag1, tag2\r\n" listing every Proxy-Require value of `req` (for a 420).
Expected<size_t, sip::ParseError> write_unsupported_header(const sip::Message& req,
                                                           std::span<char> out);

// Our branch (§16.11) for `req` arriving as `in` into `out` (at least kBranchSize bytes;
// returns 0 when smaller or when the request lacks what the hashes need), exactly as
// build_forwarded_request writes it: "z9hG4bK" + flow token (in.flow) + "." + loop hash (the
// §16.6 step 8 fields as forwarded: Request-URI, From tag, Call-ID, CSeq number,
// Proxy-Require, Route) + "." + MAC (me.branch_key) over flow, loop and the Via below ours
// as forwarded. A retransmission, a CANCEL and a non-2xx ACK of the same request on the same
// flow get the same branch (the To tag and the method are in neither part: a non-2xx ACK
// carries the response's To tag yet must match the INVITE, §17.1.1.3).
size_t compute_branch(const sip::Message& req, const Inbound& in, const LocalIdentity& me,
                      std::span<char> out);

// Sets the MAC of a branch written by format_branch over `forwarded_via` (the Via value
// below ours as it leaves).
void seal_branch(const trust::BranchKey& key, std::string_view forwarded_via,
                 std::span<char, kBranchSize> branch);

// The flow named by our top Via's branch when its MAC verifies for `next_element` (the
// Via value below ours, as received); nullopt when it is not one of our branches or it
// does not verify.
std::optional<trust::FlowToken> response_flow(const sip::Via& ours, std::string_view next_element,
                                              const LocalIdentity& me);

}  // namespace sipedge::proxy
