#include "sip/fast_path.h"

#include <cstring>

#include "sip/char_class.h"
#include "sip/fast_scan.h"

namespace sipedge::sip {

namespace {

// 1-3 digits up to 255 at p: past them, or nullptr. Unrolled: a bound and a digit test
// per digit, no counter.
[[gnu::always_inline]] inline const char* scan_octet(const char* p, const char* end) {
  if (p == end || !is_digit(*p)) return nullptr;
  uint32_t v = static_cast<uint32_t>(*p++ - '0');
  if (p < end && is_digit(*p)) {
    v = v * 10 + static_cast<uint32_t>(*p++ - '0');
    if (p < end && is_digit(*p)) {
      v = v * 10 + static_cast<uint32_t>(*p++ - '0');
      if (v > 255) return nullptr;
    }
  }
  return p;
}

[[gnu::always_inline]] inline const char* scan_dot_octet(const char* p, const char* end) {
  if (p == nullptr || p == end || *p != '.') return nullptr;
  return scan_octet(p + 1, end);
}

}  // namespace

const char* fast_scan_dotted_quad(const char* p, const char* end) {
  p = scan_octet(p, end);
  p = scan_dot_octet(p, end);
  p = scan_dot_octet(p, end);
  return scan_dot_octet(p, end);
}

namespace {

// parse_host judges the longest run of host bytes: IPv4address when it holds only digits
// and dots, else hostname. A dotted quad with no host byte after it is the first; any
// other all-digit run fails both here and there (its top label starts with a digit).
// Always inlined into the URI scan: a call per URI costs as much as a short host.
[[gnu::always_inline]] inline const char* scan_host(const char* p, const char* end,
                                                    std::string_view* host, HostKind* kind) {
  using fast::is;
  const char* start = p;
  if (p < end && is_digit(*p)) {
    const char* q = fast_scan_dotted_quad(p, end);
    if (q != nullptr && (q == end || !is(*q, fast::kHost))) {
      *host = std::string_view(start, static_cast<size_t>(q - start));
      *kind = HostKind::kIPv4;
      return q;
    }
  }
  // hostname = *( domainlabel "." ) toplabel [ "." ]; labels start and end with an alphanum.
  char top_first;
  while (true) {
    if (p == end || !is(*p, fast::kAlnum)) return nullptr;
    top_first = *p;
    p = fast::span(p + 1, end, fast::kAlnumDash);
    if (p[-1] == '-') return nullptr;
    if (p == end || *p != '.') break;
    ++p;
    if (p == end || !is(*p, fast::kHost)) break;  // one trailing '.'
  }
  if (!is(top_first, fast::kAlpha)) return nullptr;
  *host = std::string_view(start, static_cast<size_t>(p - start));
  *kind = HostKind::kName;
  return p;
}

}  // namespace

const char* fast_scan_host(const char* p, const char* end, std::string_view* host, HostKind* kind) {
  return scan_host(p, end, host, kind);
}

// The fast recogniser keeps to the common subset: no escapes, password, IPv6 host, URI
// headers, or ',' in the user part (a list element would end there). Why the user part is
// taken only when its scan stops at '@': every byte the host, port and parameter scans
// accept is not '@', so when the caller accepts where the scan stopped (the end, '>', ...),
// the URI text holds no '@' at all and parse_uri would find no userinfo either.
namespace {

// What the fast scan finds, for a caller that only wants the verdict: plain fields with no
// initialisers, so declaring one costs nothing (a Uri is ~170 bytes to zero).
struct UriScratch {
  UriScheme scheme;
  std::string_view scheme_text;
  std::string_view user;
  bool has_user;
  std::string_view host;
  HostKind host_kind;
  uint16_t port;
  bool has_port;
  std::string_view params;
  std::string_view text;
};

// Always inlined: into the name-addr scan (twice, one per form) and the two entry points,
// where the scratch fields a caller never reads cost nothing.
template <typename Out>
[[gnu::always_inline]] inline const char* scan_sip_uri(const char* p, const char* end,
                                                       bool addr_spec, Out* out) {
  using fast::is;
  using fast::span;
  const char* start = p;
  if (end - p < 5 || (p[0] | 0x20) != 's' || (p[1] | 0x20) != 'i' || (p[2] | 0x20) != 'p') {
    return nullptr;
  }
  if (p[3] == ':') {
    out->scheme = UriScheme::kSip;
    p += 4;
  } else if ((p[3] | 0x20) == 's' && p[4] == ':') {
    out->scheme = UriScheme::kSips;
    p += 5;
  } else {
    return nullptr;
  }
  out->scheme_text = std::string_view(start, static_cast<size_t>(p - 1 - start));
  const char* user_end = span(p, end, addr_spec ? fast::kUser : fast::kUserOrSemi);
  if (user_end < end && *user_end == '@') {
    if (user_end == p) return nullptr;
    out->user = std::string_view(p, static_cast<size_t>(user_end - p));
    out->has_user = true;
    p = user_end + 1;
  }
  p = scan_host(p, end, &out->host, &out->host_kind);
  if (p == nullptr) return nullptr;
  if (p < end && *p == ':') {
    const char* digits = ++p;
    uint32_t port = 0;
    while (p < end && is_digit(*p) && p - digits < 6)
      port = port * 10 + static_cast<uint32_t>(*p++ - '0');
    if (p == digits || p - digits > 5 || port > 65535) return nullptr;
    out->port = static_cast<uint16_t>(port);
    out->has_port = true;
  }
  if (!addr_spec && p < end && *p == ';') {
    const char* params = p + 1;
    do {
      const char* name = ++p;
      p = span(p, end, fast::kParam);
      if (p == name) return nullptr;
      std::string_view name_text(name, static_cast<size_t>(p - name));
      std::string_view value;
      bool has_value = false;
      if (p < end && *p == '=') {
        const char* v = ++p;
        p = span(p, end, fast::kParam);
        if (p == v) return nullptr;
        value = std::string_view(v, static_cast<size_t>(p - v));
        has_value = true;
      }
      // Only names of 3-6 or 9 bytes (ttl, maddr, user, method, transport) have rules.
      constexpr uint32_t kRuledLengths = 0b10'0111'1000;
      if (name_text.size() < 32 && ((kRuledLengths >> name_text.size()) & 1) != 0 &&
          !fast_uri_param_ok(name_text, value, has_value)) {
        return nullptr;
      }
    } while (p < end && *p == ';');
    out->params = std::string_view(params, static_cast<size_t>(p - params));
  }
  out->text = std::string_view(start, static_cast<size_t>(p - start));
  return p;
}

}  // namespace

const char* fast_scan_sip_uri(const char* p, const char* end, bool addr_spec) {
  UriScratch scratch;
  return scan_sip_uri(p, end, addr_spec, &scratch);
}

bool fast_parse_sip_uri(std::string_view text, Uri* out) {
  const char* end = text.data() + text.size();
  return scan_sip_uri(text.data(), end, false, out) == end;
}

namespace {

// SLASH = SWS "/" SWS between tokens, for the fast recogniser.
const char* fast_slash(const char* p, const char* end) {
  p = fast::skip_wsp(p, end);
  if (p == end || *p != '/') return nullptr;
  return fast::skip_wsp(p + 1, end);
}

// parse_via's verdict on one via-param (via.cc, apply_via_param): the ones every Via
// carries (branch, rport, an IPv4 received) judged straight from the scan.
bool fast_via_param_ok(const fast::Param& param) {
  switch (param.name.size()) {
    case 6:
      if (fast::name_is(param.name, "branch")) return param.has_value && param.value_is_token;
      break;
    case 5:
      if (fast::name_is(param.name, "rport")) {
        uint32_t port = 0;
        return !param.has_value || parse_bounded_decimal(param.value, 5, 65535, &port);
      }
      break;
    case 8:
      if (fast::name_is(param.name, "received") && param.has_value) {
        const char* v_end = param.value.data() + param.value.size();
        if (fast_scan_dotted_quad(param.value.data(), v_end) == v_end) return true;
      }
      break;
    default:
      break;
  }
  // parse_via's own rules for maddr, ttl and other received values; any other name is a
  // generic via-extension it accepts as it stands.
  for (std::string_view own : {"branch", "received", "maddr", "ttl", "rport"}) {
    if (fast::name_is(param.name, own)) return false;  // not sure: parse_via decides
  }
  return true;
}

// One via-parm from p, as parse_via reads it; returns where it ends (the end or a ','), or
// nullptr when unsure (an IPv6 sent-by among others).
const char* fast_via(const char* p, const char* end) {
  using fast::skip_wsp;
  using fast::span;
  std::string_view host_text;
  HostKind host_kind;
  // protocol-name SLASH protocol-version SLASH transport; "SIP/2.0/" is what all send.
  if (end - p > 8 && std::memcmp(p, "SIP/2.0/", 8) == 0) {
    p = skip_wsp(p + 8, end);
  } else {
    for (int part = 0; part < 2; ++part) {
      const char* t = span(p, end, fast::kToken);
      if (t == p || (p = fast_slash(t, end)) == nullptr) return nullptr;
    }
  }
  const char* transport_end = span(p, end, fast::kToken);
  if (transport_end == p) return nullptr;
  p = transport_end;
  const char* host = skip_wsp(p, end);
  if (host == p) return nullptr;
  p = scan_host(host, end, &host_text, &host_kind);
  if (p == nullptr) return nullptr;
  const char* colon = skip_wsp(p, end);
  if (colon < end && *colon == ':') {
    const char* digits = skip_wsp(colon + 1, end);
    uint32_t port = 0;
    p = digits;
    while (p < end && is_digit(*p) && port <= 65535)
      port = port * 10 + static_cast<uint32_t>(*p++ - '0');
    if (p == digits || port > 65535) return nullptr;
  }
  return fast::header_params(p, end, true, fast_via_param_ok);
}

}  // namespace

bool fast_valid_via_list(std::string_view value) {
  return fast::for_each_list_element(value, fast_via);
}

namespace {

// One name-addr / addr-spec element from p, as parse_name_addr reads it (see fast_path.h);
// returns where it ends (the end, or a ',' when `in_list`), or nullptr when unsure.
const char* fast_name_addr(const char* p, const char* end, NameAddrForm form, bool in_list,
                           bool (*param_ok)(const HeaderParam&)) {
  using fast::skip_wsp;
  using fast::span;
  // display-name: a quoted-string, or *(token LWS), and then '<'.
  const char* q = p;
  if (*p == '"') {
    q = fast::quoted_string(p, end);
    if (q == nullptr) return nullptr;
    q = skip_wsp(q, end);
    if (q == end || *q != '<') return nullptr;
  } else {
    while (true) {
      const char* t = span(q, end, fast::kToken);
      if (t == q) break;
      q = skip_wsp(t, end);
      if (q == t) break;
    }
  }
  if (q < end && *q == '<') {
    UriScratch uri;
    p = scan_sip_uri(q + 1, end, false, &uri);
    if (p == nullptr || p == end || *p != '>') return nullptr;
    ++p;
  } else {
    if (form == NameAddrForm::kNameAddrOnly) return nullptr;
    UriScratch uri;
    p = scan_sip_uri(p, end, true, &uri);
    // The addr-spec's URI text runs to the first ';' or LWS (or the element's end).
    if (p == nullptr) return nullptr;
    if (p < end && *p != ';' && !fast::is(*p, fast::kWsp) && !(in_list && *p == ',')) {
      return nullptr;
    }
  }
  return fast::header_params(p, end, in_list, [param_ok](const fast::Param& param) {
    if (fast::name_is(param.name, "tag") && (!param.has_value || !param.value_is_token)) {
      return false;
    }
    return param_ok == nullptr || param_ok(param);
  });
}

}  // namespace

bool fast_valid_name_addrs(std::string_view value, NameAddrForm form, bool in_list,
                           bool (*param_ok)(const HeaderParam&)) {
  if (!in_list) {
    const char* end = value.data() + value.size();
    const char* p = fast::skip_wsp(value.data(), end);
    return p != end && fast_name_addr(p, end, form, false, param_ok) == end;
  }
  return fast::for_each_list_element(value, [form, param_ok](const char* p, const char* end) {
    return fast_name_addr(p, end, form, true, param_ok);
  });
}

bool fast_valid_cseq(std::string_view value, bool is_request, std::string_view request_method) {
  const char* p = value.data();
  const char* end = p + value.size();
  const char* digits = p;
  uint64_t number = 0;
  while (p < end && is_digit(*p) && number <= 0x7fffffffu) {
    number = number * 10 + static_cast<uint64_t>(*p++ - '0');
  }
  if (p == digits || number > 0x7fffffffu) return false;
  const char* method = fast::skip_wsp(p, end);
  if (method == p) return false;
  p = fast::span(method, end, fast::kToken);
  if (p == method || fast::skip_wsp(p, end) != end) return false;
  return !is_request || std::string_view(method, static_cast<size_t>(p - method)) == request_method;
}

bool fast_valid_token_list(std::string_view value) {
  return fast::for_each_list_element(value, [](const char* p, const char* end) -> const char* {
    const char* t = fast::span(p, end, fast::kToken);
    if (t == p) return nullptr;
    p = fast::skip_wsp(t, end);
    return (p == end || *p == ',') ? p : nullptr;
  });
}

}  // namespace sipedge::sip
