// sip_loadgen: drives one forwarder with benchmark SIP requests and receives what it forwards.
// Phases: warm-up (a trickle until the sink has seen --warmup requests: the forwarder's DNS
// cache is then filled), then the measured load (--rate, --duration), then a drain. Prints a
// JSON summary: requests forwarded per second, the forwarder's CPU-seconds over the window
// (--cpu-pid: that process and its descendants), forwarded requests per CPU-second, and the
// added latency percentiles from the Call-ID send stamps.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "clock.h"
#include "generator.h"
#include "process_cpu.h"
#include "sink.h"
#include "sipedge/json_writer.h"

namespace {

using namespace sipedge;
using namespace sipedge::bench;

struct Options {
  std::string target = "127.0.0.1:5060";
  std::string sink = "127.0.0.1:5070";
  std::string transport = "udp";
  RequestShape shape;
  Pace pace;
  size_t sockets = 4;
  size_t connections = 2;
  uint64_t warmup = 50;
  double warmup_timeout = 10;
  double drain = 0.3;
  int sink_poll_us = -1;
  int cpu_pid = 0;
  std::string label;
};

// Waits (bounded) until the sink's measured count stops growing: the forwarder's queue is empty.
void drain(const Sink& sink, double max_seconds) {
  const uint64_t give_up = monotonic_ns() + static_cast<uint64_t>(max_seconds * 1e9);
  uint64_t last = sink.counts().measured;
  while (monotonic_ns() < give_up) {
    usleep(50 * 1000);
    uint64_t now = sink.counts().measured;
    if (now == last) return;
    last = now;
  }
}

int run(const Options& o) {
  net::Endpoint target, sink_at;
  if (!net::parse_endpoint(o.target, &target) || !net::parse_endpoint(o.sink, &sink_at)) {
    std::cerr << "sip_loadgen: --target and --sink take ADDR:PORT\n";
    return 2;
  }
  Sink sink;
  if (auto opened = sink.open(sink_at); !opened) {
    std::cerr << "sip_loadgen: " << opened.error() << "\n";
    return 1;
  }
  auto generator =
      o.transport == "tcp"
          ? open_tcp_generator(target, o.connections, o.shape, o.pace.batch, o.warmup_timeout)
          : open_udp_generator(target, o.sockets, o.shape, o.pace.batch);
  if (!generator) {
    std::cerr << "sip_loadgen: " << generator.error() << "\n";
    return 1;
  }
  for (int fd : (*generator)->fds()) sink.watch_responses(fd);
  sink.set_poll_interval_us(
      static_cast<unsigned>(o.sink_poll_us >= 0 ? o.sink_poll_us : (o.pace.rate > 0 ? 0 : 1000)));
  sink.run();

  // Warm-up: 100 requests/s until enough came through.
  uint64_t seq = 1;
  const uint64_t warm_until = monotonic_ns() + static_cast<uint64_t>(o.warmup_timeout * 1e9);
  auto forwarded = [&sink] { return sink.counts().udp + sink.counts().tcp; };
  while (forwarded() < o.warmup && monotonic_ns() < warm_until) {
    (*generator)->run(Pace{100, 0.1, 1}, &seq);
  }
  const uint64_t warmed = forwarded();

  // Measured window: the forwarder's CPU from the first request sent to the end of the drain.
  std::vector<pid_t> forwarder =
      o.cpu_pid > 0 ? process_tree(static_cast<pid_t>(o.cpu_pid)) : std::vector<pid_t>{};
  const uint64_t first_measured = seq;
  sink.measure_from(first_measured);
  const double cpu_before = cpu_seconds(forwarder);
  const uint64_t start = monotonic_ns();
  uint64_t sent = 0;
  if (warmed >= o.warmup) sent = (*generator)->run(o.pace, &seq);
  const uint64_t send_end = monotonic_ns();
  drain(sink, o.drain);
  const double cpu_after = cpu_seconds(forwarder);
  const uint64_t end = monotonic_ns();
  sink.stop();

  const SinkCounts c = sink.counts();
  const double window = static_cast<double>(send_end - start) / 1e9;
  const double elapsed = static_cast<double>(end - start) / 1e9;
  const double cpu = cpu_after - cpu_before;
  auto u = [](double v) { return static_cast<uint64_t>(v < 0 ? 0 : v + 0.5); };
  JsonWriter json;
  json.begin_object();
  json.key("label").value(o.label);
  json.key("transport").value(o.transport);
  json.key("ok").value(warmed >= o.warmup && c.measured > 0);
  json.key("warmup_forwarded").value(warmed);
  json.key("rate_asked").value(u(o.pace.rate));
  json.key("window_ms").value(u(window * 1000));
  json.key("elapsed_ms").value(u(elapsed * 1000));
  json.key("sent").value(sent);
  json.key("sent_per_s").value(u(window > 0 ? static_cast<double>(sent) / window : 0));
  json.key("forwarded").value(c.measured);
  json.key("forwarded_per_s").value(u(window > 0 ? static_cast<double>(c.measured) / window : 0));
  json.key("proxied").value(c.proxied);
  json.key("cpu_ms").value(u(cpu * 1000));
  json.key("cpu_util_pct").value(u(elapsed > 0 ? 100 * cpu / elapsed : 0));
  json.key("forwarded_per_cpu_s").value(u(cpu > 0 ? static_cast<double>(c.measured) / cpu : 0));
  json.key("p50_us").value(u(static_cast<double>(sink.latency().quantile(0.50)) / 1000));
  json.key("p99_us").value(u(static_cast<double>(sink.latency().quantile(0.99)) / 1000));
  json.key("p999_us").value(u(static_cast<double>(sink.latency().quantile(0.999)) / 1000));
  json.key("sink_udp").value(c.udp);
  json.key("sink_tcp").value(c.tcp);
  json.key("unstamped").value(c.unstamped);
  json.key("responses").value(c.responses);
  json.key("first_response").value(sink.first_response());
  json.key("sink_realtime").value(sink.realtime());
  json.key("forwarder_processes").value(static_cast<uint64_t>(forwarder.size()));
  json.end_object();
  std::cout << json.str() << "\n";
  if (warmed < o.warmup) {
    std::cerr << "sip_loadgen: only " << warmed << " of " << o.warmup
              << " warm-up requests came through in " << o.warmup_timeout << " s\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "sip_loadgen: SIP MESSAGE load through a forwarder into a sink; prints a JSON summary"};
  app.add_option("--target", o.target, "forwarder ADDR:PORT")->capture_default_str();
  app.add_option("--sink", o.sink, "ADDR:PORT where forwarded requests arrive (UDP and TCP)")
      ->capture_default_str();
  app.add_option("--transport", o.transport, "generator -> forwarder transport")
      ->check(CLI::IsMember({"udp", "tcp"}))
      ->capture_default_str();
  app.add_option("--uri", o.shape.request_uri, "Request-URI")->capture_default_str();
  app.add_option("--size", o.shape.size, "request size in bytes")->capture_default_str();
  app.add_option("--rate", o.pace.rate, "requests/s; 0 = as fast as possible")
      ->capture_default_str();
  app.add_option("--duration", o.pace.seconds, "measured seconds")->capture_default_str();
  app.add_option("--batch", o.pace.batch, "requests per send call (at most 256)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--sockets", o.sockets, "UDP source sockets")->capture_default_str();
  app.add_option("--connections", o.connections, "TCP connections")->capture_default_str();
  app.add_option("--warmup", o.warmup, "requests the sink must see before measuring")
      ->capture_default_str();
  app.add_option("--warmup-timeout", o.warmup_timeout, "seconds")->capture_default_str();
  app.add_option("--drain", o.drain, "most seconds to wait for the forwarder's queue")
      ->capture_default_str();
  app.add_option("--sink-poll-us", o.sink_poll_us,
                 "sink pause between reads; default 1000 at full load, 0 at a fixed rate");
  app.add_option("--cpu-pid", o.cpu_pid, "forwarder PID: its CPU (and its descendants') is read");
  app.add_option("--label", o.label, "copied into the summary");
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
