#include "policy/network_set.h"

#include <algorithm>
#include <charconv>

#include "net/endpoint.h"

namespace sipedge::policy {

namespace {

using V6 = unsigned __int128;

uint32_t v4_value(const resolve::IpAddress& a) {
  return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) | (uint32_t{a.bytes[2]} << 8) |
         uint32_t{a.bytes[3]};
}

V6 v6_value(const resolve::IpAddress& a) {
  V6 v = 0;
  for (uint8_t b : a.bytes) v = (v << 8) | b;
  return v;
}

// Bits below the prefix length (all ones for /0, zero for a host route).
template <typename A>
A host_mask(unsigned length) {
  constexpr unsigned kBits = sizeof(A) * 8;
  return length == 0 ? ~A{0} : length >= kBits ? A{0} : (~A{0} >> length);
}

bool is_v4_mapped(const resolve::IpAddress& a) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kMapped, kMapped + 12, a.bytes.begin());
}

std::string bad(std::string_view cidr, std::string_view why) {
  std::string s = "bad CIDR \"";
  s.append(cidr).append("\": ").append(why);
  return s;
}

// Adds [first, last] to sorted disjoint `ranges`, merging overlaps and neighbours.
// Returns false when the range was already covered.
template <typename A>
bool insert_range(std::vector<A>& ranges, A r) {
  auto after = std::upper_bound(ranges.begin(), ranges.end(), r.first,
                                [](auto v, const A& x) { return v < x.first; });
  if (after != ranges.begin()) {
    const A& before = *(after - 1);
    if (before.last >= r.last) return false;
  }
  ranges.push_back(r);
  std::sort(ranges.begin(), ranges.end(), [](const A& x, const A& y) { return x.first < y.first; });
  size_t out = 0;
  for (size_t i = 1; i < ranges.size(); ++i) {
    A& cur = ranges[out];
    const A& next = ranges[i];
    // Merge when overlapping or adjacent; cur.last + 1 would overflow at the top only when
    // cur already reaches the end of the space, in which case it covers `next`.
    bool at_top = cur.last == ~decltype(cur.last){0};
    if (at_top || next.first <= cur.last + 1) {
      cur.last = std::max(cur.last, next.last);
    } else {
      ranges[++out] = next;
    }
  }
  ranges.resize(out + 1);
  return true;
}

template <typename A, typename V>
bool range_contains(const std::vector<A>& ranges, V v) {
  auto after = std::upper_bound(ranges.begin(), ranges.end(), v,
                                [](V value, const A& x) { return value < x.first; });
  return after != ranges.begin() && v <= (after - 1)->last;
}

}  // namespace

Expected<NetworkSet::Prefix, std::string> parse_prefix(std::string_view cidr) {
  size_t slash = cidr.find('/');
  std::string_view addr_text = cidr.substr(0, slash);
  NetworkSet::Prefix p;
  if (!net::parse_ip_address(addr_text, &p.network)) {
    return unexpected(bad(cidr, "not a numeric IPv4 or IPv6 address"));
  }
  const unsigned max_len = p.network.family == 4 ? 32 : 128;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view len_text = cidr.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || len_text.size() > 3 || ec != std::errc() ||
        ptr != len_text.data() + len_text.size() || len > max_len) {
      return unexpected(bad(cidr, p.network.family == 4 ? "prefix length must be 0..32"
                                                        : "prefix length must be 0..128"));
    }
  }
  p.length = static_cast<uint8_t>(len);
  bool host_bits = p.network.family == 4 ? (v4_value(p.network) & host_mask<uint32_t>(len)) != 0
                                         : (v6_value(p.network) & host_mask<V6>(len)) != 0;
  if (host_bits) return unexpected(bad(cidr, "host bits set after the prefix length"));
  if (p.network.family == 6 && len >= 96 && is_v4_mapped(p.network)) {
    return unexpected(bad(cidr,
                          "IPv4-mapped IPv6 prefix never matches (sources are normalised to "
                          "IPv4); write the IPv4 network instead"));
  }
  return p;
}

Expected<bool, std::string> NetworkSet::add(std::string_view cidr) {
  auto parsed = parse_prefix(cidr);
  if (!parsed) return unexpected(parsed.error());
  const Prefix& p = *parsed;
  bool grew;
  if (p.network.family == 4) {
    uint32_t first = v4_value(p.network);
    grew = insert_range(v4_, Range<uint32_t>{first, first | host_mask<uint32_t>(p.length)});
  } else {
    V6 first = v6_value(p.network);
    grew = insert_range(v6_, Range<V6>{first, first | host_mask<V6>(p.length)});
  }
  prefixes_.push_back(p);
  return grew;
}

bool NetworkSet::contains(const resolve::IpAddress& address) const {
  if (address.family == 4) return range_contains(v4_, v4_value(address));
  if (address.family == 6) return range_contains(v6_, v6_value(address));
  return false;
}

}  // namespace sipedge::policy
