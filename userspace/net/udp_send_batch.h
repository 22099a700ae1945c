// Datagrams queued during one loop turn and sent with one sendmmsg(2) per socket at the end
// of the turn: the batching the kernel socket path allows. Storage is allocated once.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <vector>

#include "net/endpoint.h"

namespace sipedge::net {

class UdpSendBatch {
 public:
  // `bytes` of staging and at most `max_messages` datagrams per flush.
  UdpSendBatch(size_t bytes, size_t max_messages);

  // Space for one datagram of up to `max_len` bytes; commit() it after writing, or drop it.
  // Flushes first when the staging area is full. Returns an empty span only when max_len
  // exceeds the whole staging area.
  std::span<char> reserve(int fd, size_t max_len);
  // Queues the reserved datagram (its first `len` bytes) for `to`.
  void commit(const Endpoint& to, size_t len);
  // Sends everything queued; returns the number of datagrams the kernel refused.
  size_t flush();
  size_t pending() const { return count_; }
  // Datagrams the kernel refused since construction (flushes inside reserve() included).
  uint64_t refused_total() const { return refused_total_; }

 private:
  // sendmmsg of queued datagrams [begin, end), which all leave through one socket.
  void send_run(size_t begin, size_t end);
  std::vector<char> data_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<sockaddr_storage> addrs_;
  std::vector<int> fds_;
  size_t used_ = 0;
  size_t count_ = 0;
  int reserved_fd_ = -1;
  size_t refused_ = 0;
  uint64_t refused_total_ = 0;
};

}  // namespace sipedge::net
