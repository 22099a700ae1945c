#include "metrics/exporter.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "metrics/http_request.h"
#include "metrics/pinned_xdp_source.h"

namespace sipedge::metrics {
namespace {

// A scrape request is one short head; a client that sends more, or takes longer, is cut off.
constexpr size_t kMaxRequestHead = 8192;
constexpr auto kClientDeadline = std::chrono::seconds(3);

std::string listen_error(const net::Endpoint& listen, const char* what, int err) {
  return "metrics: cannot listen on " + listen.to_string() + ": " + what + ": " +
         std::strerror(err);
}

// Waits until `fd` is ready for `events`, the wake fd fires, or the deadline passes.
// True only when `fd` is ready.
bool wait_ready(int fd, short events, int wake_fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || fds[1].revents != 0) return false;
    return (fds[0].revents & (events | POLLERR | POLLHUP)) != 0;
  }
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
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), addr_len) != 0 ||
      ::listen(fd, 16) != 0) {
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
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents != 0) return;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) continue;  // EAGAIN, ECONNABORTED, EMFILE: try again on the next event
    serve_connection(client);
    ::close(client);
  }
}

// One request per connection: read the head, answer, close.
void MetricsServer::serve_connection(int fd) {
  auto deadline = std::chrono::steady_clock::now() + kClientDeadline;
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxRequestHead || !wait_ready(fd, POLLIN, wake_fd_, deadline)) return;
    ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got <= 0) return;
    head.append(buf, static_cast<size_t>(got));
  }
  std::string reply = respond(parse_request_line(head), registry_);
  size_t sent = 0;
  while (sent < reply.size()) {
    ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_ready(fd, POLLOUT, wake_fd_, deadline)) return;
    } else {
      return;
    }
  }
  ::shutdown(fd, SHUT_WR);
}

}  // namespace sipedge::metrics
