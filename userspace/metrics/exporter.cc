#include "metrics/exporter.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <system_error>
#include <vector>

#include "metrics/http_request.h"
#include "metrics/pinned_xdp_source.h"

namespace sipedge::metrics {
namespace {

using Clock = std::chrono::steady_clock;

// A scrape request is one short head; a client that sends more, or takes longer, is cut off.
constexpr size_t kMaxRequestHead = 8192;
// From accept to the last byte of the response. A scrape is one short request and one reply,
// so a client still there after this is stuck or hostile, and its slot is wanted.
constexpr auto kClientDeadline = std::chrono::seconds(2);
// How long the listening socket is left out of poll() after accept failed for want of
// descriptors or memory: the connection stays queued, so poll() would report the socket
// readable again at once and retrying at once would spin.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

std::string listen_error(const net::Endpoint& listen, const char* what, int err) {
  return "metrics: cannot listen on " + listen.to_string() + ": " + what + ": " +
         std::strerror(err);
}

// One accepted connection: its request head while it arrives, then its response while it
// leaves (out is empty until the head is complete; respond() never returns "").
struct Connection {
  int fd;
  Clock::time_point deadline;
  std::string in;
  std::string out;
  size_t sent = 0;
};

// Sends what the socket takes of `c`'s response, and ends the response once all is sent.
// True while there is more to send when the socket is writable again.
bool flush(Connection& c) {
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return n < 0 && errno == EAGAIN;  // anything else: the client is gone
    }
  }
  ::shutdown(c.fd, SHUT_WR);
  return false;
}

// Reads what `c` sent; once its head is complete, answers it. True while the connection
// waits for more (of the head, or for room to send the response).
bool receive(Connection& c, const Registry& registry) {
  char buf[2048];
  ssize_t got = ::recv(c.fd, buf, sizeof(buf), 0);
  if (got < 0) return errno == EAGAIN || errno == EINTR;
  if (got == 0) return false;  // closed before its request was complete: nothing to answer
  // Only the new bytes and the three before them can complete the terminator.
  size_t from = c.in.size() < 3 ? 0 : c.in.size() - 3;
  c.in.append(buf, static_cast<size_t>(got));
  std::string_view tail = std::string_view(c.in).substr(from);
  if (tail.find("\r\n\r\n") == std::string_view::npos &&
      tail.find("\n\n") == std::string_view::npos)
    return c.in.size() <= kMaxRequestHead;
  c.out = respond(parse_request_line(c.in), registry);
  c.in = std::string();
  return flush(c);
}

// Accepts queued connections into `clients` while it has room. Returns when accept may be
// tried again: at once (Clock::time_point{}), or after kAcceptPause when it failed for want
// of descriptors or memory (counted in `pauses`).
Clock::time_point accept_queued(int listen_fd, std::vector<Connection>& clients,
                                std::atomic<uint64_t>& pauses) {
  while (clients.size() < MetricsServer::kMaxClients) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      clients.push_back({fd, Clock::now() + kClientDeadline, {}, {}, 0});
      continue;
    }
    switch (errno) {
      case EAGAIN:
        return {};
      // That connection failed (accept(2) passes on its network errors); the next may not.
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
      case ENOPROTOOPT:
      case ENETDOWN:
      case ENETUNREACH:
      case EHOSTDOWN:
      case EHOSTUNREACH:
      case ENONET:
        continue;
      default:
        // EMFILE, ENFILE, ENOBUFS, ENOMEM; anything unforeseen too, as retrying at once
        // could spin on it.
        pauses.fetch_add(1, std::memory_order_relaxed);
        return Clock::now() + kAcceptPause;
    }
  }
  return {};
}

// Milliseconds from `now` until `at`, rounded up so that poll() does not return just before
// a deadline and leave a burst of zero timeouts; -1 (no timeout) for time_point::max().
int poll_timeout(Clock::time_point at, Clock::time_point now) {
  if (at == Clock::time_point::max()) return -1;
  if (at <= now) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(at - now).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
}

}  // namespace

Expected<std::unique_ptr<MetricsServer>, std::string> MetricsServer::start(
    const net::Endpoint& listen, Registry& registry, std::string xdp_iface) {
  sockaddr_storage addr;
  socklen_t addr_len = net::endpoint_to_sockaddr(listen, &addr);
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected(listen_error(listen, "socket", errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // restart without waiting
  // The backlog holds a full table's worth more while every slot is taken.
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), addr_len) != 0 ||
      ::listen(fd, static_cast<int>(kMaxClients)) != 0) {
    int err = errno;
    ::close(fd);
    return unexpected(listen_error(listen, "bind", err));
  }
  net::Endpoint local = listen;
  sockaddr_storage bound;
  socklen_t bound_len = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) == 0)
    net::endpoint_from_sockaddr(reinterpret_cast<const sockaddr*>(&bound), &local);
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    int err = errno;
    ::close(fd);
    return unexpected(listen_error(listen, "eventfd", err));
  }

  if (!xdp_iface.empty()) registry.set_xdp_source(pinned_xdp_source(std::move(xdp_iface)));
  std::unique_ptr<MetricsServer> server(new MetricsServer(fd, wake, registry, local));
  try {
    server->thread_ = std::thread([s = server.get()] { s->serve(); });
  } catch (const std::system_error& e) {
    return unexpected("metrics: cannot start the server thread for " + listen.to_string() + ": " +
                      e.what());
  }
  return server;
}

MetricsServer::MetricsServer(int listen_fd, int wake_fd, const Registry& registry,
                             net::Endpoint local)
    : listen_fd_(listen_fd), wake_fd_(wake_fd), registry_(registry), local_(local) {}

MetricsServer::~MetricsServer() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof(one));
    (void)ignored;
    thread_.join();
  }
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void MetricsServer::serve() {
  std::vector<Connection> clients;
  clients.reserve(kMaxClients);
  std::vector<pollfd> fds;
  fds.reserve(kMaxClients + 2);
  Clock::time_point accept_resume{};  // accept is off until then
  for (;;) {
    auto now = Clock::now();
    std::erase_if(clients, [now](const Connection& c) {
      if (c.deadline > now) return false;
      ::close(c.fd);
      return true;
    });
    // A full table leaves new connections in the accept queue until a slot frees.
    bool room = clients.size() < kMaxClients;
    bool accepting = room && now >= accept_resume;
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});  // poll() skips a negative fd
    Clock::time_point wake_at = room && !accepting ? accept_resume : Clock::time_point::max();
    for (const Connection& c : clients) {
      fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
      wake_at = std::min(wake_at, c.deadline);
    }
    int n = ::poll(fds.data(), fds.size(), poll_timeout(wake_at, now));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOMEM) {
      // Transient (poll() allocates for this many fds); waiting avoids a spin.
      std::this_thread::sleep_for(kAcceptPause);
      continue;
    }
    if (n < 0 || fds[0].revents != 0) break;
    // fds[i + 2] is clients[i]: nothing is added to or removed from clients until after this.
    for (size_t i = 0; i < clients.size(); ++i) {
      Connection& c = clients[i];
      if (fds[i + 2].revents == 0) continue;
      if (!(c.out.empty() ? receive(c, registry_) : flush(c))) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    std::erase_if(clients, [](const Connection& c) { return c.fd < 0; });
    if (fds[1].revents != 0) accept_resume = accept_queued(listen_fd_, clients, accept_pauses_);
  }
  for (const Connection& c : clients) ::close(c.fd);
}

}  // namespace sipedge::metrics
