#include "policy/policy.h"

#include <algorithm>
#include <tuple>

namespace sipedge::policy {

namespace {

using resolve::Transport;

constexpr Decision kAllowed{};

constexpr Decision kDenied{Verdict::kReject, Rule::kDenyNetwork, 403,
                           "Forbidden (source network denied)"};
constexpr Decision kTlsOnly{Verdict::kReject, Rule::kR9TlsOnlyNetwork, 403,
                            "Forbidden (TLS required from this network)"};
constexpr Decision kSipsOverPlaintext{Verdict::kReject, Rule::kR6SipsOverPlaintext, 403,
                                      "Forbidden (sips over plaintext)"};
constexpr Decision kSipsContactRejected{Verdict::kReject, Rule::kR6SipsContact, 403,
                                        "Forbidden (sips request with non-sips Contact)"};
constexpr Decision kSipsContactLogged{Verdict::kAllowCounted, Rule::kR6SipsContact, 0,
                                      "sips request with non-sips Contact"};
constexpr Decision kTransportTlsRejected{Verdict::kReject, Rule::kR5TransportTls, 403,
                                         "transport=tls is deprecated (RFC 5630)"};
constexpr Decision kSipsPlaintextHop{Verdict::kReject, Rule::kR3SipsPlaintextHop, 503,
                                     "Service Unavailable (sips needs TLS to the next hop)"};
constexpr Decision kTrustedDowngrade{Verdict::kAllowCounted, Rule::kR3TrustedDowngrade, 0,
                                     "sips downgraded to plaintext for a trusted hop"};
constexpr Decision kTlsUnavailable{Verdict::kReject, Rule::kCount, 503,
                                   "Service Unavailable (TLS not available)"};

// A refused response has nobody to answer: same rule and reason, status 0 (drop).
Decision for_response(Decision d) {
  d.status = 0;
  return d;
}

auto endpoint_key(const net::Endpoint& e) {
  return std::tie(e.address.family, e.address.bytes, e.port);
}

bool endpoint_less(const net::Endpoint& a, const net::Endpoint& b) {
  return endpoint_key(a) < endpoint_key(b);
}

Expected<bool, std::string> fill(NetworkSet& set, std::string_view option,
                                 const std::vector<std::string>& cidrs) {
  for (const std::string& cidr : cidrs) {
    auto added = set.add(cidr);
    if (!added) return unexpected(std::string(option) + ": " + added.error());
  }
  return true;
}

}  // namespace

Expected<Policy, std::string> Policy::create(const PolicyOptions& options) {
  Policy p;
  for (auto [set, option, cidrs] : {std::tuple{&p.trusted_, "trusted", &options.trusted},
                                    std::tuple{&p.tls_only_, "tls_only", &options.tls_only},
                                    std::tuple{&p.deny_, "deny", &options.deny}}) {
    auto filled = fill(*set, option, *cidrs);
    if (!filled) return unexpected(filled.error());
  }
  for (const net::Endpoint& e : options.trusted_downgrade) {
    if ((e.address.family != 4 && e.address.family != 6) || e.port == 0) {
      return unexpected("trusted_downgrade: bad endpoint \"" + e.to_string() +
                        "\": needs an IPv4/IPv6 address and a port in 1..65535");
    }
  }
  p.trusted_downgrade_ = options.trusted_downgrade;
  std::sort(p.trusted_downgrade_.begin(), p.trusted_downgrade_.end(), endpoint_less);
  p.trusted_downgrade_.erase(std::unique(p.trusted_downgrade_.begin(), p.trusted_downgrade_.end()),
                             p.trusted_downgrade_.end());
  if (options.untrusted_next_hops) {
    auto filled = fill(p.untrusted_next_hops_, "untrusted_next_hops", *options.untrusted_next_hops);
    if (!filled) return unexpected(filled.error());
    p.relay_limited_ = true;
  }
  p.own_listeners_ = options.own_listeners;
  p.transport_tls_ = options.transport_tls;
  p.sips_contact_ = options.sips_contact;
  return p;
}

Decision Policy::check_inbound(const Inbound& in) const {
  if (deny_.contains(in.source)) return in.is_response ? for_response(kDenied) : kDenied;
  // R9: defence in depth behind the XDP drop (which may be absent or in generic mode).
  if (!resolve::is_secure(in.arrived_over) && tls_only_.contains(in.source)) {
    return in.is_response ? for_response(kTlsOnly) : kTlsOnly;
  }
  if (in.is_response) return kAllowed;

  Decision counted = kAllowed;
  if (in.request_uri_sips) {
    // R6: the first hop is the one hop a client can enforce; a trusted peer (an internal
    // B2BUA) may legitimately hand us sips: in plaintext.
    if (!resolve::is_secure(in.arrived_over) && !trusted_.contains(in.source)) {
      return kSipsOverPlaintext;
    }
    if (in.contact_present && !in.contact_sips) {
      switch (sips_contact_) {
        case SipsContactAction::kReject:
          return kSipsContactRejected;
        case SipsContactAction::kLog:
          counted = kSipsContactLogged;
          break;
        case SipsContactAction::kAllow:
          break;
      }
    }
  }
  // R5: accepting only means the hop uses TLS; the Request-URI stays as it is (R1).
  if (in.transport_tls_param && transport_tls_ == TransportTlsAction::kReject) {
    return kTransportTlsRejected;
  }
  return counted;
}

Decision Policy::check_target(bool request_uri_sips, Transport target_transport,
                              const net::Endpoint& target, bool tls_available) const {
  if (resolve::is_secure(target_transport)) return tls_available ? kAllowed : kTlsUnavailable;
  if (!request_uri_sips) return kAllowed;
  // R3: no plaintext fallback for sips:, except the operator's trusted-downgrade hops.
  return is_trusted_downgrade(target) ? kTrustedDowngrade : kSipsPlaintextHop;
}

bool Policy::is_trusted_downgrade(const net::Endpoint& target) const {
  return std::binary_search(trusted_downgrade_.begin(), trusted_downgrade_.end(), target,
                            endpoint_less);
}

namespace {

// Addresses no request may be relayed to: they name this host, every host or none.
bool special_address(const resolve::IpAddress& a) {
  const uint8_t* b = a.bytes.data();
  if (a.family == 4) {
    uint32_t v = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    return v == 0 || v == 0xffffffffu || (b[0] & 0xf0) == 0xe0 ||  // 0.0.0.0, broadcast, 224/4
           (b[0] == 169 && b[1] == 254);                           // link-local
  }
  bool zero = true;
  for (size_t i = 0; i < 16; ++i) zero &= b[i] == 0;
  return zero || b[0] == 0xff ||
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);  // ::, ff00::/8, fe80::/10
}

}  // namespace

Decision Policy::check_next_hop(const resolve::IpAddress& source, const net::Endpoint& next_hop,
                                bool static_route) const {
  if (static_route) return Decision{};
  bool own =
      std::find(own_listeners_.begin(), own_listeners_.end(), next_hop) != own_listeners_.end();
  if (own || special_address(next_hop.address))
    return Decision{Verdict::kReject, Rule::kRelaySpecialAddress, 403, "Forbidden destination"};
  if (relay_limited_ && !trusted_.contains(source) &&
      !untrusted_next_hops_.contains(next_hop.address))
    return Decision{Verdict::kReject, Rule::kRelayForbiddenDestination, 403,
                    "Forbidden destination"};
  return Decision{};
}

}  // namespace sipedge::policy
