#include "tls/session_cache.h"

#include <ctime>

namespace sipedge::tls {

namespace {

bool usable(const SSL_SESSION* session) {
  if (SSL_SESSION_is_resumable(session) != 1) return false;
  const long long expires =
      static_cast<long long>(SSL_SESSION_get_time(session)) + SSL_SESSION_get_timeout(session);
  return expires > static_cast<long long>(std::time(nullptr));
}

}  // namespace

ClientSessionCache::ClientSessionCache(size_t capacity) : capacity_(capacity) {}

std::string ClientSessionCache::key_for(std::string_view address_port, std::string_view identity) {
  std::string key;
  key.reserve(address_port.size() + 1 + identity.size());
  key.append(address_port).append(1, ' ').append(identity);
  return key;
}

SSL_SESSION* ClientSessionCache::find(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  Lru::iterator entry = it->second;
  if (!usable(entry->session.get())) {
    index_.erase(it);
    entries_.erase(entry);
    return nullptr;
  }
  entries_.splice(entries_.begin(), entries_, entry);
  return entry->session.get();
}

void ClientSessionCache::store(std::string key, SSL_SESSION* session) {
  if (session == nullptr) {
    erase(key);
    return;
  }
  if (capacity_ == 0) return;
  SSL_SESSION_up_ref(session);
  SslSessionPtr held(session);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->session = std::move(held);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  entries_.push_front(Entry{std::move(key), std::move(held)});
  index_.emplace(entries_.front().key, entries_.begin());
}

void ClientSessionCache::erase(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  Lru::iterator entry = it->second;
  index_.erase(it);
  entries_.erase(entry);
}

}  // namespace sipedge::tls
