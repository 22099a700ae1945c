// The one place that decides the sips/TLS and source policy (DESIGN.md R3, R5, R6, R7, R9
// and deny networks). The router extracts the facts about a message, asks here, and its
// transports carry the decision out. A Policy is an immutable snapshot: every query is
// const, allocation-free and lock-free, so one snapshot may be shared read-only by all
// workers; a reload builds a new snapshot and the router swaps it in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.h"
#include "policy/network_set.h"
#include "policy/rule.h"
#include "resolve/dns_records.h"
#include "resolve/transport.h"
#include "sipedge/expected.h"

namespace sipedge::policy {

// R5: what to do with a Request-URI or Route carrying the deprecated transport=tls.
enum class TransportTlsAction : uint8_t { kAccept, kReject };
// R6 (second part): what to do with a sips: request whose Contact is not sips:.
enum class SipsContactAction : uint8_t { kReject, kLog, kAllow };

struct PolicyOptions {
  std::vector<std::string> trusted;   // CIDRs whose plaintext sips: requests are accepted (R6)
  std::vector<std::string> tls_only;  // CIDRs that may only speak TLS/WSS (R9)
  std::vector<std::string> deny;      // CIDRs refused outright
  std::vector<net::Endpoint> trusted_downgrade;  // hops a sips: request may reach in plaintext
  TransportTlsAction transport_tls = TransportTlsAction::kAccept;
  SipsContactAction sips_contact = SipsContactAction::kReject;
  // CIDRs an untrusted source's requests may be forwarded to; nullopt: anywhere.
  std::optional<std::vector<std::string>> untrusted_next_hops;
  std::vector<net::Endpoint> own_listeners;  // no request is forwarded to these
};

class Policy {
 public:
  // Builds a snapshot; the error names the option and the bad entry.
  static Expected<Policy, std::string> create(const PolicyOptions& options);

  // What the router knows about a message when it arrives, before routing.
  struct Inbound {
    resolve::IpAddress source;  // normalised: IPv4-mapped sources arrive as IPv4
    resolve::Transport arrived_over = resolve::Transport::kUdp;  // the listener's transport
    bool request_uri_sips = false;
    bool contact_present = false;
    bool contact_sips = false;
    bool transport_tls_param = false;  // R-URI or the Route we route on has transport=tls
    bool is_response = false;
  };

  // Checks, in order, deny, R9, R6 (sips over plaintext, then the sips Contact) and R5; the
  // first refusal wins. Responses are only subject to deny and R9 and are refused with
  // status 0 (drop). kAllowCounted (rule kR6SipsContact) when sips-contact is "log" and
  // nothing later refuses. R5 accept only selects TLS for the hop; it never makes the
  // request sips: (that is resolve's business, R1/R5).
  Decision check_inbound(const Inbound& in) const;

  // R3: may a request go to this target? A sips: request only over TLS/WSS, unless the
  // target (address, port) is trusted-downgrade (kAllowCounted, kR3TrustedDowngrade);
  // otherwise 503 with kR3SipsPlaintextHop. Without TLS (`tls_available` false) every
  // secure target is unusable: 503 with rule kCount (not a policy refusal). A refusal
  // means "skip this target"; the router answers 503 only when none is left.
  Decision check_target(bool request_uri_sips, resolve::Transport target_transport,
                        const net::Endpoint& target, bool tls_available) const;

  // The relay policy for one resolved next hop (from the Request-URI or a Route): our own
  // listeners and unspecified, multicast, broadcast and link-local addresses are refused for
  // every source (kRelaySpecialAddress); with untrusted_next_hops set, a source outside
  // trusted reaches only hops inside it (kRelayForbiddenDestination); both 403 "Forbidden
  // destination". Operator-configured static routes (`static_route`) are exempt. A refusal
  // means "skip this target": the router answers 403 when every target was refused so.
  Decision check_next_hop(const resolve::IpAddress& source, const net::Endpoint& next_hop,
                          bool static_route) const;
  // True when untrusted sources may reach any address (no untrusted_next_hops).
  bool open_relay() const { return !relay_limited_; }

  // R7: the scheme of our own Record-Route URI: "sips" for a sips: Request-URI, else "sip".
  static std::string_view record_route_scheme(bool request_uri_sips) {
    return request_uri_sips ? "sips" : "sip";
  }

  // Source classification (each a lock-free, allocation-free lookup).
  bool is_trusted(const resolve::IpAddress& a) const { return trusted_.contains(a); }
  bool is_tls_only(const resolve::IpAddress& a) const { return tls_only_.contains(a); }
  bool is_denied(const resolve::IpAddress& a) const { return deny_.contains(a); }
  // True when `target` is one of the configured trusted-downgrade hops (exact address+port).
  bool is_trusted_downgrade(const net::Endpoint& target) const;

  const NetworkSet& trusted() const { return trusted_; }
  const NetworkSet& tls_only() const { return tls_only_; }
  const NetworkSet& deny() const { return deny_; }
  TransportTlsAction transport_tls() const { return transport_tls_; }
  SipsContactAction sips_contact() const { return sips_contact_; }

 private:
  Policy() = default;

  NetworkSet trusted_;
  NetworkSet tls_only_;
  NetworkSet deny_;
  NetworkSet untrusted_next_hops_;
  bool relay_limited_ = false;
  std::vector<net::Endpoint> own_listeners_;
  std::vector<net::Endpoint> trusted_downgrade_;  // sorted, unique: binary search
  TransportTlsAction transport_tls_ = TransportTlsAction::kAccept;
  SipsContactAction sips_contact_ = SipsContactAction::kReject;
};

}  // namespace sipedge::policy
