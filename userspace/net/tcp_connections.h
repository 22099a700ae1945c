// A worker's TCP connections, inbound (accepted) and outbound (to next hops), in a table of
// fixed capacity with generation-tagged slots: a completion for a closed connection whose
// slot was reused is recognised by its generation and ignored.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/endpoint.h"
#include "net/unique_fd.h"

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
  enum class State : uint8_t { kFree, kConnecting, kOpen };
  State state = State::kFree;
  bool outbound = false;
  bool poll_armed = false;      // multishot POLLIN armed
  bool writable_armed = false;  // one-shot POLLOUT armed
  uint32_t generation = 0;
  UniqueFd fd;
  Endpoint remote;
  Endpoint local;
  std::string in;   // bytes received and not yet framed
  std::string out;  // bytes accepted for sending and not yet written (bounded)
  int64_t last_active_ms = 0;
  int64_t connect_deadline_ms = 0;
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

  // A free slot for a new connection from/to `remote`, or nullptr when the table or the
  // per-source limit (inbound only) is full; *why says which.
  TcpConnection* open(const Endpoint& remote, bool outbound, UniqueFd fd, const char** why);
  // Closes the socket, frees the slot (generation bumps).
  void close(TcpConnection* c);

  TcpConnection* get(uint32_t index, uint32_t generation);
  TcpConnection* get(ConnRef ref) { return ref.valid() ? get(ref.index, ref.generation) : nullptr; }
  ConnRef ref_of(const TcpConnection* c) const;
  // The open or connecting connection to/from `remote` (outbound reuse; responses back).
  TcpConnection* find(const Endpoint& remote);
  // The latest inbound connection from `address` (any port): where a response goes when the
  // client's Via names its listening port rather than the connection's (RFC 3261 §18.2.2).
  TcpConnection* find_inbound(const IpAddress& address);

  size_t open_count() const { return open_; }
  template <typename F>
  void for_each(F&& f) {
    for (auto& c : slots_)
      if (c.state != TcpConnection::State::kFree) f(c);
  }

 private:
  std::vector<TcpConnection> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<Endpoint, uint32_t, EndpointHash> by_remote_;
  std::unordered_map<IpAddress, uint32_t, AddressHash> per_source_;
  std::unordered_map<IpAddress, uint32_t, AddressHash> latest_inbound_;
  size_t per_source_limit_;
  size_t open_ = 0;
};

}  // namespace sipedge::net
