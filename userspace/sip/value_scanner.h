// Low-level scanning of header values: LWS (folds are raw CRLF+WSP inside a value), quoted
// strings, comma-separated lists that respect quotes and angle brackets, and ;parameters.
#pragma once

#include <string_view>

namespace sipedge::sip {

// A generic `;name[=value]` header parameter (RFC 3261 generic-param).
struct HeaderParam {
  std::string_view name;
  std::string_view value;  // raw: quoted strings keep their quotes
  bool has_value = false;
};

class ValueCursor {
 public:
  explicit ValueCursor(std::string_view v) : v_(v) {}

  bool at_end() const { return pos_ >= v_.size(); }
  char peek() const { return at_end() ? '\0' : v_[pos_]; }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  std::string_view rest() const { return v_.substr(pos_ < v_.size() ? pos_ : v_.size()); }
  std::string_view slice(size_t from, size_t to) const { return v_.substr(from, to - from); }

  // Skips SP, HTAB and folds; returns true when anything was skipped.
  bool skip_lws();
  // Consumes `c` if it is next; no whitespace is skipped.
  bool consume(char c);
  // Consumes 1*token characters; empty view when none.
  std::string_view take_token();
  // Consumes a quoted-string (RFC 3261 §25.1, incl. quoted-pair); the view keeps the quotes.
  // False when the next byte is not '"', the string is not closed, or it holds a bare CTL.
  bool take_quoted_string(std::string_view* out);
  // Consumes 1*DIGIT; false when none. Sets *overflow when the value exceeds `max`.
  bool take_number(uint64_t max, uint64_t* value, bool* overflow);

 private:
  std::string_view v_;
  size_t pos_ = 0;
};

// Splits off the next element of a comma-separated header value, honouring quoted strings
// and <...>. Returns false at the end. *error is set (and false returned) on an unbalanced
// quote or bracket; an empty element between commas is returned as an empty view.
bool next_list_element(std::string_view* rest, std::string_view* element, bool* error);

// Parses `*( SEMI generic-param )` from the cursor to the end of the element; each
// parameter is passed to `on_param` (which returns false to reject it). Returns false on
// a grammar fault (empty parameter, bad name or value).
// The raw text of a `*( SEMI generic-param )` run as stored in NameAddr::params and
// Via::params: without its leading LWS and first ';'.
std::string_view param_list_body(std::string_view raw);

// gen-value = token / host / quoted-string (RFC 3261 §25.1).
bool take_gen_value(ValueCursor* c, std::string_view* out);

// Consumes one `name [ EQUAL gen-value ]` at the cursor (after its ';').
bool take_header_param(ValueCursor* c, HeaderParam* p);

template <typename OnParam>
bool parse_header_params(ValueCursor* c, OnParam&& on_param) {
  while (true) {
    c->skip_lws();
    if (c->at_end()) return true;
    if (!c->consume(';')) return false;
    HeaderParam p;
    if (!take_header_param(c, &p) || !on_param(p)) return false;
  }
}

// Walks a parameter list stored without its leading ';' (NameAddr::params, Via::params).
template <typename OnParam>
bool for_each_header_param(std::string_view params, OnParam&& on_param) {
  if (params.empty()) return true;
  ValueCursor c(params);
  HeaderParam p;
  if (!take_header_param(&c, &p) || !on_param(p)) return false;
  return parse_header_params(&c, on_param);
}

}  // namespace sipedge::sip
