// tls_loadgen: drives one SIP-over-TLS server (a proxy that forwards to --sink over UDP) and
// prints one JSON summary. Modes:
//   handshakes  connect + full TLS handshake (or resumed, --resume) + close, --concurrency in
//               flight: handshakes per second and per CPU-second of the server;
//   messages    --connections open connections, --window MESSAGE requests outstanding on
//               each; 200 OK responses per second and per CPU-second of the server, and the
//               round trip (request written -> 200 OK read);
//   idle        opens --connections connections, one MESSAGE/200 OK on each, then holds them:
//               the server's memory (Pss of it and its descendants) before and after, per
//               connection.
// The UDP responder on --sink answers every forwarded request 200 OK (udp_responder.h).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "clock.h"
#include "process_cpu.h"
#include "process_memory.h"
#include "sipedge/json_writer.h"
#include "tls_client.h"
#include "udp_responder.h"

namespace {

using namespace sipedge;
using namespace sipedge::bench;

struct Options {
  std::string mode = "messages";
  std::string target = "127.0.0.1:5061";
  std::string sink = "127.0.0.2:5070";
  ClientConfig client;
  double duration = 5;
  double warmup = 1;
  size_t concurrency = 16;
  bool resume = false;
  size_t connections = 1;
  size_t window = 64;
  double settle = 1;
  bool hold = false;
  int server_pid = 0;
  std::string label;
};

volatile sig_atomic_t stop_requested = 0;
void on_stop_signal(int) { stop_requested = 1; }

// Descriptor limit up to the hard limit: idle mode holds thousands of sockets.
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

uint64_t rounded(double v) { return static_cast<uint64_t>(v < 0 ? 0 : v + 0.5); }

// CPU-seconds of the server (and its descendants) between start() and end().
class ServerCpu {
 public:
  explicit ServerCpu(int pid)
      : tree_(pid > 0 ? process_tree(static_cast<pid_t>(pid)) : std::vector<pid_t>{}) {}
  void start() {
    cpu_ = cpu_seconds(tree_);
    at_ = monotonic_ns();
  }
  void end() {
    cpu_ = cpu_seconds(tree_) - cpu_;
    window_ = static_cast<double>(monotonic_ns() - at_) / 1e9;
  }
  double cpu() const { return cpu_; }
  double window() const { return window_; }
  size_t processes() const { return tree_.size(); }
  const std::vector<pid_t>& tree() const { return tree_; }

 private:
  std::vector<pid_t> tree_;
  double cpu_ = 0;
  uint64_t at_ = 0;
  double window_ = 0;
};

void write_counts(JsonWriter& json, const LoadCounts& c) {
  json.key("handshakes").value(c.handshakes);
  json.key("resumed").value(c.resumed);
  json.key("handshake_failures").value(c.handshake_failures);
  json.key("sent").value(c.sent);
  json.key("ok_responses").value(c.ok);
  json.key("other").value(c.other);
  json.key("lost").value(c.lost);
  json.key("closed").value(c.closed);
  json.key("first_other").value(c.first_other);
  json.key("first_error").value(c.first_error);
}

void write_rates(JsonWriter& json, const ServerCpu& cpu, uint64_t count, std::string_view what) {
  const double w = cpu.window();
  json.key("window_ms").value(rounded(w * 1000));
  json.key("cpu_ms").value(rounded(cpu.cpu() * 1000));
  json.key("cpu_util_pct").value(rounded(w > 0 ? 100 * cpu.cpu() / w : 0));
  json.key(std::string(what) + "_per_s").value(rounded(w > 0 ? static_cast<double>(count) / w : 0));
  json.key(std::string(what) + "_per_cpu_s")
      .value(rounded(cpu.cpu() > 0 ? static_cast<double>(count) / cpu.cpu() : 0));
}

int run(const Options& o) {
  raise_fd_limit();
  ClientConfig config = o.client;
  net::Endpoint sink_at;
  if (!net::parse_endpoint(o.target, &config.target) || !net::parse_endpoint(o.sink, &sink_at)) {
    std::cerr << "tls_loadgen: --target and --sink take ADDR:PORT\n";
    return 2;
  }
  UdpResponder responder;
  if (o.mode != "handshakes") {
    if (auto started = responder.start(sink_at); !started) {
      std::cerr << "tls_loadgen: " << started.error() << "\n";
      return 1;
    }
  }
  auto client = TlsClient::create(config);
  if (!client) {
    std::cerr << "tls_loadgen: " << client.error() << "\n";
    return 1;
  }
  TlsClient& tls = **client;
  ServerCpu cpu(o.server_pid);
  LoadCounts counts;
  JsonWriter json;
  json.begin_object();
  json.key("label").value(o.label);
  json.key("mode").value(o.mode);
  bool ok = false;

  if (o.mode == "handshakes") {
    tls.run_handshakes(
        o.concurrency, o.resume, o.warmup, o.duration, [&] { cpu.start(); }, [&] { cpu.end(); },
        &counts);
    ok = counts.handshakes > 0 && (!o.resume || counts.resumed > 0);
    json.key("resume").value(o.resume);
    json.key("concurrency").value(static_cast<uint64_t>(o.concurrency));
    write_rates(json, cpu, counts.handshakes, "handshakes");
    json.key("resumed_pct")
        .value(rounded(counts.handshakes ? 100.0 * static_cast<double>(counts.resumed) /
                                               static_cast<double>(counts.handshakes)
                                         : 0));
  } else if (o.mode == "messages") {
    size_t opened = tls.open(o.connections, o.concurrency, 10, &counts);
    json.key("connections").value(static_cast<uint64_t>(opened));
    json.key("window").value(static_cast<uint64_t>(o.window));
    if (opened == o.connections) {
      LoadCounts setup = counts;
      counts = LoadCounts{};
      tls.run_messages(
          o.window, o.warmup, o.duration, [&] { cpu.start(); }, [&] { cpu.end(); }, &counts);
      if (counts.first_error.empty()) counts.first_error = setup.first_error;
      ok = counts.ok > 0 && counts.other == 0;
    }
    write_rates(json, cpu, counts.ok, "ok");
    json.key("p50_us").value(rounded(static_cast<double>(counts.latency.quantile(0.5)) / 1000));
    json.key("p99_us").value(rounded(static_cast<double>(counts.latency.quantile(0.99)) / 1000));
  } else {
    // Warm-up: a few connections used and closed first, so one-time allocations (libssl
    // tables, the first session, buffer pools) are not charged to the ones measured.
    LoadCounts warm;
    tls.open(4, 4, 10, &warm);
    tls.transact_once(5, &warm);
    tls.close_all();
    usleep(static_cast<useconds_t>(o.settle * 1e6 / 2));
    ProcessMemory before = process_memory(cpu.tree());
    size_t opened = tls.open(o.connections, o.concurrency, 60, &counts);
    tls.transact_once(20, &counts);
    usleep(static_cast<useconds_t>(o.settle * 1e6));
    ProcessMemory after = process_memory(cpu.tree());
    size_t still_open = tls.open_count();
    // Every connection open and still held; how many got their 200 OK back is reported
    // (answered), not required: the memory is that of the held connections either way.
    ok = opened == o.connections && still_open == opened && !cpu.tree().empty();
    json.key("answered").value(counts.ok);
    auto per = [&](uint64_t b, uint64_t a) {
      return rounded(opened ? (static_cast<double>(a) - static_cast<double>(b)) * 1024.0 /
                                  static_cast<double>(opened)
                            : 0);
    };
    json.key("connections").value(static_cast<uint64_t>(o.connections));
    json.key("opened").value(static_cast<uint64_t>(opened));
    json.key("still_open").value(static_cast<uint64_t>(still_open));
    json.key("pss_before_kib").value(before.pss_kib);
    json.key("pss_after_kib").value(after.pss_kib);
    json.key("rss_before_kib").value(before.rss_kib);
    json.key("rss_after_kib").value(after.rss_kib);
    json.key("pss_bytes_per_connection").value(per(before.pss_kib, after.pss_kib));
    json.key("rss_bytes_per_connection").value(per(before.rss_kib, after.rss_kib));
  }
  json.key("ok").value(ok);
  json.key("negotiated").value(tls.negotiated());
  json.key("server_processes").value(static_cast<uint64_t>(cpu.processes()));
  json.key("responder_requests").value(responder.requests());
  json.key("responder_proxied").value(responder.proxied());
  json.key("responder_unanswerable").value(responder.unanswerable());
  json.key("responder_realtime").value(responder.realtime());
  write_counts(json, counts);
  json.end_object();
  std::cout << json.str() << std::endl;

  if (o.hold) {
    // Connections stay open until SIGINT / SIGTERM, for inspecting the server by hand.
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    while (!stop_requested) pause();
  }
  tls.close_all();
  responder.stop();
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "tls_loadgen: SIP over TLS load (handshakes, messages, idle connections); "
      "prints a JSON summary"};
  app.add_option("--mode", o.mode, "handshakes | messages | idle")
      ->check(CLI::IsMember({"handshakes", "messages", "idle"}))
      ->capture_default_str();
  app.add_option("--target", o.target, "TLS listener ADDR:PORT")->capture_default_str();
  app.add_option("--sink", o.sink, "ADDR:PORT of the UDP responder (the proxy's next hop)")
      ->capture_default_str();
  app.add_option("--uri", o.client.request_uri, "Request-URI")->capture_default_str();
  app.add_option("--size", o.client.request_size, "request size in bytes")->capture_default_str();
  app.add_option("--ca", o.client.ca, "CA bundle verifying the server (default: no chain check)");
  app.add_option("--server-name", o.client.server_name, "SNI (verified with --ca)");
  app.add_option("--duration", o.duration, "measured seconds")->capture_default_str();
  app.add_option("--warmup", o.warmup, "seconds of load before measuring")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "handshakes in flight")->capture_default_str();
  app.add_flag("--resume", o.resume, "handshakes: resume one saved session (tickets)");
  app.add_option("--connections", o.connections, "messages / idle: connections")
      ->capture_default_str();
  app.add_option("--window", o.window, "messages: requests outstanding per connection")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--settle", o.settle, "idle: seconds before reading memory")
      ->capture_default_str();
  app.add_flag("--hold", o.hold, "idle: keep the connections until SIGINT/SIGTERM");
  app.add_option("--server-pid", o.server_pid,
                 "server PID: its (and its descendants') CPU and memory are read");
  app.add_option("--label", o.label, "copied into the summary");
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
