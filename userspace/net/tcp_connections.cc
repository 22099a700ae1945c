#include "net/tcp_connections.h"

namespace sipedge::net {
namespace {

// Host names (TLS identities) compare case-insensitively, in the hash and in the compare.
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool same_identity(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace

TcpConnectionTable::TcpConnectionTable(size_t capacity, size_t per_source_limit)
    : slots_(capacity), per_source_limit_(per_source_limit) {
  free_.reserve(capacity);
  for (size_t i = capacity; i > 0; --i) free_.push_back(static_cast<uint32_t>(i - 1));
}

TcpConnectionTable::Key TcpConnectionTable::key_of(const Endpoint& remote, resolve::Transport t,
                                                   std::string_view identity) {
  uint64_t h = 0;
  if (!identity.empty()) {
    h = 1469598103934665603ULL;
    for (char ch : identity) h = (h ^ static_cast<uint8_t>(lower(ch))) * 1099511628211ULL;
  }
  return Key{remote, static_cast<uint8_t>(t), h};
}

TcpConnection* TcpConnectionTable::open(const Endpoint& remote, bool outbound, UniqueFd fd,
                                        const char** why, resolve::Transport transport,
                                        std::string_view tls_identity) {
  if (free_.empty()) {
    *why = "connection limit";
    return nullptr;
  }
  if (!outbound) {
    uint32_t& n = per_source_[remote.address];
    if (n >= per_source_limit_) {
      if (n == 0) per_source_.erase(remote.address);
      *why = "per-source connection limit";
      return nullptr;
    }
    ++n;
  }
  uint32_t idx = free_.back();
  free_.pop_back();
  TcpConnection& c = slots_[idx];
  c.state = outbound ? TcpConnection::State::kConnecting : TcpConnection::State::kOpen;
  c.outbound = outbound;
  c.transport = transport;
  c.poll_armed = false;
  c.writable_armed = false;
  c.fd = std::move(fd);
  c.remote = remote;
  c.local = Endpoint{};
  c.in.clear();
  c.frame = sip::FrameCursor{};
  c.message_started_ms = 0;
  c.write_progress_ms = 0;
  c.out.clear();
  c.tls.reset();
  c.tls_identity.assign(outbound ? tls_identity : std::string_view());
  c.staged.clear();
  c.flush_queued = false;
  c.tls_established = false;
  c.tls_version = 0;
  c.tls_stored_session = nullptr;
  c.connect_deadline_ms = 0;
  by_remote_[key_of(remote, transport, c.tls_identity)] = idx;
  ++open_;
  return &c;
}

void TcpConnectionTable::close(TcpConnection* c) {
  if (c->state == TcpConnection::State::kFree) return;
  uint32_t idx = static_cast<uint32_t>(c - slots_.data());
  auto it = by_remote_.find(key_of(c->remote, c->transport, c->tls_identity));
  if (it != by_remote_.end() && it->second == idx) by_remote_.erase(it);
  if (!c->outbound) {
    auto ps = per_source_.find(c->remote.address);
    if (ps != per_source_.end() && --ps->second == 0) per_source_.erase(ps);
  }
  // The TLS session goes before the socket: nothing may write for it afterwards.
  c->tls.reset();
  c->fd.reset();
  c->state = TcpConnection::State::kFree;
  c->generation = (c->generation + 1) & 0xffffff;
  // Keep the buffers' capacity small for an idle slot.
  std::string().swap(c->in);
  std::string().swap(c->out);
  std::string().swap(c->staged);
  std::string().swap(c->tls_identity);
  free_.push_back(idx);
  --open_;
}

TcpConnection* TcpConnectionTable::get(uint32_t index, uint32_t generation) {
  if (index >= slots_.size()) return nullptr;
  TcpConnection& c = slots_[index];
  if (c.state == TcpConnection::State::kFree || c.generation != generation) return nullptr;
  return &c;
}

ConnRef TcpConnectionTable::ref_of(const TcpConnection* c) const {
  return ConnRef{static_cast<uint32_t>(c - slots_.data()), c->generation};
}

TcpConnection* TcpConnectionTable::find(const Endpoint& remote, resolve::Transport transport,
                                        std::string_view tls_identity) {
  auto it = by_remote_.find(key_of(remote, transport, tls_identity));
  if (it == by_remote_.end()) return nullptr;
  TcpConnection* c = &slots_[it->second];
  // Two identities whose hashes collide are two connections; the second is not reused.
  return same_identity(c->tls_identity, tls_identity) ? c : nullptr;
}

}  // namespace sipedge::net
