#include "udp_responder.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "bench_request.h"
#include "ok_response.h"

namespace sipedge::bench {
namespace {

constexpr size_t kBatch = 64;
constexpr size_t kDatagramMax = 4096;
constexpr int kSocketBuffer = 8 * 1024 * 1024;

void add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

UdpResponder::~UdpResponder() { stop(); }

Expected<bool, std::string> UdpResponder::start(const net::Endpoint& at) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(at, &addr);
  fd_ = socket(at.address.family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return unexpected(std::string("responder: ") + std::strerror(errno));
  // Root may go past net.core.rmem_max; a burst from the proxy must not overflow it.
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof(kSocketBuffer)) != 0)
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof(kSocketBuffer));
  // A receive timeout lets the thread notice stop() without a second descriptor.
  timeval tick{0, 100 * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0)
    return unexpected("responder: cannot bind " + at.to_string() + ": " + std::strerror(errno));
  thread_ = std::thread([this] { loop(); });
  return true;
}

void UdpResponder::stop() {
  if (thread_.joinable()) {
    stopping_.store(true);
    thread_.join();
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void UdpResponder::loop() {
  // It shares its core with the generator (run under chrt -r 1): above it, it answers the
  // moment a request arrives and sleeps otherwise, so it cannot starve the core.
  sched_param param{};
  param.sched_priority = 2;
  realtime_.store(pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0);
  static thread_local char in[kBatch][kDatagramMax];
  static thread_local char out[kBatch][kDatagramMax];
  sockaddr_storage from[kBatch];
  mmsghdr rx[kBatch], tx[kBatch];
  iovec rx_iov[kBatch], tx_iov[kBatch];
  while (!stopping_.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < kBatch; ++i) {
      rx_iov[i] = {in[i], kDatagramMax};
      rx[i] = {};
      rx[i].msg_hdr.msg_iov = &rx_iov[i];
      rx[i].msg_hdr.msg_iovlen = 1;
      rx[i].msg_hdr.msg_name = &from[i];
      rx[i].msg_hdr.msg_namelen = sizeof(from[i]);
    }
    int n = recvmmsg(fd_, rx, kBatch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;  // timeout (stop check) or EINTR
    unsigned answers = 0;
    uint64_t proxied = 0, bad = 0;
    for (int i = 0; i < n; ++i) {
      std::string_view request(in[i], rx[i].msg_len);
      if (max_forwards_decremented(request)) ++proxied;
      // A response arriving here (none expected) is not answered either.
      size_t size = request.starts_with("SIP/2.0 ")
                        ? 0
                        : build_ok_response(request, std::span<char>(out[answers], kDatagramMax));
      if (size == 0) {
        ++bad;
        continue;
      }
      tx_iov[answers] = {out[answers], size};
      tx[answers] = {};
      tx[answers].msg_hdr.msg_iov = &tx_iov[answers];
      tx[answers].msg_hdr.msg_iovlen = 1;
      tx[answers].msg_hdr.msg_name = &from[i];
      tx[answers].msg_hdr.msg_namelen = rx[i].msg_hdr.msg_namelen;
      ++answers;
    }
    for (unsigned done = 0; done < answers;) {
      int sent = sendmmsg(fd_, tx + done, answers - done, 0);
      if (sent <= 0) break;  // the proxy is gone: drop, as UDP may
      done += static_cast<unsigned>(sent);
    }
    add(requests_, static_cast<uint64_t>(n));
    add(proxied_, proxied);
    add(unanswerable_, bad);
  }
}

}  // namespace sipedge::bench
