// The vocabulary of a policy decision: which rule fired, what it means for the message,
// and the answer the router sends. Shared by policy, the router and the metrics labels.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipedge::policy {

// One value per rule that can refuse or count a message (DESIGN.md R3, R5, R6, R9 and the
// operator's deny networks). kCount: no rule fired; also the number of rules.
enum class Rule : uint8_t {
  kDenyNetwork,
  kR3SipsPlaintextHop,
  kR3TrustedDowngrade,
  kR5TransportTls,
  kR6SipsOverPlaintext,
  kR6SipsContact,
  kR9TlsOnlyNetwork,
  kRelayForbiddenDestination,  // an untrusted source, a next hop outside untrusted_next_hops
  kRelaySpecialAddress,        // our own listener, unspecified, multicast, broadcast, link-local
  kCount,
};

inline constexpr size_t kRuleCount = static_cast<size_t>(Rule::kCount);

// Stable metric label value ("deny", "r3_sips_plaintext_hop", ...); "none" for kCount.
std::string_view rule_name(Rule rule);

enum class Verdict : uint8_t {
  kAllow,
  kAllowCounted,  // allowed, but counted and logged (trusted downgrade, sips-contact "log")
  kReject,
};

// "allow", "allow_counted", "reject" (log text).
std::string_view verdict_name(Verdict verdict);

// The outcome of one check. For kReject, `status` and `reason` are the response the router
// sends (reason is static text, e.g. "Forbidden (sips over plaintext)"); status 0 means
// "drop without answering" (a refused response has nobody to answer). For check_target a
// reject means "this target is unusable": the router tries the next one and answers
// `status` only when none is left.
struct Decision {
  Verdict verdict = Verdict::kAllow;
  Rule rule = Rule::kCount;
  uint16_t status = 0;
  std::string_view reason;

  bool rejected() const { return verdict == Verdict::kReject; }
  bool counted() const { return verdict != Verdict::kAllow; }
};

}  // namespace sipedge::policy
