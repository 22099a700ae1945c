// The metrics HTTP endpoint: GET /metrics (Prometheus text 0.0.4) and GET /healthz ("ok")
// on one listening address, served by one background thread that owns its sockets and
// multiplexes up to kMaxClients connections with poll(), so a stuck or slow client only
// holds its own slot until its deadline.
//
// A small server of our own rather than prometheus::Exposer: Debian's civetweb (which
// Exposer runs on) is built without IPv6, Exposer cannot send the 0.0.4 content type or
// serve /healthz, and its bind failure does not say why. The body is still prometheus-cpp's
// (Registry is a prometheus::Collectable, rendered by prometheus::TextSerializer).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "metrics/registry.h"
#include "net/endpoint.h"
#include "sipedge/expected.h"

namespace sipedge::metrics {

class MetricsServer {
 public:
  // Connections served at once; more wait in the kernel's accept queue until a slot frees.
  static constexpr size_t kMaxClients = 64;

  // Listens on `listen` (port 0: an ephemeral port, see local()) and serves `registry`, which
  // must outlive the server. A non-empty `xdp_iface` makes scrapes include the XDP counters
  // pinned for that interface. Errors name the address: "metrics: cannot listen on A:P: why".
  static Expected<std::unique_ptr<MetricsServer>, std::string> start(const net::Endpoint& listen,
                                                                     Registry& registry,
                                                                     std::string xdp_iface);

  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  // Stops serving (scrapes in progress are abandoned) and closes every socket.
  ~MetricsServer();

  // The address actually bound.
  const net::Endpoint& local() const { return local_; }

  // How many times accepting was paused because accept failed for want of descriptors or
  // memory (EMFILE, ENFILE, ENOBUFS, ENOMEM); any thread may read it.
  uint64_t accept_pauses() const { return accept_pauses_.load(std::memory_order_relaxed); }

 private:
  MetricsServer(int listen_fd, int wake_fd, const Registry& registry, net::Endpoint local);
  void serve();

  int listen_fd_;
  int wake_fd_;  // eventfd: written once by the destructor to stop the thread
  const Registry& registry_;
  net::Endpoint local_;
  std::atomic<uint64_t> accept_pauses_{0};
  std::thread thread_;
};

}  // namespace sipedge::metrics
