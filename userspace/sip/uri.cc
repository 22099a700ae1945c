#include "sip/uri.h"

#include "sip/char_class.h"
#include "sip/fast_path.h"
#include "sip/fast_scan.h"

namespace sipedge::sip {
namespace {

// Consumes "%HH" at s[i]; false when the escape is malformed.
bool valid_escape(std::string_view s, size_t i) {
  return i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}

// True when every byte is in `cls` or a valid %HH escape; `allow_empty` for *( ... ) rules.
bool all_in_class_or_escaped(std::string_view s, uint16_t cls, bool allow_empty) {
  if (s.empty()) return allow_empty;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (!valid_escape(s, i)) return false;
      i += 2;
    } else if (!has_class(c, cls)) {
      return false;
    }
  }
  return true;
}

bool parse_port(std::string_view s, uint16_t* port) {
  uint32_t v = 0;
  if (!parse_bounded_decimal(s, 5, 65535, &v)) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

// hostname = *( domainlabel "." ) toplabel [ "." ] (RFC 3261 §25.1): every label starts and
// ends with an alphanum, the last one starts with an ALPHA. One pass, no splitting.
bool is_hostname(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  char prev = '.';  // '.' at the start of a label
  char top_first = 0;
  for (char c : s) {
    if (c == '.') {
      if (!has_class(prev, kAlnum)) return false;  // empty label, or one ending in '-'
    } else if (!has_class(c, kHostChar)) {
      return false;
    } else if (prev == '.') {
      if (!has_class(c, kAlnum)) return false;
      top_first = c;
    }
    prev = c;
  }
  return has_class(prev, kAlnum) && is_alpha(top_first);
}

// hexseq = hex4 *( ":" hex4 ); counts the 16-bit groups into *groups.
bool is_hexseq(std::string_view s, int* groups) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t colon = s.find(':', start);
    std::string_view h4 = s.substr(start, colon == std::string_view::npos ? s.npos : colon - start);
    if (h4.empty() || h4.size() > 4) return false;
    for (char c : h4) {
      if (!is_hex(c)) return false;
    }
    ++*groups;
    if (colon == std::string_view::npos) return true;
    start = colon + 1;
  }
}

// hexpart = hexseq / hexseq "::" [ hexseq ] / "::" [ hexseq ]; extra_groups is what follows
// (2 for an embedded IPv4 address) so the total can be checked against 128 bits.
bool is_hexpart(std::string_view s, int extra_groups) {
  int groups = extra_groups;
  size_t dc = s.find("::");
  if (dc == std::string_view::npos) return is_hexseq(s, &groups) && groups == 8;
  std::string_view left = s.substr(0, dc);
  std::string_view right = s.substr(dc + 2);
  if (!left.empty() && !is_hexseq(left, &groups)) return false;
  if (!right.empty() && !is_hexseq(right, &groups)) return false;
  return groups <= 7;
}

bool parse_host(std::string_view s, std::string_view* host, HostKind* kind) {
  if (s.empty()) return false;
  if (s.front() == '[') {
    if (s.size() < 3 || s.back() != ']') return false;
    std::string_view inner = s.substr(1, s.size() - 2);
    if (!is_ipv6_address(inner)) return false;
    *host = inner;
    *kind = HostKind::kIPv6;
    return true;
  }
  bool numeric = true;
  for (char c : s) {
    if (!is_digit(c) && c != '.') {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    if (!is_ipv4_address(s)) return false;
    *kind = HostKind::kIPv4;
  } else {
    if (!is_hostname(s)) return false;
    *kind = HostKind::kName;
  }
  *host = s;
  return true;
}

// The parameters RFC 3261 §19.1.1 gives a grammar of their own: ttl, maddr, transport,
// user, method; any other uri-parameter is just pname [ "=" pvalue ].
bool uri_param_value_ok(std::string_view name, std::string_view value, bool has_value) {
  using fast::name_is;  // exact for these letters-only names (see fast_scan.h)
  switch (name.size()) {
    case 3:
      if (name_is(name, "ttl")) {
        uint32_t ttl = 0;
        return has_value && parse_bounded_decimal(value, 3, 255, &ttl);
      }
      break;
    case 5:
      if (name_is(name, "maddr")) {
        std::string_view host;
        HostKind kind;
        return has_value && parse_host(value, &host, &kind);
      }
      break;
    case 4:
    case 6:
    case 9:
      if (name_is(name, "user") || name_is(name, "method") || name_is(name, "transport")) {
        return has_value && is_token(value);
      }
      break;
    default:
      break;
  }
  return true;
}

// Validates the `;`-separated uri-parameters of a SIP URI (RFC 3261 §19.1.1 and §25.1).
bool valid_uri_params(std::string_view params) {
  UriParam p;
  std::string_view rest = params;
  while (next_param(&rest, &p)) {
    if (!all_in_class_or_escaped(p.name, kParamUnreserved | kUnreserved, false)) return false;
    if (p.has_value && !all_in_class_or_escaped(p.value, kParamUnreserved | kUnreserved, false)) {
      return false;
    }
    if (!uri_param_value_ok(p.name, p.value, p.has_value)) return false;
  }
  return rest.empty();
}

bool valid_uri_headers(std::string_view headers) {
  if (headers.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t amp = headers.find('&', start);
    std::string_view h =
        headers.substr(start, amp == std::string_view::npos ? headers.npos : amp - start);
    size_t eq = h.find('=');
    if (eq == std::string_view::npos) return false;
    if (!all_in_class_or_escaped(h.substr(0, eq), kHnvUnreserved | kUnreserved, false)) {
      return false;
    }
    if (!all_in_class_or_escaped(h.substr(eq + 1), kHnvUnreserved | kUnreserved, true)) {
      return false;
    }
    if (amp == std::string_view::npos) return true;
    start = amp + 1;
  }
}

Expected<Uri, ParseError> fail(std::string_view context, const char* what) {
  return unexpected(make_error(ParseErrorCode::kBadUri, context, what));
}

Expected<Uri, ParseError> parse_sip_uri(std::string_view rest, Uri uri, std::string_view context) {
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    uri.has_user = true;
    if (!all_in_class_or_escaped(uri.user, kUnreserved | kUserUnreserved, false)) {
      return fail(context, "bad user part");
    }
    if (colon != std::string_view::npos) {
      uri.password = userinfo.substr(colon + 1);
      if (!all_in_class_or_escaped(uri.password, kUnreserved | kPasswordExtra, true)) {
        return fail(context, "bad password");
      }
    }
    rest.remove_prefix(at + 1);
  }
  // hostport ends at the first ';' or '?' (neither can occur in a host or port).
  size_t hp_end = rest.find_first_of(";?");
  std::string_view hostport = rest.substr(0, hp_end);
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return fail(context, "unterminated IPv6 reference");
    host = hostport.substr(0, close + 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':' || !parse_port(after.substr(1), &uri.port)) {
        return fail(context, "bad port");
      }
      uri.has_port = true;
    }
  } else {
    size_t colon = hostport.find(':');
    if (colon != std::string_view::npos) {
      host = hostport.substr(0, colon);
      if (!parse_port(hostport.substr(colon + 1), &uri.port)) return fail(context, "bad port");
      uri.has_port = true;
    }
  }
  if (!parse_host(host, &uri.host, &uri.host_kind)) return fail(context, "bad host");
  if (hp_end == std::string_view::npos) return uri;
  rest.remove_prefix(hp_end);
  size_t q = rest.find('?');
  if (rest.front() == ';') {
    uri.params = rest.substr(1, q == std::string_view::npos ? rest.npos : q - 1);
    if (uri.params.empty() || !valid_uri_params(uri.params)) {
      return fail(context, "bad URI parameter");
    }
  }
  if (q != std::string_view::npos) {
    uri.headers = rest.substr(q + 1);
    uri.has_headers = true;
    if (!valid_uri_headers(uri.headers)) return fail(context, "bad URI header");
  }
  return uri;
}

// tel: per RFC 3966, checked loosely: phone digits and visual separators, then parameters.
Expected<Uri, ParseError> parse_tel_uri(std::string_view rest, Uri uri, std::string_view context) {
  size_t semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  uri.has_user = true;
  if (uri.user.empty()) return fail(context, "empty telephone number");
  for (size_t i = 0; i < uri.user.size(); ++i) {
    char c = uri.user[i];
    bool ok = is_hex(c) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' || c == ')' ||
              (c == '+' && i == 0);
    if (!ok) return fail(context, "bad telephone number");
  }
  if (semi != std::string_view::npos) {
    uri.params = rest.substr(semi + 1);
    if (uri.params.empty() || !valid_uri_params(uri.params)) {
      return fail(context, "bad tel parameter");
    }
  }
  return uri;
}

}  // namespace

bool parse_host_text(std::string_view text, std::string_view* host, HostKind* kind) {
  return parse_host(text, host, kind);
}

bool is_ipv4_address(std::string_view s) {
  int dots = 0;
  int digits = 0;
  int octet = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || ++dots > 3) return false;
      digits = 0;
      octet = 0;
    } else if (!is_digit(c) || ++digits > 3 || (octet = octet * 10 + (c - '0')) > 255) {
      return false;
    }
  }
  return dots == 3 && digits != 0;
}

bool is_ipv6_address(std::string_view s) {
  if (s.size() < 2) return false;
  size_t last_colon = s.rfind(':');
  if (last_colon == std::string_view::npos) return false;
  std::string_view tail = s.substr(last_colon + 1);
  if (tail.find('.') == std::string_view::npos) return is_hexpart(s, 0);
  if (!is_ipv4_address(tail)) return false;
  // "x::1.2.3.4" (RFC 4291) and "x:::1.2.3.4" (RFC 3261's ABNF, RFC 5118 §4.10) both pass.
  std::string_view with_colon = s.substr(0, last_colon + 1);
  if (with_colon.size() >= 2 && with_colon.substr(with_colon.size() - 2) == "::" &&
      is_hexpart(with_colon, 2)) {
    return true;
  }
  return is_hexpart(s.substr(0, last_colon), 2);
}

bool next_param(std::string_view* params, UriParam* out) {
  if (params->empty()) return false;
  size_t semi = params->find(';');
  std::string_view p = params->substr(0, semi);
  if (p.empty()) return false;  // ";;" — leaves *params non-empty so callers can reject it
  size_t eq = p.find('=');
  out->name = p.substr(0, eq);
  out->has_value = eq != std::string_view::npos;
  out->value = out->has_value ? p.substr(eq + 1) : std::string_view{};
  if (semi == std::string_view::npos) {
    *params = {};
  } else {
    params->remove_prefix(semi + 1);
    if (params->empty()) *params = std::string_view(";");  // trailing ';' is an empty param
  }
  return true;
}

bool Uri::find_param(std::string_view name, UriParam* out) const {
  std::string_view rest = params;
  UriParam p;
  while (next_param(&rest, &p)) {
    if (iequals(p.name, name)) {
      *out = p;
      return true;
    }
  }
  return false;
}

std::string_view Uri::transport() const {
  UriParam p;
  return find_param("transport", &p) ? p.value : std::string_view{};
}

bool Uri::lr() const {
  UriParam p;
  return find_param("lr", &p);
}

bool unescape_uri_component(std::string_view raw, std::string* out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out->push_back(raw[i]);
      continue;
    }
    if (i + 2 >= raw.size() || !is_hex(raw[i + 1]) || !is_hex(raw[i + 2])) return false;
    auto nib = [](char c) { return is_digit(c) ? c - '0' : (ascii_lower(c) - 'a' + 10); };
    out->push_back(static_cast<char>(nib(raw[i + 1]) * 16 + nib(raw[i + 2])));
    i += 2;
  }
  return true;
}

Expected<Uri, ParseError> parse_uri(std::string_view text, std::string_view context) {
  Uri uri;
  uri.text = text;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail(context, "missing URI scheme");
  uri.scheme_text = text.substr(0, colon);
  if (!is_alpha(uri.scheme_text.front())) return fail(context, "bad URI scheme");
  for (char c : uri.scheme_text) {
    if (!has_class(c, kSchemeChar)) return fail(context, "bad URI scheme");
  }
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return fail(context, "empty URI after scheme");
  if (iequals(uri.scheme_text, "sip")) {
    uri.scheme = UriScheme::kSip;
    return parse_sip_uri(rest, uri, context);
  }
  if (iequals(uri.scheme_text, "sips")) {
    uri.scheme = UriScheme::kSips;
    return parse_sip_uri(rest, uri, context);
  }
  if (iequals(uri.scheme_text, "tel")) {
    uri.scheme = UriScheme::kTel;
    return parse_tel_uri(rest, uri, context);
  }
  uri.scheme = UriScheme::kOther;
  uri.opaque = rest;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%') {
      if (!valid_escape(rest, i)) return fail(context, "bad %-escape");
      i += 2;
    } else if (!has_class(rest[i], kUric)) {
      return fail(context, "bad character in absolute URI");
    }
  }
  return uri;
}

bool fast_uri_param_ok(std::string_view name, std::string_view value, bool has_value) {
  return uri_param_value_ok(name, value, has_value);
}

}  // namespace sipedge::sip
