#include "sip/auth_headers.h"

#include "sip/char_class.h"
#include "sip/uri.h"
#include "sip/value_scanner.h"

namespace sipedge::sip {
namespace {

enum class Role : uint8_t { kCredentials, kChallenge, kInfo };

constexpr size_t kMaxParams = 64;  // far beyond any real header; bounds the duplicate check
constexpr size_t kAnyLength = static_cast<size_t>(-1);

bool is_quoted(std::string_view v) { return v.size() >= 2 && v.front() == '"'; }
std::string_view unquote(std::string_view v) { return v.substr(1, v.size() - 2); }

// n LHEX (DIGIT / %x61-66: lower case only), or any number when n is kAnyLength.
bool is_lhex(std::string_view s, size_t n) {
  if (n != kAnyLength && s.size() != n) return false;
  for (char c : s) {
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// abs-path = "/" path-segments (RFC 2396), checked as uric characters and %HH escapes.
bool is_abs_path(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!has_class(s[i], kUric)) {
      return false;
    }
  }
  return true;
}

bool is_uri_or_abs_path(std::string_view s) {
  if (!s.empty() && s.front() == '/') return is_abs_path(s);
  return parse_uri(s, "uri").has_value();
}

// domain-value = URI *( 1*SP URI ), between the quotes of `domain`.
bool is_domain_list(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t sp = s.find(' ', start);
    std::string_view uri = s.substr(start, sp == std::string_view::npos ? s.npos : sp - start);
    if (!is_uri_or_abs_path(uri)) return false;
    if (sp == std::string_view::npos) return true;
    start = sp;
    while (start < s.size() && s[start] == ' ') ++start;
    if (start == s.size()) return false;
  }
}

// qop-value *( "," qop-value ), between the quotes of a challenge's qop.
bool is_qop_options(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    if (!is_token(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start))) {
      return false;
    }
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

// Hex digits a response of this algorithm has (RFC 8760 §2.7); any for unknown tokens.
size_t digest_hex_length(std::string_view algorithm) {
  if (algorithm.empty() || iequals(algorithm, "MD5") || iequals(algorithm, "MD5-sess")) return 32;
  if (iequals(algorithm, "SHA-256") || iequals(algorithm, "SHA-256-sess") ||
      iequals(algorithm, "SHA-512-256") || iequals(algorithm, "SHA-512-256-sess")) {
    return 64;
  }
  return kAnyLength;
}

// Checks one Digest directive against its rule for `role` and records it; false on a fault.
bool apply_digest_param(Role role, std::string_view name, std::string_view value, DigestParams* d) {
  auto quoted_into = [&](std::string_view* slot) {
    *slot = value;
    return is_quoted(value);
  };
  auto token_into = [&](std::string_view* slot) {
    *slot = value;
    return !is_quoted(value);
  };
  auto nc_into = [&]() {
    d->nc = value;
    return is_lhex(value, 8);
  };
  if (iequals(name, "cnonce")) return role != Role::kChallenge ? quoted_into(&d->cnonce) : true;
  if (iequals(name, "nc")) return role != Role::kChallenge ? nc_into() : true;
  if (iequals(name, "qop")) {
    if (role != Role::kChallenge) return token_into(&d->qop);
    d->qop = value;
    return is_quoted(value) && is_qop_options(unquote(value));
  }
  if (role == Role::kInfo) {
    if (iequals(name, "nextnonce")) return quoted_into(&d->nextnonce);
    if (iequals(name, "rspauth")) {
      d->rspauth = value;
      return is_quoted(value) && is_lhex(unquote(value), kAnyLength);
    }
    return false;  // ainfo has no extension parameters
  }
  if (iequals(name, "realm")) return quoted_into(&d->realm);
  if (iequals(name, "nonce")) return quoted_into(&d->nonce);
  if (iequals(name, "opaque")) return quoted_into(&d->opaque);
  if (iequals(name, "algorithm")) return token_into(&d->algorithm);
  if (role == Role::kCredentials) {
    if (iequals(name, "username")) return quoted_into(&d->username);
    if (iequals(name, "uri")) {
      d->uri = value;
      return is_quoted(value) && is_uri_or_abs_path(unquote(value));
    }
    if (iequals(name, "response")) {
      d->response = value;
      return is_quoted(value) && is_lhex(unquote(value), kAnyLength);
    }
    return true;
  }
  if (iequals(name, "domain")) {
    d->domain = value;
    return is_quoted(value) && is_domain_list(unquote(value));
  }
  if (iequals(name, "stale")) {
    d->stale = value;
    return iequals(value, "true") || iequals(value, "false");
  }
  return true;
}

// auth-param = auth-param-name EQUAL ( token / quoted-string ), at the cursor.
bool take_auth_param(ValueCursor* c, std::string_view* name, std::string_view* value) {
  c->skip_lws();
  *name = c->take_token();
  if (name->empty()) return false;
  c->skip_lws();
  if (!c->consume('=')) return false;
  c->skip_lws();
  if (c->peek() == '"') return c->take_quoted_string(value);
  *value = c->take_token();
  return !value->empty();
}

// Parses `param *( COMMA param )` to the end of `list`, checking Digest directives when
// `digest` is set and rejecting a repeated parameter name. Returns the fault, or nullptr.
const char* parse_param_list(std::string_view list, Role role, bool digest, DigestParams* d) {
  ValueCursor c(list);
  std::string_view seen[kMaxParams];
  size_t count = 0;
  while (true) {
    std::string_view name, value;
    if (!take_auth_param(&c, &name, &value))
      return "bad auth-param (name EQUAL token / quoted-string)";
    for (size_t i = 0; i < count; ++i) {
      if (iequals(seen[i], name)) return "parameter repeated";
    }
    if (count == kMaxParams) return "too many parameters";
    seen[count++] = name;
    if (digest && !apply_digest_param(role, name, value, d)) return "bad Digest parameter value";
    c.skip_lws();
    if (c.at_end()) return nullptr;
    if (!c.consume(',')) return "expected ',' between parameters";
  }
}

Expected<AuthValue, ParseError> parse_scheme_and_params(std::string_view value,
                                                        std::string_view where, Role role) {
  auto fail = [where](const char* what) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, what));
  };
  AuthValue out;
  ValueCursor c(value);
  c.skip_lws();
  out.scheme = c.take_token();
  if (out.scheme.empty()) return fail("missing auth-scheme");
  if (!c.skip_lws()) return fail("auth-scheme not followed by whitespace and parameters");
  out.params = c.rest();
  out.is_digest = iequals(out.scheme, "Digest");
  if (const char* fault = parse_param_list(out.params, role, out.is_digest, &out.digest)) {
    return fail(fault);
  }
  if (out.is_digest && role == Role::kCredentials && !out.digest.response.empty()) {
    size_t want = digest_hex_length(out.digest.algorithm);
    if (want != kAnyLength && unquote(out.digest.response).size() != want) {
      return fail("response length does not match the digest algorithm");
    }
  }
  return out;
}

}  // namespace

Expected<AuthValue, ParseError> parse_credentials(std::string_view value, std::string_view where) {
  return parse_scheme_and_params(value, where, Role::kCredentials);
}

Expected<AuthValue, ParseError> parse_challenge(std::string_view value, std::string_view where) {
  return parse_scheme_and_params(value, where, Role::kChallenge);
}

Expected<DigestParams, ParseError> parse_authentication_info(std::string_view value,
                                                             std::string_view where) {
  DigestParams d;
  if (const char* fault = parse_param_list(value, Role::kInfo, true, &d)) {
    return unexpected(make_error(ParseErrorCode::kBadHeader, where, fault));
  }
  return d;
}

}  // namespace sipedge::sip
