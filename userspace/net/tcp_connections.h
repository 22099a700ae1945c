// A worker's stream connections (TCP and TLS over TCP), inbound (accepted) and outbound (to
// next hops), in a table of fixed capacity with generation-tagged slots: a completion for a
// closed connection whose slot was reused is recognised by its generation and ignored.
// Outbound TLS connections are reused per (address, port, identity) (RFC 5922: the identity
// verified is the domain of the URI that was resolved, so two domains on one server are two
// connections).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/endpoint.h"
#include "net/unique_fd.h"
#include "resolve/transport.h"
#include "sip/stream_framer.h"
#include "tls/tls_session.h"

namespace sipedge::net {

struct EndpointHash {
  size_t operator()(const Endpoint& e) const {
    uint64_t h = 1469598103934665603ULL;
    for (uint8_t b : e.address.bytes) h = (h ^ b) * 1099511628211ULL;
    return static_cast<size_t>((h ^ e.port) * 1099511628211ULL);
  }
};
struct AddressHash {
  size_t operator()(const IpAddress& a) const { return EndpointHash{}(Endpoint{a, 0}); }
};

struct TcpConnection {
  // kConnecting covers an outbound TLS connection's handshake too: it is not usable (and
  // fails over) until the peer is verified.
  enum class State : uint8_t { kFree, kConnecting, kOpen };
  State state = State::kFree;
  bool outbound = false;
  resolve::Transport transport = resolve::Transport::kTcp;  // kTcp or kTls
  bool poll_armed = false;                                  // multishot POLLIN armed
  bool writable_armed = false;                              // one-shot POLLOUT armed
  uint32_t generation = 0;
  UniqueFd fd;
  Endpoint remote;
  Endpoint local;
  std::string in;          // bytes received and not yet framed (plaintext)
  sip::FrameCursor frame;  // how far framing got into `in` (resumed, never rescanned)
  // When the first byte of the message at the front of `in` arrived (0: `in` is empty):
  // a message must be complete within limits.tcp_message_timeout_ms of it.
  int64_t message_started_ms = 0;
  // When the write queue (`out`) last moved: a queue stalled past its deadline is closed.
  int64_t write_progress_ms = 0;
  // Messages accepted for sending in this loop turn (sent together at its end: one send, one
  // TLS record), or waiting for the connection to be up (connect, TLS handshake).
  std::string staged;
  std::string out;  // bytes handed over but not yet taken by the kernel (ciphertext for TLS)
  bool flush_queued = false;  // in the worker's end-of-turn flush list
  int64_t last_active_ms = 0;
  int64_t connect_deadline_ms = 0;  // outbound connect and TLS handshake; inbound TLS handshake
  // TLS only: the session and the identity verified (outbound).
  std::optional<tls::TlsSession> tls;
  std::string tls_identity;
  bool tls_established = false;
  uint8_t tls_version = 0;                   // metrics::TlsVersion once established
  const void* tls_stored_session = nullptr;  // the session last put in the resumption cache
};

// A reference that survives slot reuse: resolve() returns null for a stale one.
struct ConnRef {
  uint32_t index = UINT32_MAX;
  uint32_t generation = 0;
  bool valid() const { return index != UINT32_MAX; }
};

class TcpConnectionTable {
 public:
  TcpConnectionTable(size_t capacity, size_t per_source_limit);

  // A free slot for a new connection from/to `remote` over `transport` (kTcp or kTls; an
  // outbound TLS connection names the identity it verifies), or nullptr when the table or
  // the per-source limit (inbound only) is full; *why says which.
  TcpConnection* open(const Endpoint& remote, bool outbound, UniqueFd fd, const char** why,
                      resolve::Transport transport = resolve::Transport::kTcp,
                      std::string_view tls_identity = {});
  // Closes the socket, frees the slot (generation bumps).
  void close(TcpConnection* c);

  TcpConnection* get(uint32_t index, uint32_t generation);
  TcpConnection* get(ConnRef ref) { return ref.valid() ? get(ref.index, ref.generation) : nullptr; }
  ConnRef ref_of(const TcpConnection* c) const;
  // The open or connecting connection to/from exactly `remote` over `transport` (outbound
  // reuse); for TLS to a next hop, the one verified for `tls_identity`. Responses never look
  // connections up by address: they go to the connection their flow token names.
  TcpConnection* find(const Endpoint& remote,
                      resolve::Transport transport = resolve::Transport::kTcp,
                      std::string_view tls_identity = {});
  size_t open_count() const { return open_; }
  template <typename F>
  void for_each(F&& f) {
    for (auto& c : slots_)
      if (c.state != TcpConnection::State::kFree) f(c);
  }

 private:
  // Where a connection is found again: remote, transport and (outbound TLS) a hash of the
  // identity; the identity itself is compared on the connection.
  struct Key {
    Endpoint remote;
    uint8_t transport = 0;
    uint64_t identity_hash = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return EndpointHash{}(k.remote) ^ (k.identity_hash * 31 + k.transport);
    }
  };
  static Key key_of(const Endpoint& remote, resolve::Transport t, std::string_view identity);

  std::vector<TcpConnection> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<Key, uint32_t, KeyHash> by_remote_;
  std::unordered_map<IpAddress, uint32_t, AddressHash> per_source_;
  size_t per_source_limit_;
  size_t open_ = 0;
};

}  // namespace sipedge::net
