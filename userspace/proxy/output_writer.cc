#include "proxy/output_writer.h"

#include <arpa/inet.h>

#include <charconv>

namespace sipedge::proxy {

void OutputWriter::put_decimal(uint32_t v) {
  char buf[10];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  put(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

void OutputWriter::put_hex64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[16];
  for (int i = 15; i >= 0; --i) {
    buf[i] = kDigits[v & 0xf];
    v >>= 4;
  }
  put(std::string_view(buf, sizeof(buf)));
}

void OutputWriter::put_address(const net::IpAddress& a) {
  if (a.family == 4) {
    // Every forwarded request writes one or two of these: inet_ntop would go through
    // sprintf, which costs more than the rest of the Via.
    for (int i = 0; i < 4; ++i) {
      if (i) put('.');
      put_decimal(a.bytes[static_cast<size_t>(i)]);
    }
    return;
  }
  char buf[INET6_ADDRSTRLEN];
  const int family = a.family == 6 ? AF_INET6 : AF_INET;
  if (inet_ntop(family, a.bytes.data(), buf, sizeof(buf)) == nullptr) {
    overflow_ = true;  // cannot happen for a well-formed IpAddress; never emit a half address
    return;
  }
  put(std::string_view(buf));
}

void OutputWriter::put_endpoint(const net::Endpoint& ep) {
  if (ep.address.family == 6) {
    put('[');
    put_address(ep.address);
    put(']');
  } else {
    put_address(ep.address);
  }
  put(':');
  put_decimal(ep.port);
}

Expected<size_t, sip::ParseError> OutputWriter::finish() const {
  if (overflow_) {
    return unexpected(sip::make_error(sip::ParseErrorCode::kTooLarge, "output",
                                      "does not fit in the output buffer"));
  }
  return len_;
}

}  // namespace sipedge::proxy
