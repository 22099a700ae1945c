#include "resolve/quarantine.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace sipedge::resolve {

size_t Quarantine::KeyHash::operator()(const Key& k) const {
  std::string_view bytes(reinterpret_cast<const char*>(k.address.bytes.data()),
                         k.address.bytes.size());
  return std::hash<std::string_view>{}(bytes) ^ (size_t{k.port} << 8) ^
         static_cast<size_t>(k.transport) ^ k.address.family;
}

void Quarantine::mark_failed(const Target& target, int64_t now_ms) {
  until_ms_[key_of(target)] = now_ms + quarantine_ms_;
}

bool Quarantine::is_quarantined(const Target& target, int64_t now_ms) const {
  auto it = until_ms_.find(key_of(target));
  return it != until_ms_.end() && now_ms < it->second;
}

bool Quarantine::is_quarantined(Transport transport, const IpAddress& address, uint16_t port,
                                int64_t now_ms) const {
  if (until_ms_.empty()) return false;
  auto it = until_ms_.find(Key{transport, address, port});
  return it != until_ms_.end() && now_ms < it->second;
}

void Quarantine::apply(std::vector<Target>* targets, int64_t now_ms) {
  std::erase_if(until_ms_, [now_ms](const auto& kv) { return kv.second <= now_ms; });
  if (until_ms_.empty()) return;
  std::stable_partition(targets->begin(), targets->end(),
                        [&](const Target& t) { return !is_quarantined(t, now_ms); });
}

}  // namespace sipedge::resolve
