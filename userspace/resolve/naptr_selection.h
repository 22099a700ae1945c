// RFC 3263 §4.1 NAPTR filtering: which records a SIP hop may follow, and in what order.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "resolve/dns_records.h"
#include "resolve/transport.h"

namespace sipedge::resolve {

// A NAPTR record the router can follow: the transport its service names and the SRV name
// that replaces it.
struct NaptrChoice {
  Transport transport;
  std::string srv_name;
};

// Maps a NAPTR service tag (case-insensitive) to a transport we speak. SIP+D2S / SIPS+D2S
// (SCTP) and unknown tags give nullopt.
std::optional<Transport> naptr_service_transport(std::string_view service);

// Keeps records with flag "s", an empty regexp, a replacement, and a service in `accepted`;
// for a sips: URI only SIPS+ services (R3); a sip: URI may take SIPS+ services (R4).
// Returns them ordered by order, then preference (stable for ties).
std::vector<NaptrChoice> select_naptr(const std::vector<NaptrRecord>& records, bool sips,
                                      const std::vector<Transport>& accepted);

}  // namespace sipedge::resolve
