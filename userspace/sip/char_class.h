// Character classes of the RFC 3261 §25.1 grammar, as constexpr table lookups so the
// hot scanning loops cost one load per byte.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sipedge::sip {

enum CharClass : uint16_t {
  kAlnum = 1 << 0,
  kToken = 1 << 1,       // token (RFC 3261 §25.1)
  kUnreserved = 1 << 2,  // alphanum / mark
  kUserUnreserved = 1 << 3,
  kPasswordExtra = 1 << 4,  // "&" / "=" / "+" / "$" / ","
  kParamUnreserved = 1 << 5,
  kHnvUnreserved = 1 << 6,
  kWordExtra = 1 << 7,  // word (Call-ID) beyond token
  kHex = 1 << 8,
  kDigit = 1 << 9,
  kUric = 1 << 10,        // RFC 2396 uric: reserved / unreserved (escaped handled apart)
  kSchemeChar = 1 << 11,  // ALPHA / DIGIT / "+" / "-" / "."
  kHostChar = 1 << 12,    // alphanum / "-" / "." (hostname)
  kWsp = 1 << 13,         // SP / HTAB
  kLwsChar = 1 << 14,     // SP / HTAB / CR / LF (a fold kept raw inside a value)
};

namespace detail {
constexpr std::array<uint16_t, 256> make_char_table() {
  std::array<uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = '0'; c <= '9'; ++c) t[c] |= kAlnum | kDigit | kHex;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlnum;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlnum;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
  for (int c = 0; c < 256; ++c) {
    if (t[c] & kAlnum) t[c] |= kToken | kUnreserved | kWordExtra | kUric | kSchemeChar | kHostChar;
  }
  add("-.!%*_+`'~", kToken);
  add("-_.!~*'()", kUnreserved | kUric);
  add("&=+$,;?/", kUserUnreserved);
  add("&=+$,", kPasswordExtra);
  add("[]/:&+$", kParamUnreserved);
  add("[]/?:+$", kHnvUnreserved);
  add("-.!%*_+`'~()<>:\\\"/[]?{}", kWordExtra);
  add(";/?:@&=+$,", kUric);
  add("+-.", kSchemeChar);
  add("-.", kHostChar);
  add(" \t", kWsp | kLwsChar);
  add("\r\n", kLwsChar);
  return t;
}
inline constexpr std::array<uint16_t, 256> kCharTable = make_char_table();
}  // namespace detail

inline bool has_class(char c, uint16_t cls) {
  return (detail::kCharTable[static_cast<unsigned char>(c)] & cls) != 0;
}
// The first byte at or after p outside `cls` (or end): four bytes a step with one bound
// check, returning from the byte that stops it (for the short runs of header fields).
inline const char* span_class(const char* p, const char* end, uint16_t cls) {
  while (end - p >= 4) {
    if (!has_class(p[0], cls)) return p;
    if (!has_class(p[1], cls)) return p + 1;
    if (!has_class(p[2], cls)) return p + 2;
    if (!has_class(p[3], cls)) return p + 3;
    p += 4;
  }
  while (p < end && has_class(*p, cls)) ++p;
  return p;
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool is_token_char(char c) { return has_class(c, kToken); }
inline bool is_hex(char c) { return has_class(c, kHex); }
// SP or HTAB: the whitespace allowed inside a (possibly folded) header value.
inline bool is_wsp(char c) { return has_class(c, kWsp); }
// Whitespace inside a header value view, where a fold (CRLF + WSP) stays as raw bytes.
inline bool is_lws(char c) { return has_class(c, kLwsChar); }

namespace detail {
constexpr std::array<char, 256> make_lower_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? (c | 0x20) : c);
  }
  return t;
}
inline constexpr std::array<char, 256> kLowerTable = make_lower_table();
}  // namespace detail

inline char ascii_lower(char c) { return detail::kLowerTable[static_cast<unsigned char>(c)]; }

// Case-insensitive ASCII comparison.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Strips leading and trailing LWS (SP, HTAB and the CR LF of folds).
inline std::string_view trim_lws(std::string_view v) {
  while (!v.empty() && is_lws(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_lws(v.back())) v.remove_suffix(1);
  return v;
}

// 1*`max_digits` DIGIT (max_digits <= 9) whose value is at most `max`: ports, ttl, rport.
inline bool parse_bounded_decimal(std::string_view s, size_t max_digits, uint32_t max,
                                  uint32_t* out) {
  if (s.empty() || s.size() > max_digits) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

// True when every byte of s is a token character and s is not empty.
inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

}  // namespace sipedge::sip
