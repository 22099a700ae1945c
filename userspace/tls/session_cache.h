// Per-worker memory of client TLS sessions so a reconnect resumes instead of doing a full
// handshake. Single-threaded by design (one per io_uring worker): no locks. Bounded: the
// least recently used entry goes when a new key would exceed the capacity.
#pragma once

#include <openssl/ssl.h>

#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tls/openssl_handles.h"

namespace sipedge::tls {

class ClientSessionCache {
 public:
  // A cache holding at most `capacity` sessions (0 keeps none).
  explicit ClientSessionCache(size_t capacity);

  // The key for a connection: the next hop ("192.0.2.1:5061", "[2001:db8::1]:5061") and the
  // identity verified on it, so a session is never offered to a different identity.
  static std::string key_for(std::string_view address_port, std::string_view identity);

  // Borrowed (valid until the next store/erase of this key): the session for `key`, or null
  // when absent, expired or not resumable (those are dropped). Marks the entry recently used.
  SSL_SESSION* find(std::string_view key);
  // Keeps a reference to `session` under `key` (null erases), replacing any older one.
  void store(std::string key, SSL_SESSION* session);
  // Forgets `key` (e.g. after a failed handshake that offered its session).
  void erase(std::string_view key);
  // Sessions currently held.
  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    SslSessionPtr session;
  };
  using Lru = std::list<Entry>;  // front = most recently used

  size_t capacity_;
  Lru entries_;
  // Keys are views into the list nodes' strings, which never move.
  std::unordered_map<std::string_view, Lru::iterator> index_;
};

}  // namespace sipedge::tls
