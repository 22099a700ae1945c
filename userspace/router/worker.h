// One router worker: a thread with its own io_uring, its own SO_REUSEPORT sockets, its own
// c-ares channels, target cache, TCP connections and metrics block. Nothing it touches on
// the message path is shared with another worker except the DNS cache (lock-free reads)
// and the published configuration snapshot (read between loop turns); on a DNS cache miss,
// also the table of queries in flight (one mutex, beside a network round trip).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/worker_metrics.h"
#include "net/ring.h"
#include "net/tcp_connections.h"
#include "net/udp_send_batch.h"
#include "net/unique_fd.h"
#include "router/router_snapshot.h"
#include "router/target_cache.h"
#include "log/log.h"
#include "resolve/ares_driver.h"
#include "resolve/ares_upstream.h"
#include "resolve/caching_dns_source.h"
#include "resolve/dns_cache.h"
#include "resolve/rfc3263_resolver.h"
#include "resolve/shared_query_table.h"
#include "sip/message_parser.h"
#include "tls/session_cache.h"
#include "trust/flow_token.h"

namespace sipedge::router {

// What the daemon shares with every worker. Outlives the workers (the daemon enforces it by
// joining them before it destroys this).
struct WorkerShared {
  net::UringFeatures features;
  resolve::DnsCache* dns_cache = nullptr;
  // Upstream DNS queries in flight, so a cold name costs one query, not one per worker.
  // Each worker's CachingDnsSource holds its membership and leaves before the worker ends.
  resolve::SharedQueryTable dns_queries;
  SnapshotSlot* snapshot = nullptr;
  HopQuarantine* quarantine = nullptr;  // failed next hops, shared by all workers
  std::atomic<bool> stop{false};
  unsigned worker_count = 1;
};

class Worker {
 public:
  // Opens this worker's sockets and ring; the error names what failed. Must run on the
  // worker's own thread (the ring is single-issuer, the RCU registration is per thread).
  // `wake_fd` is an eventfd the daemon owns (it outlives the worker's thread): writing to it
  // wakes the loop for a stop or a reload.
  static Expected<std::unique_ptr<Worker>, std::string> create(unsigned index, WorkerShared& shared,
                                                               metrics::WorkerMetrics& metrics,
                                                               int wake_fd);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs the loop until shared.stop is set, then drains (parked DNS work, TCP write
  // queues) for at most `drain_ms` and returns.
  void run(int drain_ms);

 private:
  struct RxContext {
    proxy::Inbound in;
    int udp_fd = -1;         // the socket a datagram came in on (replies leave through it)
    net::ConnRef conn;       // the connection a stream message came in on
    int64_t arrived_us = 0;  // when the loop turn that received it began
  };
  struct UdpListener {
    net::UniqueFd fd;
    net::Endpoint local;
    msghdr msg{};  // template for multishot recvmsg (name length, no control)
    // A per-worker port (not a configured listener) for requests that came in over TCP:
    // their responses come back to this worker, which owns the client's connection.
    bool private_port = false;
  };
  struct DnsPoll {
    uint32_t mask = 0;
    uint32_t generation = 0;
  };
  struct TcpListener {
    net::UniqueFd fd;
    net::Endpoint local;
    bool tls = false;
    size_t config_index = 0;  // into the snapshot's listeners (and tls_servers)
    bool accept_armed = false;
    // Out of descriptors: accept waits until then instead of failing again at once.
    int64_t accept_paused_until_ms = 0;
  };
  struct Parked {
    std::string raw;
    RxContext rx;
  };
  struct PendingLookup {
    std::vector<Parked> waiting;
    int64_t started_ms = 0;
  };

  Worker(unsigned index, WorkerShared& shared, metrics::WorkerMetrics& metrics, int wake_fd);
  Expected<bool, std::string> open(const RouterSnapshot& snap);

  // Loop plumbing.
  void arm_udp_recv(uint32_t i);
  void arm_accept(uint32_t i);
  // Re-arms the accepts whose descriptor back-off ended; the earliest pause still running
  // (or INT64_MAX) goes to *next_ms.
  void resume_accepts(int64_t* next_ms);
  void arm_wake();
  void arm_conn_poll(net::TcpConnection* c);
  void arm_writable(net::TcpConnection* c, net::OpKind kind);
  void handle_cqe(const io_uring_cqe* cqe);
  void sync_dns_polls();
  void on_timer_tick();
  void refresh_snapshot();
  void rebuild_identity();

  // UDP.
  void on_udp_recv(uint32_t listener, const io_uring_cqe* cqe);
  void drain_udp_errors(int fd);
  // The UDP socket to send to `to` from (a listener of its family; the worker's private port
  // when `private_port`), or nullptr when there is none.
  const UdpListener* udp_socket_for(const net::Endpoint& to, bool private_port);
  // The source address the kernel routes `to` from (cached per destination for a while).
  bool route_source(const net::IpAddress& to, net::IpAddress* source);
  void send_udp(int fd, const net::Endpoint& to, std::string_view bytes);

  // TCP.
  void on_accept(uint32_t listener, const io_uring_cqe* cqe);
  void on_conn_readable(net::TcpConnection* c, int res);
  void on_connect_done(net::TcpConnection* c, int res);
  void on_writable(net::TcpConnection* c);
  // Sends a message on a stream connection (encrypted on TLS ones); false when its write
  // queue is full (the caller answers 503) or the connection failed.
  bool send_tcp(net::TcpConnection* c, std::string_view bytes);
  // Writes bytes as they are to the socket, queueing what the kernel does not take.
  bool send_raw(net::TcpConnection* c, std::string_view bytes);
  // Hands a connection's staged messages to the socket (through TLS when it is a TLS one)
  // if it is up; false when that closed the connection.
  bool flush_stream(net::TcpConnection* c);
  // flush_stream() for every connection that staged something this loop turn.
  void flush_streams();
  // The connection to a next hop over `transport` (kTcp, or kTls verified for `identity`),
  // reused or newly connecting; nullptr when it cannot be opened.
  net::TcpConnection* outbound_connection(const net::Endpoint& to,
                                          resolve::Transport transport = resolve::Transport::kTcp,
                                          std::string_view identity = {});
  // The listener our Via names for a message leaving on `c` (same transport and address,
  // else family), or the UDP one for a UDP-only edge.
  net::Endpoint via_local_for(const net::TcpConnection* c);
  void close_conn(net::TcpConnection* c, const char* why);
  // An outbound connection is usable (TCP connected; for TLS, the peer verified): the
  // requests queued on it count as sent now.
  void connection_up(net::TcpConnection* c);
  // An outbound connect failed or timed out: quarantine the hop, close, and route the requests
  // that were waiting on it again, now to the next target (RFC 3263 §4.3 failover without
  // waiting for a retransmission, which a TCP client never sends).
  void connect_failed(net::TcpConnection* c, const char* why);
  // TLS (worker_tls.cc): a session on an accepted or connected socket, ciphertext in and
  // out, the handshake's outcome.
  bool start_tls_server(net::TcpConnection* c, size_t listener_config_index);
  bool start_tls_client(net::TcpConnection* c);
  // Feeds ciphertext read from the socket; plaintext lands in c->in. False when the
  // connection was closed (handshake failure, alert, close_notify).
  bool tls_received(net::TcpConnection* c, std::string_view ciphertext, bool* eof);
  // Sends whatever the session has to send.
  bool flush_tls(net::TcpConnection* c);
  void on_tls_established(net::TcpConnection* c);
  void on_tls_failed(net::TcpConnection* c);
  void remember_tls_session(net::TcpConnection* c);
  std::string tls_session_key(const net::TcpConnection* c) const;
  // The flow token naming connection `ref` of this worker (carried in our Via branch).
  trust::FlowToken stream_flow(resolve::Transport t, net::ConnRef ref) const;
  static uint64_t conn_key(net::ConnRef r) {
    return (static_cast<uint64_t>(r.index) << 32) | r.generation;
  }

  // SIP.
  void on_datagram(std::string_view raw, const RxContext& rx);
  void on_parsed(const sip::Message& msg, std::string_view raw, const RxContext& rx,
                 const TargetList* resolved);
  void on_parse_failure(std::string_view raw, const RxContext& rx, const sip::ParseError& e);
  void on_request(const sip::Message& msg, std::string_view raw, const RxContext& rx,
                  const TargetList* resolved);
  void on_response(const sip::Message& msg, std::string_view raw, const RxContext& rx);
  // Sends a forwarded response on the flow its verified branch named (RFC 3261 §18.2.2 when
  // that connection is gone); false when it could not be sent.
  bool send_on_flow(const proxy::ResponseRoute& route, std::string_view bytes);
  void forward_request(const sip::Message& msg, std::string_view raw,
                       const proxy::RequestPlan& plan, const RxContext& rx, const TargetList& list);
  // Sends a stateless response to `msg` back where it came from.
  void reply(const sip::Message& msg, const RxContext& rx, uint16_t status, std::string_view reason,
             std::string_view extra = {});
  void send_back(const RxContext& rx, std::string_view bytes);
  void log_refusal(const RxContext& rx, uint16_t status, std::string_view why);

  // DNS.
  void park(std::string_view raw, const RxContext& rx, const TargetKey& key,
            const resolve::ResolveRequest& request, bool static_route);
  void on_resolved(const std::string& key, const TargetKey& tkey, bool static_route,
                   resolve::ResolveResult&& r);

  unsigned index_;
  WorkerShared& shared_;
  metrics::WorkerMetrics& m_;
  std::shared_ptr<const RouterSnapshot> snap_;
  // The snapshot's identity plus this worker's private ports: a response to a request we
  // sent from one of them carries our Via with that port.
  proxy::LocalIdentity me_;
  uint64_t snap_generation_ = 0;
  int64_t now_ms_ = 0;
  int64_t now_us_ = 0;     // the loop turn's clock (monotonic)
  bool closing_ = false;   // in ~Worker: late callbacks do nothing
  bool stopping_ = false;  // SIGTERM seen: draining

  std::unique_ptr<net::Ring> ring_;
  net::BufferRing* udp_buffers_ = nullptr;
  std::vector<UdpListener> udp_;
  std::vector<TcpListener> tcp_;
  int wake_fd_;  // borrowed from the daemon
  uint64_t wake_buf_ = 0;
  net::TcpConnectionTable conns_;
  net::UdpSendBatch batch_;
  std::vector<char> scratch_;  // one outgoing message (TCP sends, replies)
  int64_t next_tick_ms_ = 0;
  // Connections whose read stopped at the per-turn bound with bytes still queued: the
  // multishot poll fires only on new data, so they are read again next turn.
  std::vector<net::ConnRef> read_again_;
  std::vector<net::ConnRef> stream_flush_;  // connections with staged messages this turn

  // TLS: resumable sessions of next hops (per worker: no lock), and buffers for ciphertext.
  tls::ClientSessionCache tls_sessions_{1024};
  std::string tls_rx_;
  std::string tls_tx_;

  sip::MessageParser parser_;
  sip::Message msg_;
  sip::Message reparse_;  // parked requests are parsed again here once DNS answered
  TargetCache targets_;
  HopQuarantine& quarantine_;  // shared.quarantine
  std::unordered_map<std::string, PendingLookup> pending_;
  // Requests sent on outbound connections still connecting (by conn_key), kept to be routed
  // again if the connect fails. Bounded per connection; only the connecting path copies.
  std::unordered_map<uint64_t, std::vector<Parked>> connecting_;
  static constexpr size_t kMaxWaitingOnConnect = 64;
  bool reinjecting_ = false;  // routing requests again after a failed connect
  size_t parked_ = 0;
  log::RateLimiter refusal_log_;
  log::RateLimiter icmp_log_;  // ICMP errors that quarantine a hop

  // The DNS stack, in construction order; the driver is reset first in ~Worker so no c-ares
  // callback runs into a half-destroyed resolver.
  std::unique_ptr<resolve::AresDriver> ares_;
  std::unique_ptr<resolve::AresUpstream> upstream_;
  std::unique_ptr<resolve::CachingDnsSource> dns_source_;
  std::unique_ptr<resolve::Rfc3263Resolver> resolver_;
  std::unordered_map<int, DnsPoll> dns_polls_;  // c-ares fd -> the poll armed for it
  uint64_t dns_shared_waits_reported_ = 0;      // dns_source_->shared_waits() in the metrics
  uint64_t udp_refused_reported_ = 0;           // batch_.refused_total() in the metrics

  // Source-address choice when several listeners share a family (a wildcard expanded to
  // every local address): a direct-mapped cache of route lookups.
  struct RouteSource {
    net::IpAddress destination;
    net::IpAddress source;
    int64_t until_ms = 0;
  };
  std::vector<RouteSource> route_sources_ = std::vector<RouteSource>(256);
  net::UniqueFd route_probe4_, route_probe6_;
  uint32_t dns_poll_generation_ = 0;
};

}  // namespace sipedge::router
