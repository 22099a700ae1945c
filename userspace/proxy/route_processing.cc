#include "proxy/route_processing.h"

#include "sip/char_class.h"
#include "sip/name_addr.h"

namespace sipedge::proxy {
namespace {

Expected<RouteAnalysis, sip::ParseError> fail(const char* what) {
  return unexpected(sip::make_error(sip::ParseErrorCode::kBadHeader, "Route", what));
}

}  // namespace

bool uri_is_local(const sip::Uri& uri, const LocalIdentity& me) {
  if (!uri.is_sip_or_sips()) return false;
  // transport=tls without a port means 5061, as sips: does.
  const bool tls_default =
      uri.scheme == sip::UriScheme::kSips || sip::iequals(uri.transport(), "tls");
  return me.is_local(uri.host, uri.has_port ? uri.port : 0, tls_default);
}

Expected<RouteAnalysis, sip::ParseError> analyze_routes(const sip::Message& req,
                                                        const LocalIdentity& me) {
  RouteAnalysis a;
  uint16_t leading_own = 0;
  bool in_leading_run = true;
  sip::Uri first_foreign;
  sip::Uri last;
  for (const sip::Header& h : req.headers) {
    if (h.id != sip::HeaderId::kRoute) continue;
    ListElements list(h.value);
    std::string_view element;
    while (list.next(&element)) {
      if (a.count == UINT16_MAX) return fail("too many values");
      auto na = sip::parse_name_addr(element, "Route", sip::NameAddrForm::kNameAddrOnly);
      if (!na) return fail("value is not a name-addr");
      if (in_leading_run && uri_is_local(na->uri, me)) {
        ++leading_own;
      } else if (in_leading_run) {
        in_leading_run = false;
        first_foreign = na->uri;
      }
      last = na->uri;
      ++a.count;
    }
    if (list.error()) return fail("unbalanced quote or bracket");
  }

  // §16.4: a Request-URI we placed into a Record-Route means the previous hop was a strict
  // router: the real Request-URI travels as the last Route value.
  a.strict_fixup = a.count > 0 && uri_is_local(req.request_uri, me);
  if (a.strict_fixup && last.has_headers) return fail("last value cannot become a Request-URI");
  a.request_uri = a.strict_fixup ? last : req.request_uri;
  const uint16_t removable = a.strict_fixup ? static_cast<uint16_t>(a.count - 1) : a.count;
  a.pop = leading_own < removable ? leading_own : removable;
  a.has_next_route = a.pop < removable;
  // When a value remains, the leading run ended before it: it is the first foreign one.
  a.route_on = a.has_next_route ? first_foreign : a.request_uri;
  a.addressed_to_us = !a.has_next_route && uri_is_local(a.request_uri, me);
  return a;
}

}  // namespace sipedge::proxy
