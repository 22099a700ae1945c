#include "resolve/uri_adapter.h"

#include <cctype>

namespace sipedge::resolve {

Expected<ResolveRequest, std::string> request_from_uri(const sip::Uri& uri) {
  if (!uri.is_sip_or_sips()) {
    return unexpected(std::string("only sip: and sips: URIs can be resolved (RFC 3263)"));
  }
  ResolveRequest req;
  req.sips = uri.scheme == sip::UriScheme::kSips;
  switch (uri.host_kind) {
    case sip::HostKind::kName:
      req.host_kind = HostKind::kName;
      break;
    case sip::HostKind::kIPv4:
      req.host_kind = HostKind::kIPv4;
      break;
    case sip::HostKind::kIPv6:
      req.host_kind = HostKind::kIPv6;
      break;
    case sip::HostKind::kNone:
      return unexpected(std::string("the URI has no host"));
  }
  req.host = std::string(uri.host);
  if (uri.has_port) req.port = uri.port;
  sip::UriParam param;
  if (uri.find_param("transport", &param)) {
    std::string value;
    if (!sip::unescape_uri_component(param.value, &value) || value.empty()) {
      return unexpected(std::string("the URI's transport parameter has no valid value"));
    }
    for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.transport = std::move(value);
  }
  if (uri.find_param("maddr", &param)) {
    std::string value;
    if (!sip::unescape_uri_component(param.value, &value) || value.empty()) {
      return unexpected(std::string("the URI's maddr parameter has no valid value"));
    }
    req.maddr = std::move(value);
  }
  return req;
}

}  // namespace sipedge::resolve
