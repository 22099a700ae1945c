#include "xdp/names.h"

#include <array>

namespace sipedge::xdp {
namespace {

constexpr std::array<std::string_view, SIPEDGE_CLASS_MAX> kClassNames = {
    "sip_udp", "sip_tcp",   "sip_tls", "sip_sctp", "sip_ws",
    "sip_wss", "keepalive", "other",   "fragment"};
constexpr std::array<std::string_view, SIPEDGE_DROP_MAX> kDropNames = {
    "denied", "rate_limited", "malformed", "tls_required", "truncated", "unreadable"};
constexpr std::array<std::string_view, 4> kPolicyNames = {"none", "deny", "allow", "tls-only"};
constexpr std::array<std::string_view, 3> kModeNames = {"none", "native", "generic"};
constexpr std::array<std::string_view, 3> kL4Names = {"udp", "tcp", "sctp"};

}  // namespace

std::string_view ClassName(unsigned cls) {
  return cls < kClassNames.size() ? kClassNames[cls] : "?";
}

std::optional<unsigned> ClassFromName(std::string_view name) {
  for (unsigned i = 0; i < kClassNames.size(); ++i)
    if (kClassNames[i] == name) return i;
  return std::nullopt;
}

std::string_view DropName(unsigned reason) {
  return reason < kDropNames.size() ? kDropNames[reason] : "?";
}

std::string_view PolicyName(unsigned action) {
  return action < kPolicyNames.size() ? kPolicyNames[action] : "?";
}

std::optional<unsigned> PolicyFromName(std::string_view name) {
  for (unsigned i = 1; i < kPolicyNames.size(); ++i)
    if (kPolicyNames[i] == name) return i;
  return std::nullopt;
}

std::string_view ModeName(unsigned mode) {
  return mode < kModeNames.size() ? kModeNames[mode] : "?";
}

std::optional<sipedge_l4> L4FromName(std::string_view name) {
  for (unsigned i = 0; i < kL4Names.size(); ++i)
    if (kL4Names[i] == name) return static_cast<sipedge_l4>(i);
  return std::nullopt;
}

std::string_view L4Name(sipedge_l4 l4) {
  return static_cast<unsigned>(l4) < kL4Names.size() ? kL4Names[l4] : "?";
}

std::optional<unsigned> PortClassFor(sipedge_l4 l4, std::string_view kind) {
  if (kind == "sip") {
    switch (l4) {
      case SIPEDGE_L4_UDP:
        return SIPEDGE_CLASS_SIP_UDP;
      case SIPEDGE_L4_TCP:
        return SIPEDGE_CLASS_SIP_TCP;
      case SIPEDGE_L4_SCTP:
        return SIPEDGE_CLASS_SIP_SCTP;
    }
  }
  if (l4 != SIPEDGE_L4_TCP) return std::nullopt;
  if (kind == "tls") return SIPEDGE_CLASS_SIP_TLS;
  if (kind == "ws") return SIPEDGE_CLASS_SIP_WS;
  if (kind == "wss") return SIPEDGE_CLASS_SIP_WSS;
  return std::nullopt;
}

std::string_view PortKindName(unsigned cls) {
  switch (cls) {
    case SIPEDGE_CLASS_SIP_UDP:
    case SIPEDGE_CLASS_SIP_TCP:
    case SIPEDGE_CLASS_SIP_SCTP:
      return "sip";
    case SIPEDGE_CLASS_SIP_TLS:
      return "tls";
    case SIPEDGE_CLASS_SIP_WS:
      return "ws";
    case SIPEDGE_CLASS_SIP_WSS:
      return "wss";
    default:
      return "?";
  }
}

}  // namespace sipedge::xdp
