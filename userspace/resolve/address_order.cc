#include "resolve/address_order.h"

namespace sipedge::resolve {

std::vector<IpAddress> order_addresses(const std::vector<IpAddress>& v6,
                                       const std::vector<IpAddress>& v4, FamilyPreference pref) {
  std::vector<IpAddress> out;
  out.reserve(v6.size() + v4.size());
  switch (pref) {
    case FamilyPreference::kIpv6First:
      out.insert(out.end(), v6.begin(), v6.end());
      out.insert(out.end(), v4.begin(), v4.end());
      break;
    case FamilyPreference::kIpv4First:
      out.insert(out.end(), v4.begin(), v4.end());
      out.insert(out.end(), v6.begin(), v6.end());
      break;
    case FamilyPreference::kInterleave:
      for (size_t i = 0; i < v6.size() || i < v4.size(); ++i) {
        if (i < v6.size()) out.push_back(v6[i]);
        if (i < v4.size()) out.push_back(v4[i]);
      }
      break;
  }
  return out;
}

}  // namespace sipedge::resolve
