#include "trust/branch_mac.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>

#include "trust/edge_secret.h"

namespace sipedge::trust {
namespace {

BranchKey key(std::string_view secret = "the branch MAC test secret, 32+ bytes") {
  return BranchKey::from(*EdgeSecret::from_bytes(secret));
}

std::string mac(const BranchKey& k, uint64_t flow, uint64_t loop, std::string_view via) {
  char out[kBranchMacHex];
  branch_mac(k, flow, loop, via, std::span<char, kBranchMacHex>(out, kBranchMacHex));
  return std::string(out, sizeof(out));
}

// SipHash-2-4 with 128-bit output as OpenSSL computes it: the library we use (libsodium) must
// agree with another implementation of the same function.
std::string openssl_siphash128(const std::array<uint8_t, 16>& k, const void* data, size_t n) {
  EVP_MAC* m = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  EVP_MAC_CTX* c = EVP_MAC_CTX_new(m);
  size_t size = 16;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                         OSSL_PARAM_construct_end()};
  EXPECT_EQ(EVP_MAC_init(c, k.data(), k.size(), params), 1);
  EXPECT_EQ(EVP_MAC_update(c, static_cast<const unsigned char*>(data), n), 1);
  unsigned char out[16];
  size_t len = 0;
  EXPECT_EQ(EVP_MAC_final(c, out, &len, sizeof(out)), 1);
  EVP_MAC_CTX_free(c);
  EVP_MAC_free(m);
  return std::string(reinterpret_cast<char*>(out), len);
}

TEST(BranchMac, IsTheNestedSipHash128OfItsInputs) {
  BranchKey k = key();
  const std::string via =
      "SIP/2.0/UDP 203.0.113.5:5061;branch=z9hG4bK-1;rport=5061;received=1.2.3.4";
  const uint64_t flow = 0x2010000007000003ULL, loop = 0x0123456789abcdefULL;
  std::string inner = openssl_siphash128(k.inner, via.data(), via.size());
  unsigned char outer_in[33];
  outer_in[0] = 1;
  std::memcpy(outer_in + 1, &flow, 8);
  std::memcpy(outer_in + 9, &loop, 8);
  std::memcpy(outer_in + 17, inner.data(), 16);
  std::string outer = openssl_siphash128(k.outer, outer_in, sizeof(outer_in));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < 12; ++i) {
    hex += kHex[static_cast<unsigned char>(outer[i]) >> 4];
    hex += kHex[static_cast<unsigned char>(outer[i]) & 0xf];
  }
  EXPECT_EQ(mac(k, flow, loop, via), hex);
}

TEST(BranchMac, EveryInputChangesIt) {
  BranchKey k = key();
  std::string base = mac(k, 1, 2, "via");
  EXPECT_EQ(base, mac(k, 1, 2, "via"));
  EXPECT_NE(base, mac(k, 3, 2, "via"));
  EXPECT_NE(base, mac(k, 1, 3, "via"));
  EXPECT_NE(base, mac(k, 1, 2, "viA"));
  EXPECT_NE(base, mac(k, 1, 2, "via "));
  EXPECT_NE(base, mac(key("another secret of thirty-two bytes!!"), 1, 2, "via"));
}

TEST(BranchMac, MatchesOnlyTheExactMac) {
  BranchKey k = key();
  std::string m = mac(k, 7, 8, "SIP/2.0/TCP 10.0.0.1");
  EXPECT_TRUE(branch_mac_matches(k, 7, 8, "SIP/2.0/TCP 10.0.0.1", m));
  EXPECT_FALSE(branch_mac_matches(k, 7, 8, "SIP/2.0/TCP 10.0.0.2", m));
  EXPECT_FALSE(branch_mac_matches(k, 7, 8, "SIP/2.0/TCP 10.0.0.1", m.substr(1)));
  EXPECT_FALSE(branch_mac_matches(k, 7, 8, "SIP/2.0/TCP 10.0.0.1", ""));
  for (size_t i = 0; i < m.size(); ++i) {
    std::string flipped = m;
    flipped[i] = flipped[i] == '0' ? '1' : '0';
    EXPECT_FALSE(branch_mac_matches(k, 7, 8, "SIP/2.0/TCP 10.0.0.1", flipped)) << i;
  }
}

}  // namespace
}  // namespace sipedge::trust
