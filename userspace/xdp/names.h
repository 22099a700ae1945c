// Names of classes, drop reasons, policies, port kinds and attach modes as the CLI, the
// JSON output and the operator see them ("sip_udp", "tls-only", "native", ...).
#pragma once

#include <optional>
#include <string_view>

#include "sipedge/bpf_abi.h"

namespace sipedge::xdp {

// JSON/CLI name of a class ("sip_udp" ... "fragment"); "?" if out of range.
std::string_view ClassName(unsigned cls);
// Class for a JSON/CLI name, if it is one.
std::optional<unsigned> ClassFromName(std::string_view name);
// JSON name of a drop reason ("denied" ... "truncated", "unreadable").
std::string_view DropName(unsigned reason);
// CLI name of a policy action ("deny", "allow", "tls-only"; "none" for 0).
std::string_view PolicyName(unsigned action);
// Policy action for "deny" | "allow" | "tls-only".
std::optional<unsigned> PolicyFromName(std::string_view name);
// "native" | "generic" | "none".
std::string_view ModeName(unsigned mode);
// L4 protocol for "udp" | "tcp" | "sctp".
std::optional<sipedge_l4> L4FromName(std::string_view name);
std::string_view L4Name(sipedge_l4 l4);

// The class that port kind `kind` ("sip" | "tls" | "ws" | "wss") means over `l4`, if that
// combination exists (UDP and SCTP carry only plain SIP; TCP carries all four).
std::optional<unsigned> PortClassFor(sipedge_l4 l4, std::string_view kind);
// The port kind name ("sip", "tls", "ws", "wss") of a class stored in the port table.
std::string_view PortKindName(unsigned cls);

}  // namespace sipedge::xdp
