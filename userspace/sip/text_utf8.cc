#include "sip/text_utf8.h"

#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip/char_class.h"

namespace sipedge::sip {
namespace {

bool is_ascii_text(unsigned char c) { return c >= 0x21 && c <= 0x7e; }

// reserved / unreserved (RFC 3261 §25.1) as one table.
constexpr std::array<bool, 256> make_reason_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view(";/?:@&=+$,-_.!~*'() \t")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kReasonChar = make_reason_table();

}  // namespace

size_t utf8_nonascii_length(std::string_view s, size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  size_t conts;
  if (lead >= 0xc0 && lead <= 0xdf) {
    conts = 1;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    conts = 2;
  } else if (lead >= 0xf0 && lead <= 0xf7) {
    conts = 3;
  } else if (lead >= 0xf8 && lead <= 0xfb) {
    conts = 4;
  } else if (lead >= 0xfc && lead <= 0xfd) {
    conts = 5;
  } else {
    return 0;
  }
  if (s.size() - i <= conts) return 0;
  for (size_t k = 1; k <= conts; ++k) {
    if (!is_utf8_cont(s[i + k])) return 0;
  }
  return conts + 1;
}

bool valid_header_value_bytes(std::string_view v) {
  bool in_quote = false;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '"') {
        in_quote = !in_quote;
      } else if (in_quote && c == '\\' && i + 1 < v.size()) {
        // quoted-pair = "\" ( %x00-09 / %x0B-0C / %x0E-7F )
        auto e = static_cast<unsigned char>(v[i + 1]);
        if (e == '\n' || e == '\r' || e > 0x7f) return false;
        ++i;
      }
      continue;
    }
    if (c == '\t') continue;
    if (c == '\r' && i + 2 < v.size() && v[i + 1] == '\n' && is_wsp(v[i + 2])) {
      i += 2;
      continue;
    }
    if (c >= 0x80) {
      if (is_utf8_cont(v[i])) continue;
      size_t n = utf8_nonascii_length(v, i);
      if (n == 0) return false;
      i += n - 1;
      continue;
    }
    return false;
  }
  return true;
}

bool plain_ascii_value(std::string_view v) {
  const char* p = v.data();
  const size_t n = v.size();
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i del = _mm_set1_epi8(0x7f);
    const __m128i tab = _mm_set1_epi8('\t');
    // Chunks at 0, 16, ... and a last one ending at n (overlapping the one before).
    for (size_t off = 0;; off += 16) {
      const bool last = off + 16 >= n;
      if (last) off = n - 16;
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + off));
      // Signed compare: 0x80-0xFF are negative, so "< 0x20" catches them with the controls
      // (and with the CR LF of a fold, which the full rule judges).
      __m128i odd = _mm_or_si128(_mm_cmpgt_epi8(space, x), _mm_cmpeq_epi8(x, del));
      odd = _mm_andnot_si128(_mm_cmpeq_epi8(x, tab), odd);
      if (_mm_movemask_epi8(odd) != 0) return false;
      if (last) return true;
    }
  }
#endif
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
  }
  return true;
}

bool valid_text_utf8_trim(std::string_view v, bool allow_empty) {
  if (v.empty()) return allow_empty;
  if (is_lws(v.front()) || is_lws(v.back())) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (is_ascii_text(c) || c == ' ' || c == '\t') continue;
    if (c == '\r' && i + 2 < v.size() && v[i + 1] == '\n' && is_wsp(v[i + 2])) {
      i += 2;
      continue;
    }
    size_t n = c >= 0x80 ? utf8_nonascii_length(v, i) : 0;
    if (n == 0) return false;
    i += n - 1;
  }
  return true;
}

bool valid_reason_phrase(std::string_view v) {
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (kReasonChar[c]) continue;
    if (c == '%') {
      if (i + 2 >= v.size() || !is_hex(v[i + 1]) || !is_hex(v[i + 2])) return false;
      i += 2;
      continue;
    }
    if (c < 0x80) return false;
    if (is_utf8_cont(v[i])) continue;
    size_t n = utf8_nonascii_length(v, i);
    if (n == 0) return false;
    i += n - 1;
  }
  return true;
}

bool take_comment(std::string_view v, size_t* pos) {
  size_t i = *pos;
  if (i >= v.size() || v[i] != '(') return false;
  int depth = 0;
  for (; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) {
        *pos = i + 1;
        return true;
      }
    } else if (c == '\\') {
      if (i + 1 >= v.size()) return false;
      auto e = static_cast<unsigned char>(v[i + 1]);
      if (e == '\n' || e == '\r' || e > 0x7f) return false;
      ++i;
    } else if (c >= 0x80) {
      size_t n = utf8_nonascii_length(v, i);
      if (n == 0) return false;  // ctext admits UTF8-NONASCII, not a stray UTF8-CONT
      i += n - 1;
    } else if (c == '\r') {
      if (i + 2 >= v.size() || v[i + 1] != '\n' || !is_wsp(v[i + 2])) return false;
      i += 2;
    } else if (c < 0x20 && c != '\t') {
      return false;
    } else if (c == 0x7f) {
      return false;
    }
  }
  return false;
}

}  // namespace sipedge::sip
