// dns_blackhole HOST PORT: binds UDP and TCP on HOST:PORT and never answers, so a DNS
// client pointed at it times out (a dead server that still accepts packets). Prints
// "query" for every UDP query it swallows, so a test can count what reached it. Runs until
// killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: dns_blackhole HOST PORT\n");
    return 2;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    std::fprintf(stderr, "dns_blackhole: bad IPv4 address %s\n", argv[1]);
    return 2;
  }
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  const int tcp = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(tcp, 16) != 0) {
    std::perror("dns_blackhole: bind");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[0].revents && recv(udp, buf, sizeof buf, 0) >= 0) {  // swallow the query
      std::printf("query\n");
      std::fflush(stdout);
    }
    if (fds[1].revents) {
      const int c = accept(tcp, nullptr, nullptr);  // accepted, never answered
      (void)c;
    }
  }
}
