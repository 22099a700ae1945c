#include "net/interface_addresses.h"

#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>

namespace sipedge::net {

std::vector<IpAddress> interface_addresses(int family) {
  std::vector<IpAddress> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP)) continue;
    Endpoint ep;
    if (!endpoint_from_sockaddr(i->ifa_addr, &ep) || ep.address.family != family) continue;
    if (family == 6 && ep.address.bytes[0] == 0xfe && (ep.address.bytes[1] & 0xc0) == 0x80)
      continue;
    if (std::find(out.begin(), out.end(), ep.address) == out.end()) out.push_back(ep.address);
  }
  freeifaddrs(list);
  return out;
}

bool is_wildcard(const IpAddress& a) {
  size_t n = a.family == 6 ? 16 : 4;
  return std::all_of(a.bytes.begin(), a.bytes.begin() + static_cast<long>(n),
                     [](uint8_t b) { return b == 0; });
}

}  // namespace sipedge::net
