#include "trust/branch_mac.h"

#include <sodium.h>

#include <cstring>

#include "trust/edge_secret.h"

namespace sipedge::trust {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The 12 bytes of the MAC (the first 96 bits of the outer SipHash-128).
void mac_bytes(const BranchKey& key, uint64_t flow, uint64_t loop, std::string_view via,
               unsigned char out[16]) {
  static_assert(crypto_shorthash_siphashx24_BYTES == 16);
  static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16);
  unsigned char outer_in[1 + 8 + 8 + 16];
  outer_in[0] = 1;  // version of this layout
  std::memcpy(outer_in + 1, &flow, 8);
  std::memcpy(outer_in + 9, &loop, 8);
  crypto_shorthash_siphashx24(outer_in + 17, reinterpret_cast<const unsigned char*>(via.data()),
                              via.size(), key.inner.data());
  crypto_shorthash_siphashx24(out, outer_in, sizeof(outer_in), key.outer.data());
}

}  // namespace

BranchKey BranchKey::from(const EdgeSecret& secret) {
  BranchKey k;
  k.inner = secret.derive("sipedge via branch inner v1");
  k.outer = secret.derive("sipedge via branch outer v1");
  return k;
}

void branch_mac(const BranchKey& key, uint64_t flow, uint64_t loop, std::string_view via,
                std::span<char, kBranchMacHex> out) {
  unsigned char m[16];
  mac_bytes(key, flow, loop, via, m);
  for (size_t i = 0; i < kBranchMacHex / 2; ++i) {
    out[2 * i] = kHex[m[i] >> 4];
    out[2 * i + 1] = kHex[m[i] & 0xf];
  }
}

bool branch_mac_matches(const BranchKey& key, uint64_t flow, uint64_t loop, std::string_view via,
                        std::string_view mac) {
  if (mac.size() != kBranchMacHex) return false;
  char expected[kBranchMacHex];
  branch_mac(key, flow, loop, via, std::span<char, kBranchMacHex>(expected, kBranchMacHex));
  return sodium_memcmp(expected, mac.data(), kBranchMacHex) == 0;
}

}  // namespace sipedge::trust
