#include "policy/rule.h"

namespace sipedge::policy {

std::string_view rule_name(Rule rule) {
  switch (rule) {
    case Rule::kDenyNetwork:
      return "deny";
    case Rule::kR3SipsPlaintextHop:
      return "r3_sips_plaintext_hop";
    case Rule::kR3TrustedDowngrade:
      return "r3_trusted_downgrade";
    case Rule::kR5TransportTls:
      return "r5_transport_tls";
    case Rule::kR6SipsOverPlaintext:
      return "r6_sips_over_plaintext";
    case Rule::kR6SipsContact:
      return "r6_sips_contact";
    case Rule::kR9TlsOnlyNetwork:
      return "r9_tls_only";
    case Rule::kRelayForbiddenDestination:
      return "relay_forbidden_destination";
    case Rule::kRelaySpecialAddress:
      return "relay_special_address";
    case Rule::kCount:
      break;
  }
  return "none";
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kAllowCounted:
      return "allow_counted";
    case Verdict::kReject:
      return "reject";
  }
  return "allow";
}

}  // namespace sipedge::policy
