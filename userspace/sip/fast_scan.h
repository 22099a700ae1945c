// Pointer-walking helpers for the fast recognisers (fast_path.h). Every class below holds
// only printable ASCII and HTAB, so a fold's CR LF, a control byte or UTF-8 always stops a
// scan at a byte the caller does not expect, and the full grammar takes over: LWS, for the
// fast path, is just SP and HTAB. Each class test is one table load.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/value_scanner.h"

namespace sipedge::sip::fast {

enum FastClass : uint16_t {
  kUser = 1 << 0,   // user (RFC 3261 §25.1) less escaped, "," "?" and ";" (see uri.cc)
  kHost = 1 << 1,   // alphanum / "-" / "."
  kParam = 1 << 2,  // paramchar less escaped
  kToken = 1 << 3,  // token
  kGen = 1 << 4,    // token / host, as a gen-value: token plus ":" "[" "]"
  kQText = 1 << 5,  // qdtext less quoted-pair and UTF8-NONASCII: SP, HTAB, %x21-7E but " and \.
  kWsp = 1 << 6,    // SP / HTAB
  kUserOrSemi = 1 << 7,   // kUser plus ";" (a user part may hold ';' outside an addr-spec)
  kGenNotToken = 1 << 8,  // the kGen bytes a token may not hold
  kAlnum = 1 << 9,
  kAlnumDash = 1 << 10,  // what a domain label holds between its first and last byte
  kAlpha = 1 << 11,
};

namespace detail {
constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 0; c < 256; ++c) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum) t[c] |= kUser | kUserOrSemi | kHost | kParam | kToken | kGen | kAlnum | kAlnumDash;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) t[c] |= kAlpha;
    if ((c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') || c == '\t') t[c] |= kQText;
  }
  add("-_.!~*'()", kUser | kUserOrSemi | kParam);  // mark
  add("&=+$/", kUser | kUserOrSemi);               // user-unreserved less "," "?" ";"
  add(";", kUserOrSemi);
  add("-.", kHost);
  add("-", kAlnumDash);
  add("[]/:&+$", kParam);
  add("-.!%*_+`'~", kToken | kGen);
  add(":[]", kGen | kGenNotToken);
  add(" \t", kWsp);
  return t;
}
inline constexpr std::array<uint16_t, 256> kTable = make_table();
}  // namespace detail

inline uint16_t classes(char c) { return detail::kTable[static_cast<unsigned char>(c)]; }

inline bool is(char c, uint16_t cls) {
  return (detail::kTable[static_cast<unsigned char>(c)] & cls) != 0;
}

// The first byte at or after p outside `cls` (or end). Four bytes a step while four remain:
// one branch per step instead of one per byte. (Any common bit in `cls` that all four
// bytes have means all four are in `cls`.)
inline const char* span(const char* p, const char* end, uint16_t cls) {
  while (end - p >= 4 && (classes(p[0]) & classes(p[1]) & classes(p[2]) & classes(p[3]) & cls)) {
    p += 4;
  }
  while (p < end && is(*p, cls)) ++p;
  return p;
}

// SP / HTAB: rare inside the values the fast path sees, so a plain loop.
inline const char* skip_wsp(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  return p;
}

// A quoted-string at p (which holds '"') without quoted-pairs; past its closing quote, or
// nullptr when it holds anything else (the full scanner judges those).
inline const char* quoted_string(const char* p, const char* end) {
  p = span(p + 1, end, kQText);
  return (p < end && *p == '"') ? p + 1 : nullptr;
}

// Case-insensitive match of a token against a lower-case letters-only name, a word at a
// time: OR-ing 0x20 turns A-Z into a-z, and no other byte into a letter.
inline bool name_is(std::string_view token, std::string_view lower) {
  const size_t n = lower.size();
  if (token.size() != n) return false;
  const char* t = token.data();
  const char* l = lower.data();
  if (n >= 4 && n <= 8) {  // two overlapping 4-byte words
    uint32_t t0, t1, l0, l1;
    std::memcpy(&t0, t, 4);
    std::memcpy(&t1, t + n - 4, 4);
    std::memcpy(&l0, l, 4);
    std::memcpy(&l1, l + n - 4, 4);
    return ((t0 | 0x20202020u) == l0) & ((t1 | 0x20202020u) == l1);
  }
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<char>(t[i] | 0x20) != l[i]) return false;
  }
  return true;
}

// A header parameter as the fast scan sees it: also whether its value is a token, found
// during the same pass (a gen-value is token / host / quoted-string).
struct Param : HeaderParam {
  bool value_is_token = false;
};

// `*( SEMI generic-param )` (RFC 3261 §25.1) at p, as parse_header_params reads it, up to the
// end of the value or, when `in_list`, a top-level ','. `on_param(const Param&)` judges
// each parameter. Returns where the element ends (end, or the ','), or nullptr when unsure.
template <typename OnParam>
const char* header_params(const char* p, const char* end, bool in_list, OnParam&& on_param) {
  while (true) {
    p = skip_wsp(p, end);
    if (p == end) return p;
    if (*p == ',') return in_list ? p : nullptr;
    if (*p != ';') return nullptr;
    p = skip_wsp(p + 1, end);
    const char* name_end = span(p, end, kToken);
    if (name_end == p) return nullptr;
    Param param;
    param.name = std::string_view(p, static_cast<size_t>(name_end - p));
    p = name_end;
    const char* q = skip_wsp(p, end);
    if (q < end && *q == '=') {
      q = skip_wsp(q + 1, end);
      const char* v_end = q;
      if (q < end && *q == '"') {
        v_end = quoted_string(q, end);
        if (v_end == nullptr) return nullptr;
      } else {
        // token / host: mostly a token, so a token run first and the host bytes after it.
        v_end = span(q, end, kToken);
        param.value_is_token = v_end == end || !is(*v_end, kGenNotToken);
        if (!param.value_is_token) v_end = span(v_end, end, kGen);
        if (v_end == q) return nullptr;
      }
      param.value = std::string_view(q, static_cast<size_t>(v_end - q));
      param.has_value = true;
      p = v_end;
    }
    if (!on_param(param)) return nullptr;
  }
}

// Walks a comma-separated value element by element: `element(p)` parses one element from p
// and returns where it stopped (end or a ','), or nullptr when unsure. Accepts only a
// non-empty list without empty elements, as the validator's list rule does.
template <typename Element>
bool for_each_list_element(std::string_view value, Element&& element) {
  const char* p = value.data();
  const char* end = p + value.size();
  while (true) {
    p = skip_wsp(p, end);
    if (p == end || *p == ',') return false;  // empty element: the full rule names it
    p = element(p, end);
    if (p == nullptr) return false;
    if (p == end) return true;
    ++p;  // the ','
  }
}

}  // namespace sipedge::sip::fast
