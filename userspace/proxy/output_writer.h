// A bounded writer into a caller-provided buffer: every append checks the room left, and
// once one append does not fit, the output is spoiled for good (finish() reports kTooLarge),
// so a truncated message can never be sent.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "net/endpoint.h"
#include "sip/parse_error.h"
#include "sipedge/expected.h"

namespace sipedge::proxy {

class OutputWriter {
 public:
  explicit OutputWriter(std::span<char> out) : out_(out) {}

  void put(std::string_view s) {
    if (overflow_ || s.size() > out_.size() - len_) {
      overflow_ = true;
      return;
    }
    if (!s.empty()) std::memcpy(out_.data() + len_, s.data(), s.size());
    len_ += s.size();
  }
  void put(char c) { put(std::string_view(&c, 1)); }
  // Decimal digits of v.
  void put_decimal(uint32_t v);
  // 16 lower-case hex digits.
  void put_hex64(uint64_t v);
  // Dotted quad, or RFC 5952 IPv6 text without brackets.
  void put_address(const net::IpAddress& a);
  // "192.0.2.1:5060" or "[2001:db8::1]:5060".
  void put_endpoint(const net::Endpoint& ep);

  size_t size() const { return len_; }
  // What was written so far (to patch a field whose value depends on later bytes).
  std::span<char> written() { return out_.first(len_); }
  bool overflowed() const { return overflow_; }
  // Bytes written, or kTooLarge when anything did not fit.
  Expected<size_t, sip::ParseError> finish() const;

 private:
  std::span<char> out_;
  size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace sipedge::proxy
