// null_forwarder: the socket floor for the router benchmark. Every UDP datagram received on
// --listen is sent unchanged to --sink (recvmmsg/sendmmsg, batches of 64, no parsing); every
// TCP connection accepted on --listen gets its own connection to --sink and its bytes are
// relayed unchanged (no framing). One thread, one epoll: what a forwarder costs before it
// reads a single SIP byte.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <unordered_map>

#include "net/endpoint.h"

namespace {

using sipedge::net::Endpoint;

constexpr size_t kBatch = 64;
constexpr size_t kDatagramMax = 2048;
volatile sig_atomic_t stopping = 0;

int bound_socket(const Endpoint& at, int type) {
  sockaddr_storage addr;
  socklen_t len = sipedge::net::endpoint_to_sockaddr(at, &addr);
  int fd = socket(at.address.family == 4 ? AF_INET : AF_INET6, type | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    std::cerr << "null_forwarder: bind " << at.to_string() << ": " << std::strerror(errno) << "\n";
    std::exit(1);
  }
  return fd;
}

// Receives what is queued (non-blocking) and sends each batch on to the sink.
void relay_datagrams(int fd, const sockaddr_storage& sink, socklen_t sink_len) {
  static char buffers[kBatch][kDatagramMax];
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  for (;;) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {buffers[i], kDatagramMax};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      iov[i].iov_len = msgs[i].msg_len;
      msgs[i].msg_hdr.msg_name = const_cast<sockaddr_storage*>(&sink);
      msgs[i].msg_hdr.msg_namelen = sink_len;
    }
    for (int done = 0; done < n;) {
      int sent = sendmmsg(fd, msgs + done, static_cast<unsigned>(n - done), 0);
      if (sent <= 0) break;  // the sink is gone: drop, as UDP may
      done += sent;
    }
  }
}

// Copies what is readable on `from` to the blocking `to`; false when either side closed.
bool relay_stream(int from, int to) {
  static char buffer[64 * 1024];
  for (;;) {
    ssize_t n = recv(from, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = send(to, buffer + done, static_cast<size_t>(n - done), MSG_NOSIGNAL);
      if (w <= 0) return false;
      done += w;
    }
  }
}

int run(const Endpoint& listen_at, const Endpoint& sink_at) {
  sockaddr_storage sink;
  socklen_t sink_len = sipedge::net::endpoint_to_sockaddr(sink_at, &sink);
  int udp = bound_socket(listen_at, SOCK_DGRAM);
  int listener = bound_socket(listen_at, SOCK_STREAM | SOCK_NONBLOCK);
  listen(listener, 64);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = udp;
  epoll_ctl(ep, EPOLL_CTL_ADD, udp, &ev);
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, int> upstream_of;  // accepted connection -> its connection to the sink

  epoll_event events[16];
  while (!stopping) {
    int n = epoll_wait(ep, events, 16, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == udp) {
        relay_datagrams(udp, sink, sink_len);
      } else if (fd == listener) {
        for (int c; (c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) {
          int up = socket(sink.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
          int one = 1;
          setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          if (connect(up, reinterpret_cast<sockaddr*>(&sink), sink_len) != 0) {
            close(up);
            close(c);
            continue;
          }
          upstream_of[c] = up;
          ev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
      } else if (auto it = upstream_of.find(fd); it != upstream_of.end()) {
        if (!relay_stream(fd, it->second)) {
          close(it->second);
          close(fd);  // also leaves the epoll set
          upstream_of.erase(it);
        }
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen_text = "127.0.0.1:5060", sink_text = "127.0.0.1:5070";
  CLI::App app{"null_forwarder: relays UDP datagrams and TCP bytes to a sink, parsing nothing"};
  app.add_option("--listen", listen_text, "ADDR:PORT (UDP and TCP)")->capture_default_str();
  app.add_option("--sink", sink_text, "ADDR:PORT to relay to")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  Endpoint listen_at, sink_at;
  if (!sipedge::net::parse_endpoint(listen_text, &listen_at) ||
      !sipedge::net::parse_endpoint(sink_text, &sink_at)) {
    std::cerr << "null_forwarder: --listen and --sink take ADDR:PORT\n";
    return 2;
  }
  struct sigaction stop {};
  stop.sa_handler = [](int) { stopping = 1; };
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);
  return run(listen_at, sink_at);
}
