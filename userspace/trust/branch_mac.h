// The MAC in our Via branch (RFC 3261 §16.11 says a stateless proxy's branch must be
// deterministic; we make it also unforgeable): SipHash-2-4 (128-bit output, libsodium's
// crypto_shorthash_siphashx24) over the Via below ours exactly as we forwarded it (with
// received/rport), nested under a second SipHash over the flow token and the loop hash,
// truncated to 96 bits. A response is routed only when its two top Vias reproduce it, so
// the Via a response travels to is one the edge wrote, and the flow it names is one the edge
// made.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace sipedge::trust {

class EdgeSecret;

// 96 bits as 24 lower-case hex digits.
inline constexpr size_t kBranchMacHex = 24;

struct BranchKey {
  std::array<uint8_t, 16> inner{};  // over the Via bytes
  std::array<uint8_t, 16> outer{};  // over flow, loop and the inner tag

  // The keys for branches, derived from the edge's secret.
  static BranchKey from(const EdgeSecret& secret);
};

// Writes the MAC of (flow, loop, via) as kBranchMacHex hex digits into out.
void branch_mac(const BranchKey& key, uint64_t flow, uint64_t loop, std::string_view via,
                std::span<char, kBranchMacHex> out);

// True when `mac` (kBranchMacHex characters) is the MAC of (flow, loop, via); the compare
// takes the same time wherever the first difference is.
bool branch_mac_matches(const BranchKey& key, uint64_t flow, uint64_t loop, std::string_view via,
                        std::string_view mac);

}  // namespace sipedge::trust
