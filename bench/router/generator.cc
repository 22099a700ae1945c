#include "generator.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clock.h"

namespace sipedge::bench {
namespace {

// One socket with its own request template (its own Via port) and batch of request copies.
struct Lane {
  int fd = -1;
  std::unique_ptr<RequestTemplate> request;
  std::vector<char> buffers;  // batch copies, back to back
};

Expected<Lane, std::string> open_lane(const net::Endpoint& target, int type,
                                      const RequestShape& shape, size_t batch) {
  sockaddr_storage addr;
  socklen_t len = net::endpoint_to_sockaddr(target, &addr);
  Lane lane;
  lane.fd = socket(target.address.family == 4 ? AF_INET : AF_INET6, type | SOCK_CLOEXEC, 0);
  if (lane.fd < 0) return unexpected(std::string("socket: ") + std::strerror(errno));
  if (connect(lane.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    std::string error = "connect " + target.to_string() + ": " + std::strerror(errno);
    close(lane.fd);
    return unexpected(error);
  }
  sockaddr_storage local;
  socklen_t local_len = sizeof(local);
  getsockname(lane.fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  net::Endpoint self;
  net::endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&local), &self);
  lane.request = std::make_unique<RequestTemplate>(type == SOCK_DGRAM ? "UDP" : "TCP",
                                                   self.to_string(), shape.request_uri, shape.size);
  lane.buffers.resize(batch * lane.request->size());
  for (size_t i = 0; i < batch; ++i) lane.request->copy_to(&lane.buffers[i * lane.request->size()]);
  return lane;
}

class LaneGenerator : public Generator {
 public:
  explicit LaneGenerator(std::vector<Lane> lanes) : lanes_(std::move(lanes)) {}
  ~LaneGenerator() override {
    for (Lane& lane : lanes_) close(lane.fd);
  }
  std::vector<int> fds() const override {
    std::vector<int> out;
    for (const Lane& lane : lanes_) out.push_back(lane.fd);
    return out;
  }

 protected:
  // The next lane, round robin; its first n copies stamped with seq.. and now.
  Lane& stamp_next(uint64_t seq, size_t n) {
    Lane& lane = lanes_[next_++ % lanes_.size()];
    uint64_t now = monotonic_ns();
    size_t size = lane.request->size();
    for (size_t i = 0; i < n; ++i) lane.request->patch(&lane.buffers[i * size], seq + i, now);
    return lane;
  }
  std::vector<Lane> lanes_;
  size_t next_ = 0;
};

class UdpGenerator : public LaneGenerator {
 public:
  using LaneGenerator::LaneGenerator;
  size_t send_batch(uint64_t seq, size_t n) override {
    Lane& lane = stamp_next(seq, n);
    size_t size = lane.request->size();
    mmsghdr msgs[256];
    iovec iov[256];
    n = std::min<size_t>(n, 256);
    for (size_t i = 0; i < n; ++i) {
      iov[i] = {&lane.buffers[i * size], size};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // A pending ICMP error (e.g. the forwarder restarted) fails one call: try once more.
    int sent = sendmmsg(lane.fd, msgs, static_cast<unsigned>(n), 0);
    if (sent < 0) sent = sendmmsg(lane.fd, msgs, static_cast<unsigned>(n), 0);
    return sent < 0 ? 0 : static_cast<size_t>(sent);
  }
};

class TcpGenerator : public LaneGenerator {
 public:
  using LaneGenerator::LaneGenerator;
  size_t send_batch(uint64_t seq, size_t n) override {
    Lane& lane = stamp_next(seq, n);
    const char* data = lane.buffers.data();
    size_t left = n * lane.request->size();
    // Whole batches only: a half-written request would break the stream's framing.
    while (left > 0) {
      ssize_t w = send(lane.fd, data, left, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return 0;  // timed out (SO_SNDTIMEO) or closed: the forwarder stalled
      data += w;
      left -= static_cast<size_t>(w);
    }
    return n;
  }
};

void sleep_until_ns(uint64_t deadline) {
  timespec ts{static_cast<time_t>(deadline / 1000000000u),
              static_cast<long>(deadline % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace

uint64_t Generator::run(const Pace& pace, uint64_t* seq) {
  const uint64_t start = monotonic_ns();
  const uint64_t end = start + static_cast<uint64_t>(pace.seconds * 1e9);
  uint64_t sent = 0, attempted = 0;
  for (uint64_t now = start; now < end; now = monotonic_ns()) {
    size_t n = pace.batch;
    if (pace.rate > 0) {
      auto due = static_cast<uint64_t>(static_cast<double>(now - start) * pace.rate / 1e9);
      if (due <= attempted) {
        uint64_t next =
            start + static_cast<uint64_t>(static_cast<double>(attempted + 1) * 1e9 / pace.rate);
        sleep_until_ns(std::min(next, end));
        continue;
      }
      n = static_cast<size_t>(std::min<uint64_t>(due - attempted, pace.batch));
    }
    sent += send_batch(*seq, n);
    *seq += n;
    attempted += n;
  }
  return sent;
}

Expected<std::unique_ptr<Generator>, std::string> open_udp_generator(const net::Endpoint& target,
                                                                     size_t sockets,
                                                                     const RequestShape& shape,
                                                                     size_t batch) {
  std::vector<Lane> lanes;
  for (size_t i = 0; i < sockets; ++i) {
    auto lane = open_lane(target, SOCK_DGRAM, shape, batch);
    if (!lane) {
      for (Lane& l : lanes) close(l.fd);
      return unexpected(lane.error());
    }
    lanes.push_back(std::move(*lane));
  }
  return std::unique_ptr<Generator>(new UdpGenerator(std::move(lanes)));
}

Expected<std::unique_ptr<Generator>, std::string> open_tcp_generator(const net::Endpoint& target,
                                                                     size_t connections,
                                                                     const RequestShape& shape,
                                                                     size_t batch,
                                                                     double connect_timeout_s) {
  std::vector<Lane> lanes;
  const uint64_t give_up = monotonic_ns() + static_cast<uint64_t>(connect_timeout_s * 1e9);
  while (lanes.size() < connections) {
    auto lane = open_lane(target, SOCK_STREAM, shape, batch);
    if (!lane) {
      if (monotonic_ns() < give_up) {
        usleep(50 * 1000);
        continue;
      }
      for (Lane& l : lanes) close(l.fd);
      return unexpected(lane.error());
    }
    int one = 1;
    setsockopt(lane->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval stall{2, 0};
    setsockopt(lane->fd, SOL_SOCKET, SO_SNDTIMEO, &stall, sizeof(stall));
    lanes.push_back(std::move(*lane));
  }
  return std::unique_ptr<Generator>(new TcpGenerator(std::move(lanes)));
}

}  // namespace sipedge::bench
