#include "net/udp_send_batch.h"

#include <errno.h>

#include <algorithm>

namespace sipedge::net {

UdpSendBatch::UdpSendBatch(size_t bytes, size_t max_messages)
    : data_(bytes),
      msgs_(max_messages),
      iovs_(max_messages),
      addrs_(max_messages),
      fds_(max_messages) {}

std::span<char> UdpSendBatch::reserve(int fd, size_t max_len) {
  if (max_len > data_.size()) return {};
  if (used_ + max_len > data_.size() || count_ == msgs_.size()) flush();
  reserved_fd_ = fd;
  return std::span<char>(data_.data() + used_, max_len);
}

void UdpSendBatch::commit(const Endpoint& to, size_t len) {
  iovs_[count_] = iovec{data_.data() + used_, len};
  mmsghdr& m = msgs_[count_];
  m = mmsghdr{};
  m.msg_hdr.msg_name = &addrs_[count_];
  m.msg_hdr.msg_namelen = endpoint_to_sockaddr(to, &addrs_[count_]);
  m.msg_hdr.msg_iov = &iovs_[count_];
  m.msg_hdr.msg_iovlen = 1;
  fds_[count_] = reserved_fd_;
  used_ += len;
  ++count_;
}

void UdpSendBatch::send_run(size_t begin, size_t end) {
  int fd = fds_[begin];
  size_t off = begin;
  while (off < end) {
    int n = sendmmsg(fd, &msgs_[off], static_cast<unsigned>(end - off), MSG_DONTWAIT);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // A refused datagram (ECONNREFUSED from an earlier ICMP error, EAGAIN, ...) is skipped;
    // the rest still go.
    ++refused_;
    ++refused_total_;
    ++off;
  }
}

size_t UdpSendBatch::flush() {
  if (count_ == 0) return 0;
  refused_ = 0;
  // One sendmmsg per run of datagrams for the same socket, in the order they were queued.
  size_t begin = 0;
  for (size_t i = 1; i <= count_; ++i) {
    if (i == count_ || fds_[i] != fds_[begin]) {
      send_run(begin, i);
      begin = i;
    }
  }
  count_ = 0;
  used_ = 0;
  return refused_;
}

}  // namespace sipedge::net
