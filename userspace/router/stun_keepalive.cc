#include "router/stun_keepalive.h"

#include <cstdint>
#include <cstring>

namespace sipedge::router {
namespace {

constexpr uint32_t kMagicCookie = 0x2112A442;
constexpr size_t kHeader = 20;

uint16_t be16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
uint32_t be32(const char* p) { return (static_cast<uint32_t>(be16(p)) << 16) | be16(p + 2); }
void put16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}

}  // namespace

bool is_stun_binding_request(std::string_view d) {
  if (d.size() < kHeader) return false;
  uint16_t length = be16(d.data() + 2);
  // The two top bits of a STUN message are zero, which no SIP start line can begin with.
  return be16(d.data()) == 0x0001 && be32(d.data() + 4) == kMagicCookie && length % 4 == 0 &&
         kHeader + length == d.size();
}

size_t write_stun_binding_response(std::string_view request, const net::Endpoint& source,
                                   std::span<char> out) {
  bool v6 = source.address.family == 6;
  size_t attr_len = v6 ? 20 : 8;
  size_t total = kHeader + 4 + attr_len;
  if (out.size() < total || request.size() < kHeader) return 0;
  char* p = out.data();
  put16(p, 0x0101);  // Binding success response
  put16(p + 2, static_cast<uint16_t>(4 + attr_len));
  std::memcpy(p + 4, request.data() + 4, 16);  // magic cookie + transaction id
  char* a = p + kHeader;
  put16(a, 0x0020);  // XOR-MAPPED-ADDRESS
  put16(a + 2, static_cast<uint16_t>(attr_len));
  a[4] = 0;
  a[5] = v6 ? 0x02 : 0x01;
  put16(a + 6, static_cast<uint16_t>(source.port ^ (kMagicCookie >> 16)));
  // The address is XORed with the cookie (and, for IPv6, the transaction id): bytes 4..19 of
  // the header, in order.
  for (size_t i = 0; i < (v6 ? 16u : 4u); ++i)
    a[8 + i] = static_cast<char>(source.address.bytes[i] ^ static_cast<uint8_t>(p[4 + i]));
  return total;
}

}  // namespace sipedge::router
