// Our Via branch (RFC 3261 §16.11): "z9hG4bK" + flow token + "." + loop hash + "." + MAC.
// Deterministic, so a request, its retransmissions, its CANCEL and its non-2xx ACK get the
// same branch; unforgeable, so a response is routed only along a Via the edge wrote
// (trust/branch_mac.h) and only to the flow the edge named; and carrying the loop hash over
// the §16.6 step 8 fields that the loop check (§16.3 item 4) compares.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "proxy/route_processing.h"
#include "proxy/via_fields.h"
#include "sip/sip_message.h"

namespace sipedge::proxy {

inline constexpr std::string_view kMagicCookie = "z9hG4bK";
// Offsets of the parts in our branch.
inline constexpr size_t kBranchFlowAt = 7;
inline constexpr size_t kBranchLoopAt = kBranchFlowAt + 16 + 1;
inline constexpr size_t kBranchMacAt = kBranchLoopAt + 16 + 1;

// Loop identity of the request as forwarded: Request-URI (after the strict-router fixup),
// From tag, Call-ID, CSeq number, Proxy-Require values, and the Route values kept.
uint64_t loop_hash(const sip::Message& req, const RouteAnalysis& routes, std::string_view from_tag,
                   uint32_t cseq_number);

// Writes our branch with the MAC still unset ('0's) into out (kBranchSize bytes).
void format_branch(uint64_t flow, uint64_t loop, std::span<char, kBranchSize> out);

// The parts of one of our branches, or nullopt when `branch` does not have our layout.
struct BranchParts {
  uint64_t flow = 0;
  uint64_t loop = 0;
  std::string_view mac;
};
std::optional<BranchParts> parse_branch(std::string_view branch);

// A 64-bit hash of several fields (length-prefixed, so boundaries cannot shift); used for
// the deterministic To tag of our stateless responses.
uint64_t hash_fields(std::initializer_list<std::string_view> fields);

// True when `branch` is one of ours whose loop half equals `loop`.
bool branch_has_loop_hash(std::string_view branch, uint64_t loop);

}  // namespace sipedge::proxy
