#include "proxy/stateless_proxy.h"
#include "sip/char_class.h"

namespace sipedge::proxy {
namespace {

// The port a URI or Via without one means, for a listener of transport `t`.
uint16_t implied_port(resolve::Transport t, bool sips) {
  return sips ? uint16_t{5061} : resolve::default_port(t);
}

bool port_matches(const std::pair<resolve::Transport, net::Endpoint>& listener, uint16_t port,
                  bool sips) {
  return listener.second.port == (port != 0 ? port : implied_port(listener.first, sips));
}

}  // namespace

bool LocalIdentity::is_local(std::string_view host, uint16_t port_or_0, bool sips) const {
  if (host.empty()) return false;
  net::IpAddress address;
  if (net::parse_ip_address(host, &address)) {
    for (const auto& l : listeners) {
      if (l.second.address == address && port_matches(l, port_or_0, sips)) return true;
    }
    return false;
  }
  if (host.back() == '.') host.remove_suffix(1);  // an absolute FQDN names the same host
  bool named = false;
  for (const std::string& n : names) {
    if (sip::iequals(host, n)) {
      named = true;
      break;
    }
  }
  if (!named) return false;
  for (const auto& l : listeners) {
    if (port_matches(l, port_or_0, sips)) return true;
  }
  return false;
}

}  // namespace sipedge::proxy
