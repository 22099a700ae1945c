#include "sink.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "bench_request.h"
#include "clock.h"

namespace sipedge::bench {
namespace {

enum Kind : uint64_t { kStop = 1, kUdp, kListener, kResponse, kStream };
constexpr size_t kBatch = 64;
constexpr size_t kDatagramMax = 2048;
constexpr size_t kStreamBuffer = 256 * 1024;
constexpr int kSocketBuffer = 8 * 1024 * 1024;

uint64_t tag(Kind kind, int fd) { return (uint64_t{kind} << 32) | static_cast<uint32_t>(fd); }

// Root may go past net.core.rmem_max; others get what the sysctl allows.
void enlarge_receive_buffer(int fd) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof(kSocketBuffer)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof(kSocketBuffer));
  }
}

}  // namespace

Sink::~Sink() { stop(); }

Expected<bool, std::string> Sink::open(const net::Endpoint& at) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(at, &addr);
  int family = at.address.family == 4 ? AF_INET : AF_INET6;
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  udp_ = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  listener_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (epoll_ < 0 || stop_fd_ < 0 || udp_ < 0 || listener_ < 0) {
    return unexpected(std::string("sink: ") + std::strerror(errno));
  }
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  enlarge_receive_buffer(udp_);
  if (bind(udp_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listener_, 64) != 0) {
    return unexpected("sink: cannot bind " + at.to_string() + ": " + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag(kStop, stop_fd_);
  epoll_ctl(epoll_, EPOLL_CTL_ADD, stop_fd_, &ev);
  ev.data.u64 = tag(kUdp, udp_);
  epoll_ctl(epoll_, EPOLL_CTL_ADD, udp_, &ev);
  ev.data.u64 = tag(kListener, listener_);
  epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &ev);
  return true;
}

void Sink::watch_responses(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag(kResponse, fd);
  epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  response_fds_.push_back(fd);
}

void Sink::run() {
  thread_ = std::thread([this] { loop(); });
}

SinkCounts Sink::counts() const {
  SinkCounts c;
  c.udp = udp_count_.load(std::memory_order_relaxed);
  c.tcp = tcp_count_.load(std::memory_order_relaxed);
  c.measured = measured_.load(std::memory_order_relaxed);
  c.proxied = proxied_.load(std::memory_order_relaxed);
  c.unstamped = unstamped_.load(std::memory_order_relaxed);
  c.responses = responses_.load(std::memory_order_relaxed);
  return c;
}

void Sink::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }
  for (auto& [fd, stream] : streams_) close(fd);
  streams_.clear();
  for (int* fd : {&udp_, &listener_, &stop_fd_, &epoll_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void Sink::loop() {
  // The sink shares its core with the generator; as a real-time thread it runs the moment a
  // request arrives and the generator gets only the time left, so the sink never drops what
  // a forwarder delivered. It sleeps when nothing arrives, so it cannot starve the core.
  sched_param param{};
  param.sched_priority = 2;  // above a generator run under chrt -r 1
  realtime_ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
  epoll_event events[32];
  for (;;) {
    int n = epoll_wait(epoll_, events, 32, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    for (int i = 0; i < n; ++i) {
      auto kind = static_cast<Kind>(events[i].data.u64 >> 32);
      int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
      switch (kind) {
        case kStop:
          return;
        case kUdp:
          drain_udp();
          break;
        case kListener:
          accept_streams();
          break;
        case kResponse:
          drain_responses(fd);
          break;
        case kStream: {
          auto it = streams_.find(fd);
          if (it != streams_.end() && !read_stream(it->second.get())) {
            epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
            close(fd);
            streams_.erase(it);
          }
          break;
        }
      }
    }
    if (poll_interval_us_ > 0) usleep(poll_interval_us_);
  }
}

void Sink::on_request(const char* data, size_t size, bool tcp) {
  auto& counter = tcp ? tcp_count_ : udp_count_;
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::string_view message(data, size);
  uint64_t seq = 0, sent = 0;
  if (!read_call_id_stamp(message, &seq, &sent)) {
    unstamped_.store(unstamped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return;
  }
  if (seq < measure_from_.load(std::memory_order_relaxed)) return;
  measured_.store(measured_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (max_forwards_decremented(message)) {
    proxied_.store(proxied_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t now = monotonic_ns();
  latency_.record(now > sent ? now - sent : 0);
}

void Sink::drain_udp() {
  static thread_local char buffers[kBatch][kDatagramMax];
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  for (;;) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {buffers[i], kDatagramMax};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(udp_, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) on_request(buffers[i], msgs[i].msg_len, false);
  }
}

void Sink::accept_streams() {
  for (;;) {
    int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    enlarge_receive_buffer(fd);
    auto stream = std::make_unique<Stream>();
    stream->fd = fd;
    stream->buffer.resize(kStreamBuffer);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(kStream, fd);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    streams_.emplace(fd, std::move(stream));
  }
}

bool Sink::read_stream(Stream* s) {
  for (;;) {
    ssize_t n = recv(s->fd, s->buffer.data() + s->used, s->buffer.size() - s->used, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    s->used += static_cast<size_t>(n);
    // Cut complete messages off the front; keep the partial tail.
    std::string_view data(s->buffer.data(), s->used);
    size_t at = 0;
    for (;;) {
      std::string_view rest = data.substr(at);
      size_t end = rest.find("\r\n\r\n");
      if (end == std::string_view::npos) break;
      long body = content_length(rest.substr(0, end + 2));
      if (body < 0) return false;  // unframeable: drop the connection, as a proxy would
      size_t total = end + 4 + static_cast<size_t>(body);
      if (total > rest.size()) break;
      on_request(rest.data(), total, true);
      at += total;
    }
    if (at == 0 && s->used == s->buffer.size()) return false;  // a message larger than the buffer
    std::memmove(s->buffer.data(), s->buffer.data() + at, s->used - at);
    s->used -= at;
  }
}

void Sink::drain_responses(int fd) {
  char buffer[kDatagramMax];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n <= 0) {
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        // Closed or errored (e.g. ICMP unreachable on UDP is reported once): stop watching a
        // closed stream, keep watching a datagram socket.
        int type = 0;
        socklen_t len = sizeof(type);
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
        if (type == SOCK_STREAM) epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
        if (type == SOCK_STREAM || n == 0) return;
        continue;
      }
      return;
    }
    responses_.store(responses_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (first_response_.empty()) {
      std::string_view text(buffer, static_cast<size_t>(n));
      first_response_ = std::string(text.substr(0, text.find("\r\n")));
    }
  }
}

}  // namespace sipedge::bench
