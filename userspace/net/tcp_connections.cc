#include "net/tcp_connections.h"

namespace sipedge::net {

TcpConnectionTable::TcpConnectionTable(size_t capacity, size_t per_source_limit)
    : slots_(capacity), per_source_limit_(per_source_limit) {
  free_.reserve(capacity);
  for (size_t i = capacity; i > 0; --i) free_.push_back(static_cast<uint32_t>(i - 1));
}

TcpConnection* TcpConnectionTable::open(const Endpoint& remote, bool outbound, UniqueFd fd,
                                        const char** why) {
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
  c.poll_armed = false;
  c.writable_armed = false;
  c.fd = std::move(fd);
  c.remote = remote;
  c.local = Endpoint{};
  c.in.clear();
  c.out.clear();
  by_remote_[remote] = idx;
  if (!outbound) latest_inbound_[remote.address] = idx;
  ++open_;
  return &c;
}

void TcpConnectionTable::close(TcpConnection* c) {
  if (c->state == TcpConnection::State::kFree) return;
  uint32_t idx = static_cast<uint32_t>(c - slots_.data());
  auto it = by_remote_.find(c->remote);
  if (it != by_remote_.end() && it->second == idx) by_remote_.erase(it);
  if (!c->outbound) {
    auto li = latest_inbound_.find(c->remote.address);
    if (li != latest_inbound_.end() && li->second == idx) latest_inbound_.erase(li);
    auto ps = per_source_.find(c->remote.address);
    if (ps != per_source_.end() && --ps->second == 0) per_source_.erase(ps);
  }
  c->fd.reset();
  c->state = TcpConnection::State::kFree;
  c->generation = (c->generation + 1) & 0xffffff;
  // Keep the buffers' capacity small for an idle slot.
  std::string().swap(c->in);
  std::string().swap(c->out);
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

TcpConnection* TcpConnectionTable::find(const Endpoint& remote) {
  auto it = by_remote_.find(remote);
  return it == by_remote_.end() ? nullptr : &slots_[it->second];
}

}  // namespace sipedge::net

namespace sipedge::net {

TcpConnection* TcpConnectionTable::find_inbound(const IpAddress& address) {
  auto it = latest_inbound_.find(address);
  return it == latest_inbound_.end() ? nullptr : &slots_[it->second];
}

}  // namespace sipedge::net
