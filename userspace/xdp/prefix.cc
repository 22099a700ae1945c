#include "xdp/prefix.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sipedge::xdp {
namespace {

void MaskTo(unsigned char* addr, unsigned bytes, unsigned prefixlen) {
  for (unsigned i = 0; i < bytes; ++i) {
    unsigned bits = prefixlen > i * 8 ? prefixlen - i * 8 : 0;
    if (bits >= 8) continue;
    addr[i] &= static_cast<unsigned char>(0xff00u >> bits);
  }
}

}  // namespace

Result<Prefix> ParsePrefix(std::string_view text) {
  auto bad = [&] { return sipedge::unexpected("bad prefix: " + std::string(text)); };
  std::string addr(text.substr(0, text.find('/')));
  Prefix p;
  unsigned max_len;
  if (inet_pton(AF_INET, addr.c_str(), p.v4.addr) == 1) {
    p.family = 4;
    max_len = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), p.v6.addr) == 1) {
    p.family = 6;
    max_len = 128;
  } else {
    return bad();
  }
  unsigned len = max_len;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        len > max_len)
      return bad();
  }
  if (p.family == 4) {
    p.v4.prefixlen = len;
    MaskTo(p.v4.addr, 4, len);
  } else {
    p.v6.prefixlen = len;
    MaskTo(p.v6.addr, 16, len);
  }
  return p;
}

std::string FormatPrefix(const sipedge_lpm4_key& key) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, key.addr, buf, sizeof(buf));
  return std::string(buf) + "/" + std::to_string(key.prefixlen);
}

std::string FormatPrefix(const sipedge_lpm6_key& key) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, key.addr, buf, sizeof(buf));
  return std::string(buf) + "/" + std::to_string(key.prefixlen);
}

}  // namespace sipedge::xdp
