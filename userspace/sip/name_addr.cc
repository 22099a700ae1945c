#include "sip/name_addr.h"

#include "sip/char_class.h"
#include "sip/value_scanner.h"

namespace sipedge::sip {
namespace {

Expected<NameAddr, ParseError> fail(std::string_view where, const char* what) {
  return unexpected(make_error(ParseErrorCode::kBadHeader, where, what));
}

// display-name = *(token LWS) / quoted-string; leaves the cursor on '<' when the element
// is in name-addr form, and returns false (cursor reset) when it is an addr-spec.
bool take_display_name(ValueCursor* c, std::string_view* display, bool* bad) {
  *bad = false;
  size_t start = c->pos();
  if (c->peek() == '"') {
    if (!c->take_quoted_string(display)) {
      *bad = true;
      return false;
    }
    c->skip_lws();
    if (c->peek() != '<') {
      *bad = true;
      return false;
    }
    return true;
  }
  size_t end = start;
  while (true) {
    std::string_view tok = c->take_token();
    if (tok.empty()) break;
    end = c->pos();
    if (!c->skip_lws()) break;
  }
  if (c->peek() == '<') {
    *display = c->slice(start, end);
    return true;
  }
  c->set_pos(start);
  return false;
}

}  // namespace

Expected<NameAddr, ParseError> parse_name_addr(std::string_view element, std::string_view where,
                                               NameAddrForm form) {
  NameAddr na;
  ValueCursor c(element);
  c.skip_lws();
  bool bad = false;
  if (take_display_name(&c, &na.display_name, &bad)) {
    c.consume('<');
    std::string_view rest = c.rest();
    size_t close = rest.find('>');
    if (close == std::string_view::npos) return fail(where, "unterminated '<'");
    std::string_view uri_text = rest.substr(0, close);
    for (char ch : uri_text) {
      if (is_lws(ch)) return fail(where, "whitespace inside <URI>");
    }
    auto uri = parse_uri(uri_text, where);
    if (!uri) return unexpected(uri.error());
    na.uri = *uri;
    na.angle_brackets = true;
    c.set_pos(c.pos() + close + 1);
  } else {
    if (bad) return fail(where, "bad display name");
    if (form == NameAddrForm::kNameAddrOnly) return fail(where, "URI must be enclosed in < >");
    std::string_view rest = c.rest();
    size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !is_lws(rest[end])) ++end;
    std::string_view uri_text = rest.substr(0, end);
    if (uri_text.find('?') != std::string_view::npos) {
      return fail(where, "a URI with headers must be enclosed in < >");
    }
    auto uri = parse_uri(uri_text, where);
    if (!uri) return unexpected(uri.error());
    na.uri = *uri;
    c.set_pos(c.pos() + end);
  }
  size_t params_start = c.pos();
  bool ok = parse_header_params(&c, [&na](const HeaderParam& p) {
    if (iequals(p.name, "tag")) {
      if (!p.has_value || !is_token(p.value)) return false;
      na.tag = p.value;
      na.has_tag = true;
    }
    return true;
  });
  if (!ok) return fail(where, "bad header parameter");
  na.params = param_list_body(c.slice(params_start, c.pos()));
  return na;
}

}  // namespace sipedge::sip
