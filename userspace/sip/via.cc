#include "sip/via.h"

#include "sip/char_class.h"
#include "sip/value_scanner.h"

namespace sipedge::sip {
namespace {

constexpr std::string_view kWhere = "Via";

Expected<Via, ParseError> fail(const char* what) {
  return unexpected(make_error(ParseErrorCode::kBadHeader, kWhere, what));
}

// SLASH = SWS "/" SWS
bool take_slash(ValueCursor* c) {
  c->skip_lws();
  if (!c->consume('/')) return false;
  c->skip_lws();
  return true;
}

bool apply_via_param(const HeaderParam& p, Via* via) {
  if (iequals(p.name, "branch")) {
    if (!p.has_value || !is_token(p.value)) return false;
    via->branch = p.value;
    via->has_branch = true;
  } else if (iequals(p.name, "received")) {
    if (!p.has_value) return false;
    std::string_view v = p.value;
    // RFC 5118 §4.5: accept an IPv6 address with or without brackets.
    if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
    if (!is_ipv4_address(v) && !is_ipv6_address(v)) return false;
    via->received = v;
    via->has_received = true;
  } else if (iequals(p.name, "maddr")) {
    std::string_view host;
    HostKind kind;
    if (!p.has_value || !parse_host_text(p.value, &host, &kind)) return false;
    via->maddr = p.value;
  } else if (iequals(p.name, "ttl")) {
    uint32_t ttl = 0;
    if (!p.has_value || !parse_bounded_decimal(p.value, 3, 255, &ttl)) {
      return false;
    }
    via->ttl = static_cast<uint8_t>(ttl);
    via->has_ttl = true;
  } else if (iequals(p.name, "rport")) {
    via->has_rport = true;
    if (p.has_value) {
      uint32_t port = 0;
      if (!parse_bounded_decimal(p.value, 5, 65535, &port)) return false;
      via->rport = static_cast<uint16_t>(port);
    }
  }
  return true;
}

}  // namespace

Expected<Via, ParseError> parse_via(std::string_view element) {
  Via via;
  ValueCursor c(element);
  c.skip_lws();
  via.protocol_name = c.take_token();
  if (via.protocol_name.empty()) return fail("missing protocol name");
  if (!take_slash(&c)) return fail("expected '/' after protocol name");
  via.protocol_version = c.take_token();
  if (via.protocol_version.empty()) return fail("missing protocol version");
  if (!take_slash(&c)) return fail("expected '/' after protocol version");
  via.transport = c.take_token();
  if (via.transport.empty()) return fail("missing transport");
  if (!c.skip_lws()) return fail("expected whitespace before sent-by");
  // sent-by = host [ COLON port ]; host ends at whitespace, ':' (outside brackets) or ';'.
  size_t host_start = c.pos();
  if (c.peek() == '[') {
    while (!c.at_end() && c.peek() != ']') c.set_pos(c.pos() + 1);
    if (!c.consume(']')) return fail("unterminated IPv6 reference in sent-by");
  } else {
    while (!c.at_end() && (has_class(c.peek(), kHostChar))) c.set_pos(c.pos() + 1);
  }
  if (!parse_host_text(c.slice(host_start, c.pos()), &via.host, &via.host_kind)) {
    return fail("bad sent-by host");
  }
  size_t after_host = c.pos();
  c.skip_lws();
  if (c.consume(':')) {
    c.skip_lws();
    uint64_t port = 0;
    bool overflow = false;
    if (!c.take_number(65535, &port, &overflow) || overflow) return fail("bad sent-by port");
    via.port = static_cast<uint16_t>(port);
    via.has_port = true;
  } else {
    c.set_pos(after_host);
  }
  size_t params_start = c.pos();
  if (!parse_header_params(&c, [&via](const HeaderParam& p) { return apply_via_param(p, &via); })) {
    return fail("bad via parameter");
  }
  via.params = param_list_body(c.slice(params_start, c.pos()));
  return via;
}

}  // namespace sipedge::sip
