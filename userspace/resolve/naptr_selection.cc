#include "resolve/naptr_selection.h"

#include <algorithm>
#include <strings.h>

namespace sipedge::resolve {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<Transport> naptr_service_transport(std::string_view service) {
  if (iequals(service, "SIP+D2U")) return Transport::kUdp;
  if (iequals(service, "SIP+D2T")) return Transport::kTcp;
  if (iequals(service, "SIPS+D2T")) return Transport::kTls;
  if (iequals(service, "SIP+D2W")) return Transport::kWs;
  if (iequals(service, "SIPS+D2W")) return Transport::kWss;
  // SIP+D2S / SIPS+D2S are SCTP: recognised, but this router opens no SCTP sockets.
  return std::nullopt;
}

std::vector<NaptrChoice> select_naptr(const std::vector<NaptrRecord>& records, bool sips,
                                      const std::vector<Transport>& accepted) {
  std::vector<const NaptrRecord*> kept;
  for (const NaptrRecord& r : records) {
    if (!iequals(r.flags, "s") || !r.regexp.empty() || r.replacement.empty() ||
        r.replacement == ".") {
      continue;
    }
    std::optional<Transport> t = naptr_service_transport(r.service);
    if (!t) continue;
    if (std::find(accepted.begin(), accepted.end(), *t) == accepted.end()) continue;
    if (sips && !is_secure(*t)) continue;  // R3: sips: follows only SIPS+ services
    kept.push_back(&r);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const NaptrRecord* a, const NaptrRecord* b) {
    if (a->order != b->order) return a->order < b->order;
    return a->preference < b->preference;
  });
  std::vector<NaptrChoice> out;
  out.reserve(kept.size());
  for (const NaptrRecord* r : kept) {
    out.push_back(NaptrChoice{*naptr_service_transport(r->service), r->replacement});
  }
  return out;
}

}  // namespace sipedge::resolve
