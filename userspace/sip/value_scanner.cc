#include "sip/value_scanner.h"

#include <cstdint>

#include "sip/char_class.h"
#include "sip/text_utf8.h"

namespace sipedge::sip {

bool ValueCursor::skip_lws() {
  size_t start = pos_;
  while (pos_ < v_.size() && is_lws(v_[pos_])) ++pos_;
  return pos_ != start;
}

bool ValueCursor::consume(char c) {
  if (pos_ < v_.size() && v_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

std::string_view ValueCursor::take_token() {
  size_t start = pos_;
  while (pos_ < v_.size() && is_token_char(v_[pos_])) ++pos_;
  return v_.substr(start, pos_ - start);
}

bool ValueCursor::take_quoted_string(std::string_view* out) {
  size_t start = pos_;
  if (!consume('"')) return false;
  while (pos_ < v_.size()) {
    auto c = static_cast<unsigned char>(v_[pos_]);
    if (c == '"') {
      ++pos_;
      *out = v_.substr(start, pos_ - start);
      return true;
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (pos_ + 1 >= v_.size()) break;
      auto e = static_cast<unsigned char>(v_[pos_ + 1]);
      if (e == 0x0a || e == 0x0d || e > 0x7f) break;
      pos_ += 2;
      continue;
    }
    // qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII (no stray UTF8-CONT)
    if (c >= 0x80) {
      size_t n = utf8_nonascii_length(v_, pos_);
      if (n == 0) break;
      pos_ += n;
      continue;
    }
    if (c < 0x20 && !is_lws(static_cast<char>(c))) break;
    if (c == 0x7f) break;
    ++pos_;
  }
  pos_ = start;
  return false;
}

bool ValueCursor::take_number(uint64_t max, uint64_t* value, bool* overflow) {
  size_t start = pos_;
  uint64_t v = 0;
  *overflow = false;
  while (pos_ < v_.size() && is_digit(v_[pos_])) {
    if (!*overflow) {
      v = v * 10 + static_cast<uint64_t>(v_[pos_] - '0');
      if (v > max) *overflow = true;
    }
    ++pos_;
  }
  *value = v;
  return pos_ != start;
}

bool next_list_element(std::string_view* rest, std::string_view* element, bool* error) {
  *error = false;
  std::string_view v = *rest;
  if (v.empty()) return false;
  bool in_quote = false;
  int angle = 0;
  size_t i = 0;
  for (; i < v.size(); ++i) {
    char c = v[i];
    if (in_quote) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quote = false;
      }
      continue;
    }
    if (c == '"') {
      in_quote = true;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (--angle < 0) {
        *error = true;
        return false;
      }
    } else if (c == ',' && angle == 0) {
      break;
    }
  }
  if (in_quote || angle != 0) {
    *error = true;
    return false;
  }
  *element = trim_lws(v.substr(0, i));
  if (i >= v.size()) {
    *rest = {};
  } else {
    rest->remove_prefix(i + 1);
    // A trailing comma leaves an empty element behind it.
    if (rest->empty()) *rest = std::string_view(" ");
  }
  return true;
}

bool take_header_param(ValueCursor* c, HeaderParam* p) {
  c->skip_lws();
  p->name = c->take_token();
  if (p->name.empty()) return false;
  size_t before = c->pos();
  c->skip_lws();
  if (c->consume('=')) {
    c->skip_lws();
    if (!take_gen_value(c, &p->value)) return false;
    p->has_value = true;
  } else {
    c->set_pos(before);
    p->value = {};
    p->has_value = false;
  }
  return true;
}

std::string_view param_list_body(std::string_view raw) {
  while (!raw.empty() && is_lws(raw.front())) raw.remove_prefix(1);
  if (!raw.empty() && raw.front() == ';') raw.remove_prefix(1);
  return raw;
}

bool take_gen_value(ValueCursor* c, std::string_view* out) {
  if (c->peek() == '"') return c->take_quoted_string(out);
  size_t start = c->pos();
  // token / host: token characters plus the ':' '[' ']' of an IPv6 reference.
  while (!c->at_end()) {
    char ch = c->peek();
    if (!is_token_char(ch) && ch != ':' && ch != '[' && ch != ']') break;
    c->set_pos(c->pos() + 1);
  }
  *out = c->slice(start, c->pos());
  return !out->empty();
}

}  // namespace sipedge::sip
