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

Quarantine::Quarantine(int64_t quarantine_ms, size_t max_entries)
    : quarantine_ms_(quarantine_ms), max_entries_(max_entries < 1 ? 1 : max_entries) {}

bool Quarantine::mark_failed(const Target& target, int64_t now_ms) {
  const int64_t until = now_ms + quarantine_ms_;
  Key key = key_of(target);
  if (auto it = until_ms_.find(key); it != until_ms_.end()) {
    it->second = until;
    return true;
  }
  if (until_ms_.size() >= max_entries_) forget_ended(now_ms);
  if (until_ms_.size() >= max_entries_) {
    // Refuse rather than evict the entry ending soonest: whoever can cause marks (forged
    // ICMP errors for many destinations, a stream of requests routed to hops that fail)
    // could otherwise push a genuinely failed hop out early and steer its traffic back
    // to it. Refusing keeps every live quarantine until it ends; the cost is that this hop
    // is tried in plain resolution order (as if never marked), and the router's own
    // HopQuarantine still skips it.
    ++refused_;
    return false;
  }
  until_ms_.emplace(key, until);
  next_end_ms_ = std::min(next_end_ms_, until);
  return true;
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

void Quarantine::forget_ended(int64_t now_ms) {
  if (now_ms < next_end_ms_) return;
  std::erase_if(until_ms_, [now_ms](const auto& kv) { return kv.second <= now_ms; });
  next_end_ms_ = INT64_MAX;
  for (const auto& kv : until_ms_) next_end_ms_ = std::min(next_end_ms_, kv.second);
  if (!until_ms_.empty()) next_end_ms_ = std::max(next_end_ms_, now_ms + quarantine_ms_ / 64);
}

void Quarantine::apply(std::vector<Target>* targets, int64_t now_ms) {
  forget_ended(now_ms);
  if (until_ms_.empty()) return;
  std::stable_partition(targets->begin(), targets->end(),
                        [&](const Target& t) { return !is_quarantined(t, now_ms); });
}

}  // namespace sipedge::resolve
