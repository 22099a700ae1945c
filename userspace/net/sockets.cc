#include "net/sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>

#include <cstring>

namespace sipedge::net {
namespace {

std::string fail(const char* what, const Endpoint& ep) {
  return std::string(what) + " " + ep.to_string() + ": " + std::strerror(errno);
}

void set_int(int fd, int level, int name, int value) {
  setsockopt(fd, level, name, &value, sizeof(value));
}

}  // namespace

Expected<UniqueFd, std::string> open_udp_socket(const Endpoint& ep, bool reuseport) {
  int family = ep.address.family == 6 ? AF_INET6 : AF_INET;
  UniqueFd fd(socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return unexpected(fail("socket", ep));
  set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuseport) set_int(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1);
  if (family == AF_INET6) {
    set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
    set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVERR, 1);
  } else {
    set_int(fd.get(), IPPROTO_IP, IP_RECVERR, 1);
  }
  set_int(fd.get(), SOL_SOCKET, SO_RCVBUF, 4 << 20);
  set_int(fd.get(), SOL_SOCKET, SO_SNDBUF, 4 << 20);
  sockaddr_storage ss;
  socklen_t len = endpoint_to_sockaddr(ep, &ss);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return unexpected(fail("bind udp", ep));
  return fd;
}

Expected<UniqueFd, std::string> open_tcp_listener(const Endpoint& ep, int backlog) {
  int family = ep.address.family == 6 ? AF_INET6 : AF_INET;
  UniqueFd fd(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return unexpected(fail("socket", ep));
  set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
  set_int(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1);
  if (family == AF_INET6) set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
  sockaddr_storage ss;
  socklen_t len = endpoint_to_sockaddr(ep, &ss);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return unexpected(fail("bind tcp", ep));
  if (listen(fd.get(), backlog) != 0) return unexpected(fail("listen", ep));
  return fd;
}

Expected<UniqueFd, ConnectError> start_tcp_connect(const Endpoint& to) {
  auto local_errno = [] {
    return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM ||
           errno == EADDRNOTAVAIL || errno == EAGAIN;
  };
  int family = to.address.family == 6 ? AF_INET6 : AF_INET;
  UniqueFd fd(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return unexpected(ConnectError{fail("socket", to), true});
  set_int(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
  sockaddr_storage ss;
  socklen_t len = endpoint_to_sockaddr(to, &ss);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    bool local = local_errno();
    return unexpected(ConnectError{fail("connect", to), local});
  }
  return fd;
}

bool local_endpoint(int fd, Endpoint* out) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  return endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&ss), out);
}

}  // namespace sipedge::net
