// The two halves of our deterministic branch (RFC 3261 §16.11): a transaction hash that is
// equal for a request, its retransmissions, its CANCEL and its non-2xx ACK, and a loop hash
// over the §16.6 step 8 fields that the loop check (§16.3 item 4) compares.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "proxy/route_processing.h"
#include "proxy/via_fields.h"
#include "sip/sip_message.h"

namespace sipedge::proxy {

inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// Transaction identity: the top Via branch and sent-by when the branch has the magic cookie,
// else the RFC 2543 fields of §17.2.3 (Request-URI, From tag, Call-ID, CSeq number, top Via).
// The transaction hash of a request whose top Via (`via`) carries the magic cookie: its
// branch and sent-by, keyed with the branch secret.
uint64_t cookie_transaction_hash(const sip::Via& via);

uint64_t transaction_hash(const sip::Message& req, const TopVia& top, std::string_view from_tag,
                          uint32_t cseq_number);

// Loop identity of the request as forwarded: Request-URI (after the strict-router fixup),
// From tag, Call-ID, CSeq number, Proxy-Require values, and the Route values kept.
uint64_t loop_hash(const sip::Message& req, const RouteAnalysis& routes, std::string_view from_tag,
                   uint32_t cseq_number);

// Writes "z9hG4bK<16 hex>.<16 hex>" (kBranchSize bytes) into out.
void format_branch(uint64_t transaction, uint64_t loop, std::span<char, kBranchSize> out);

// A 64-bit hash of several fields (length-prefixed, so boundaries cannot shift); used for
// the deterministic To tag of our stateless responses.
uint64_t hash_fields(std::initializer_list<std::string_view> fields);

// True when `branch` is one of ours whose loop half equals `loop`.
bool branch_has_loop_hash(std::string_view branch, uint64_t loop);

}  // namespace sipedge::proxy
