#include "sip/scalar_headers.h"

#include "sip/char_class.h"
#include "sip/text_utf8.h"
#include "sip/uri.h"
#include "sip/value_scanner.h"

namespace sipedge::sip {
namespace {

bool at_end_after_lws(ValueCursor* c) {
  c->skip_lws();
  return c->at_end();
}

// m-type "/" m-subtype, where either may be "*" for media ranges.
bool take_media_type(ValueCursor* c) {
  c->skip_lws();
  if (c->take_token().empty()) return false;
  c->skip_lws();
  if (!c->consume('/')) return false;
  c->skip_lws();
  return !c->take_token().empty();
}

bool params_ok(ValueCursor* c) {
  return parse_header_params(c, [](const HeaderParam&) { return true; });
}

template <typename ElementCheck>
bool valid_list(std::string_view value, bool allow_empty, ElementCheck&& check) {
  if (value.empty()) return allow_empty;
  std::string_view rest = value;
  std::string_view element;
  bool error = false;
  while (next_list_element(&rest, &element, &error)) {
    if (element.empty() || !check(element)) return false;
  }
  return !error;
}

// warn-agent = hostport / pseudonym (RFC 3261 §20.43); pseudonym = token.
bool valid_warn_agent(std::string_view agent) {
  if (is_token(agent)) return true;
  std::string_view host = agent;
  size_t colon = agent.rfind(':');
  if (colon != std::string_view::npos && agent.find(']') < colon) {
    host = agent.substr(0, colon);
  } else if (colon != std::string_view::npos && agent.front() != '[') {
    host = agent.substr(0, colon);
  }
  if (host.size() != agent.size()) {
    uint32_t port = 0;
    if (!parse_bounded_decimal(agent.substr(host.size() + 1), 5, 65535, &port)) return false;
  }
  std::string_view h;
  HostKind kind;
  return parse_host_text(host, &h, &kind);
}

// product = token [ SLASH product-version ]; product-version = token.
bool take_product(ValueCursor* c) {
  if (c->take_token().empty()) return false;
  size_t before = c->pos();
  c->skip_lws();
  if (!c->consume('/')) {
    c->set_pos(before);
    return true;
  }
  c->skip_lws();
  return !c->take_token().empty();
}

}  // namespace

Expected<CSeq, ParseError> parse_cseq(std::string_view value, std::string_view where) {
  ValueCursor c(value);
  c.skip_lws();
  uint64_t number = 0;
  bool overflow = false;
  if (!c.take_number(0x7fffffffu, &number, &overflow)) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, "missing sequence number"));
  }
  if (overflow) {
    return unexpected(
        make_error(ParseErrorCode::kBadHeader, where, "sequence number not below 2**31"));
  }
  if (!c.skip_lws()) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, "missing method"));
  }
  CSeq cseq;
  cseq.number = static_cast<uint32_t>(number);
  cseq.method = c.take_token();
  if (cseq.method.empty() || !at_end_after_lws(&c)) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, "bad method"));
  }
  return cseq;
}

Expected<uint8_t, ParseError> parse_max_forwards(std::string_view value, std::string_view where) {
  ValueCursor c(value);
  uint64_t n = 0;
  bool overflow = false;
  if (!c.take_number(255, &n, &overflow) || !c.at_end()) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, "not a number"));
  }
  if (overflow) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, "value above 255"));
  }
  return static_cast<uint8_t>(n);
}

bool valid_call_id(std::string_view value) {
  // word [ "@" word ]: '@' is not a word byte, so one scan finds both words.
  const char* p = value.data();
  const char* end = p + value.size();
  const char* first = p;
  p = span_class(p, end, kWordExtra);
  if (p == first) return false;
  if (p == end) return true;
  if (*p != '@') return false;
  const char* second = ++p;
  p = span_class(p, end, kWordExtra);
  return p != second && p == end;
}

bool valid_date(std::string_view v) {
  // "Sat, 13 Nov 2010 23:29:00 GMT" — fixed layout, 29 octets.
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (v.size() != 29) return false;
  bool day_ok = false;
  for (auto d : kDays) day_ok |= v.substr(0, 3) == d;
  bool month_ok = false;
  for (auto m : kMonths) month_ok |= v.substr(8, 3) == m;
  auto digits = [&v](size_t pos, size_t n) {
    for (size_t i = pos; i < pos + n; ++i) {
      if (!is_digit(v[i])) return false;
    }
    return true;
  };
  return day_ok && month_ok && v.substr(3, 2) == ", " && digits(5, 2) && v[7] == ' ' &&
         v[11] == ' ' && digits(12, 4) && v[16] == ' ' && digits(17, 2) && v[19] == ':' &&
         digits(20, 2) && v[22] == ':' && digits(23, 2) && v.substr(25) == " GMT";
}

bool valid_delta_seconds_with_params(std::string_view value, bool allow_comment) {
  ValueCursor c(value);
  uint64_t n = 0;
  bool overflow = false;  // saturates to 2**32-1 per RFC 3261 §20.19, not an error
  if (!c.take_number(UINT64_MAX / 10, &n, &overflow)) return false;
  c.skip_lws();
  if (allow_comment && c.peek() == '(') {
    size_t pos = c.pos();
    if (!take_comment(value, &pos)) return false;
    c.set_pos(pos);
  }
  return params_ok(&c);
}

bool valid_warning(std::string_view value) {
  return valid_list(value, false, [](std::string_view e) {
    ValueCursor c(e);
    if (e.size() < 4 || !is_digit(e[0]) || !is_digit(e[1]) || !is_digit(e[2]) || e[3] != ' ') {
      return false;
    }
    c.set_pos(4);
    // warn-agent = hostport / pseudonym, then SP warn-text (a quoted string).
    while (!c.at_end() && c.peek() != ' ') c.set_pos(c.pos() + 1);
    if (!valid_warn_agent(c.slice(4, c.pos()))) return false;
    if (!c.consume(' ')) return false;
    std::string_view text;
    return c.take_quoted_string(&text) && at_end_after_lws(&c);
  });
}

bool valid_media_type(std::string_view value) {
  ValueCursor c(value);
  return take_media_type(&c) && params_ok(&c);
}

bool valid_token_list(std::string_view value, bool allow_empty) {
  return valid_list(value, allow_empty, [](std::string_view e) { return is_token(e); });
}

bool valid_accept(std::string_view value) {
  return valid_list(value, true, [](std::string_view e) {
    ValueCursor c(e);
    return take_media_type(&c) && params_ok(&c);
  });
}

bool valid_event(std::string_view value) {
  ValueCursor c(value);
  return !c.take_token().empty() && params_ok(&c);
}

bool valid_server_value(std::string_view value) {
  ValueCursor c(value);
  size_t items = 0;
  while (true) {
    c.skip_lws();
    if (c.at_end()) return items > 0;
    if (items > 0 && !is_lws(value[c.pos() - 1])) return false;  // server-val *( LWS server-val )
    if (c.peek() == '(') {
      size_t pos = c.pos();
      if (!take_comment(value, &pos)) return false;
      c.set_pos(pos);
    } else if (!take_product(&c)) {
      return false;
    }
    ++items;
  }
}

bool valid_event_list(std::string_view value) {
  return valid_list(value, false, [](std::string_view e) {
    ValueCursor c(e);
    return !c.take_token().empty() && params_ok(&c);
  });
}

}  // namespace sipedge::sip
