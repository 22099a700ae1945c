#include "config/value_parsers.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "sip/uri.h"

namespace sipedge::config {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string to_lower(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// True when any bit of `a` beyond the first `len` bits is set.
bool has_host_bits(const net::IpAddress& a, unsigned len) {
  unsigned total = a.family == 4 ? 32 : 128;
  for (unsigned bit = len; bit < total; ++bit) {
    if (a.bytes[bit / 8] & (0x80u >> (bit % 8))) return true;
  }
  return false;
}

net::IpAddress masked(net::IpAddress a, unsigned len) {
  unsigned total = a.family == 4 ? 32 : 128;
  for (unsigned bit = len; bit < total; ++bit) {
    a.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return a;
}

}  // namespace

std::string range_message(int64_t min, int64_t max, int64_t got) {
  return "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
         std::to_string(got);
}

Checked<int64_t> check_integer_text(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    return unexpected("must be an integer, got " + quoted(text));
  if (ec == std::errc::result_out_of_range || v < min || v > max)
    return unexpected("must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                      std::string(text));
  return v;
}

Checked<std::string> check_cidr(std::string_view text) {
  auto bad = [&] {
    return unexpected("must be a CIDR like 10.0.0.0/8 or 2001:db8::/32, got " + quoted(text));
  };
  size_t slash = text.find('/');
  net::IpAddress addr;
  if (!net::parse_ip_address(text.substr(0, slash), &addr)) return bad();
  unsigned max_len = addr.family == 4 ? 32 : 128;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return bad();
    if (len > max_len)
      return unexpected("prefix length must be 0.." + std::to_string(max_len) + ", got " +
                        quoted(text));
  }
  if (has_host_bits(addr, len))
    return unexpected(quoted(text) + " has host bits set (the network is " +
                      masked(addr, len).to_string() + "/" + std::to_string(len) + ")");
  return addr.to_string() + "/" + std::to_string(len);
}

Checked<net::Endpoint> check_endpoint(std::string_view text) {
  net::Endpoint ep;
  if (!net::parse_endpoint(text, &ep))
    return unexpected(
        "must be ADDR:PORT with a numeric address (IPv6 as [ADDR]:PORT) and port "
        "1..65535, got " +
        quoted(text));
  return ep;
}

Checked<std::string> check_dns_server(std::string_view text) {
  net::Endpoint ep;
  if (net::parse_ip_address(text, &ep.address)) {
    ep.port = 53;
    return ep.to_string();
  }
  if (!net::parse_endpoint(text, &ep))
    return unexpected(
        "must be ADDR:PORT or ADDR with a numeric address (IPv6 as [ADDR]:PORT), "
        "got " +
        quoted(text));
  return ep.to_string();
}

Checked<net::IpAddress> check_listen_address(std::string_view text) {
  std::string_view bare = text;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  net::IpAddress addr;
  if (!net::parse_ip_address(bare, &addr))
    return unexpected("must be a numeric IPv4 or IPv6 address, got " + quoted(text));
  return addr;
}

Checked<resolve::Transport> check_listener_transport(std::string_view text) {
  if (text == "udp") return resolve::Transport::kUdp;
  if (text == "tcp") return resolve::Transport::kTcp;
  if (text == "tls") return resolve::Transport::kTls;
  return unexpected("must be \"udp\", \"tcp\" or \"tls\", got " + quoted(text));
}

Checked<ListenerConfig> check_listen_spec(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return unexpected("must be udp:ADDR:PORT or tcp:ADDR:PORT (IPv6 as [ADDR]:PORT), got " +
                      quoted(text));
  auto transport = check_listener_transport(text.substr(0, colon));
  if (!transport) return unexpected(transport.error());
  auto endpoint = check_endpoint(text.substr(colon + 1));
  if (!endpoint) return unexpected(endpoint.error());
  ListenerConfig l;
  l.transport = *transport;
  l.endpoint = *endpoint;
  return l;
}

Checked<std::string> check_host_name(std::string_view text) {
  std::string_view host;
  sip::HostKind kind = sip::HostKind::kNone;
  if (sip::is_ipv6_address(text)) return to_lower(text);
  if (!sip::parse_host_text(text, &host, &kind) || kind == sip::HostKind::kNone)
    return unexpected("must be a host name or numeric address, got " + quoted(text));
  return to_lower(host);
}

Checked<std::string> check_next_hop_uri(std::string_view text) {
  auto uri = sip::parse_uri(text, "next hop");
  if (!uri) return unexpected("bad SIP URI " + quoted(text) + ": " + uri.error().what);
  if (!uri->is_sip_or_sips()) return unexpected("must be a sip: or sips: URI, got " + quoted(text));
  if (uri->has_headers) return unexpected("must not carry ?headers, got " + quoted(text));
  return std::string(text);
}

Checked<StaticRoute> check_route_spec(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos)
    return unexpected("must be DOMAIN=URI, e.g. carrier.example=sip:gw.carrier.example, got " +
                      quoted(text));
  auto domain = check_host_name(text.substr(0, eq));
  if (!domain) return unexpected(domain.error());
  auto uri = check_next_hop_uri(text.substr(eq + 1));
  if (!uri) return unexpected(uri.error());
  return StaticRoute{*domain, *uri};
}

Checked<std::string> check_xdp_mode(std::string_view text) {
  if (text == "auto" || text == "native" || text == "generic") return std::string(text);
  return unexpected("must be \"auto\", \"native\" or \"generic\", got " + quoted(text));
}

Checked<std::string> check_iface(std::string_view text) {
  bool bad_char = std::any_of(text.begin(), text.end(), [](unsigned char c) {
    return c == '/' || c == ':' || c <= ' ' || c == 0x7f;
  });
  if (text.empty() || text.size() > 15 || bad_char || text == "." || text == "..")
    return unexpected(
        "must be an interface name (1..15 characters, no '/', ':' or spaces), "
        "got " +
        quoted(text));
  return std::string(text);
}

}  // namespace sipedge::config
