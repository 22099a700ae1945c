#include "metrics/exposition.h"

#include <limits>
#include <string_view>
#include <utility>

#include "xdp/names.h"

namespace sipedge::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

constexpr double kMicrosPerSecond = 1e6;

ClientMetric::Label label(std::string_view name, std::string_view value) {
  return {std::string(name), std::string(value)};
}

MetricFamily family(std::string_view name, std::string_view help, MetricType type) {
  MetricFamily f;
  f.name = std::string(name);
  f.help = std::string(help);
  f.type = type;
  return f;
}

void add_sample(MetricFamily& f, Labels labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

MetricFamily single(std::string_view name, std::string_view help, MetricType type, double value) {
  MetricFamily f = family(name, help, type);
  add_sample(f, {}, value);
  return f;
}

// `base` is a histogram's first slot; the buckets become cumulative and the +Inf bucket is
// their total, so +Inf equals the count even while workers keep observing.
MetricFamily histogram(std::string_view name, std::string_view help, const CounterTotals& t,
                       size_t base) {
  MetricFamily f = family(name, help, MetricType::Histogram);
  ClientMetric m;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBoundsUs.size(); ++i) {
    cumulative += t[base + i];
    m.histogram.bucket.push_back(
        {cumulative, static_cast<double>(kLatencyBoundsUs[i]) / kMicrosPerSecond});
  }
  cumulative += t[base + kLatencyBoundsUs.size()];
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(t[base + slot::kHistogramSum]) / kMicrosPerSecond;
  f.metric.push_back(std::move(m));
  return f;
}

std::string status_class_label(size_t status_class) {
  return std::to_string(status_class + 1) + "xx";
}

void append_messages(const CounterTotals& t, std::vector<MetricFamily>* out) {
  MetricFamily requests = family(
      "sipedge_sip_requests_total",
      "SIP requests received (in) and sent (out), by transport and method.", MetricType::Counter);
  MetricFamily responses =
      family("sipedge_sip_responses_total",
             "SIP responses received (in) and sent (out), by transport and status class.",
             MetricType::Counter);
  for (size_t d = 0; d < count_of<Direction>(); ++d) {
    auto dir = static_cast<Direction>(d);
    for (size_t tr = 0; tr < kTransportCount; ++tr) {
      auto transport = static_cast<resolve::Transport>(tr);
      for (size_t m = 0; m < count_of<Method>(); ++m) {
        uint64_t v = t[slot::request(dir, transport, static_cast<Method>(m))];
        if (v == 0) continue;
        add_sample(requests,
                   {label("direction", direction_label(dir)),
                    label("transport", resolve::transport_name(transport)),
                    label("method", method_label(static_cast<Method>(m)))},
                   static_cast<double>(v));
      }
      for (size_t c = 0; c < kStatusClassCount; ++c) {
        uint64_t v = t[slot::response(dir, transport, c)];
        if (v == 0) continue;
        add_sample(responses,
                   {label("direction", direction_label(dir)),
                    label("transport", resolve::transport_name(transport)),
                    label("class", status_class_label(c))},
                   static_cast<double>(v));
      }
    }
  }
  out->push_back(std::move(requests));
  out->push_back(std::move(responses));

  MetricFamily replies =
      family("sipedge_stateless_replies_total",
             "Responses the router generated itself, by status code.", MetricType::Counter);
  for (size_t i = 0; i < kStatusCodeCount; ++i) {
    uint64_t v = t[slot::kStatelessReplies + i];
    if (v == 0) continue;
    add_sample(replies, {label("code", std::to_string(kFirstStatusCode + i))},
               static_cast<double>(v));
  }
  out->push_back(std::move(replies));

  MetricFamily parse = family("sipedge_parse_errors_total",
                              "Messages refused by the parser, by reason.", MetricType::Counter);
  for (size_t i = 0; i < count_of<ParseFailure>(); ++i)
    add_sample(parse, {label("reason", parse_failure_label(static_cast<ParseFailure>(i)))},
               static_cast<double>(t[slot::kParseFailures + i]));
  out->push_back(std::move(parse));
}

void append_policy(const CounterTotals& t, const std::vector<std::string>& rule_names,
                   std::vector<MetricFamily>* out) {
  MetricFamily policy =
      family("sipedge_policy_decisions_total",
             "Policy decisions, by the rule that decided and the verdict.", MetricType::Counter);
  for (size_t r = 0; r < rule_names.size() && r < kMaxPolicyRules; ++r)
    for (size_t v = 0; v < kVerdictCount; ++v)
      add_sample(
          policy,
          {label("rule", rule_names[r]), label("verdict", verdict_label(static_cast<uint8_t>(v)))},
          static_cast<double>(t[slot::policy(r, v)]));
  out->push_back(std::move(policy));
}

void append_resolution(const CounterTotals& t, std::vector<MetricFamily>* out) {
  MetricFamily outcomes =
      family("sipedge_resolutions_total", "Next-hop resolutions (RFC 3263), by outcome.",
             MetricType::Counter);
  for (size_t i = 0; i < count_of<ResolveOutcome>(); ++i)
    add_sample(outcomes, {label("outcome", resolve_outcome_label(static_cast<ResolveOutcome>(i)))},
               static_cast<double>(t[slot::kResolve + i]));
  out->push_back(std::move(outcomes));
  out->push_back(single("sipedge_dns_cache_hits_total", "Resolver cache lookups that hit.",
                        MetricType::Counter, static_cast<double>(t[slot::kCacheHit])));
  out->push_back(single("sipedge_dns_cache_misses_total", "Resolver cache lookups that missed.",
                        MetricType::Counter, static_cast<double>(t[slot::kCacheMiss])));
  out->push_back(single("sipedge_dns_cache_stale_total",
                        "Answers served from expired cache entries because DNS failed.",
                        MetricType::Counter, static_cast<double>(t[slot::kCacheStale])));
  out->push_back(single("sipedge_dns_shared_waits_total",
                        "DNS cache misses that waited for another worker's query instead of "
                        "sending their own.",
                        MetricType::Counter, static_cast<double>(t[slot::kDnsSharedWaits])));
  out->push_back(histogram("sipedge_dns_latency_seconds",
                           "Time from sending a DNS query to its answer.", t, slot::kDnsLatency));
}

void append_forwarding(const CounterTotals& t, std::vector<MetricFamily>* out) {
  out->push_back(histogram("sipedge_forward_latency_seconds",
                           "Time from receiving a message to sending it on.", t,
                           slot::kForwardLatency));
  uint64_t opened = t[slot::kConnectionsOpened];
  uint64_t closed = t[slot::kConnectionsClosed];
  // The two slots are read one after the other while workers write: never report < 0.
  out->push_back(single("sipedge_connections_open", "Stream connections open now.",
                        MetricType::Gauge,
                        static_cast<double>(opened > closed ? opened - closed : 0)));
  out->push_back(single("sipedge_connections_opened_total",
                        "Stream connections opened (accepted or connected).", MetricType::Counter,
                        static_cast<double>(opened)));
  MetricFamily drops = family("sipedge_drops_total", "Messages dropped by the router, by reason.",
                              MetricType::Counter);
  for (size_t i = 0; i < count_of<DropReason>(); ++i)
    add_sample(drops, {label("reason", drop_reason_label(static_cast<DropReason>(i)))},
               static_cast<double>(t[slot::kDrops + i]));
  out->push_back(std::move(drops));
  MetricFamily rdrops = family("sipedge_responses_dropped_total",
                               "Responses not forwarded, by reason (forged_branch: our Via "
                               "branch did not verify for the Via below it).",
                               MetricType::Counter);
  for (size_t i = 0; i < count_of<ResponseDropReason>(); ++i)
    add_sample(rdrops, {label("reason", response_drop_label(static_cast<ResponseDropReason>(i)))},
               static_cast<double>(t[slot::kResponseDrops + i]));
  out->push_back(std::move(rdrops));
  for (size_t i = 0; i < count_of<Event>(); ++i) {
    auto e = static_cast<Event>(i);
    out->push_back(single("sipedge_" + std::string(event_label(e)) + "_total",
                          std::string(event_help(e)), MetricType::Counter,
                          static_cast<double>(t[slot::kEvents + i])));
  }
  out->push_back(single("sipedge_failovers_total",
                        "Targets skipped because they failed before (RFC 3263 4.3).",
                        MetricType::Counter, static_cast<double>(t[slot::kFailovers])));
  out->push_back(single("sipedge_sips_downgrades_total",
                        "sips: requests forwarded over plaintext to a trusted-downgrade hop.",
                        MetricType::Counter, static_cast<double>(t[slot::kDowngrades])));
}

void append_tls(const CounterTotals& t, const ExpositionContext& context,
                std::vector<MetricFamily>* out) {
  MetricFamily handshakes = family("sipedge_tls_handshakes_total",
                                   "TLS handshakes, by direction (in: accepted, out: to next "
                                   "hops) and result.",
                                   MetricType::Counter);
  MetricFamily failures =
      family("sipedge_tls_handshake_failures_total",
             "TLS handshakes that failed, by direction and reason.", MetricType::Counter);
  for (size_t d = 0; d < count_of<Direction>(); ++d) {
    auto dir = static_cast<Direction>(d);
    for (bool ok : {true, false})
      add_sample(handshakes,
                 {label("direction", direction_label(dir)), label("result", ok ? "ok" : "failed")},
                 static_cast<double>(t[slot::tls_handshake(dir, ok)]));
    for (size_t r = 0; r < count_of<TlsFailure>(); ++r) {
      auto why = static_cast<TlsFailure>(r);
      add_sample(
          failures,
          {label("direction", direction_label(dir)), label("reason", tls_failure_label(why))},
          static_cast<double>(t[slot::tls_failure(dir, why)]));
    }
  }
  out->push_back(std::move(handshakes));
  out->push_back(std::move(failures));
  MetricFamily open =
      family("sipedge_tls_connections",
             "TLS connections open now (handshake done), by TLS version.", MetricType::Gauge);
  for (size_t v = 0; v < count_of<TlsVersion>(); ++v) {
    uint64_t opened = t[slot::kTlsOpened + v], closed = t[slot::kTlsClosed + v];
    add_sample(open, {label("version", tls_version_label(static_cast<TlsVersion>(v)))},
               static_cast<double>(opened > closed ? opened - closed : 0));
  }
  out->push_back(std::move(open));
  if (context.tls_certificates && !context.tls_certificates->empty()) {
    MetricFamily expiry = family("sipedge_tls_certificate_expiry_seconds",
                                 "Seconds until each configured certificate expires (negative: "
                                 "expired).",
                                 MetricType::Gauge);
    for (const auto& [path, not_after] : *context.tls_certificates)
      add_sample(expiry, {label("certificate", path)},
                 static_cast<double>(not_after - context.now_unix));
    out->push_back(std::move(expiry));
  }
}

}  // namespace

std::vector<MetricFamily> router_families(const CounterTotals& totals,
                                          const ExpositionContext& context) {
  std::vector<MetricFamily> out;
  MetricFamily build =
      family("sipedge_build_info", "The running sipedge build (always 1).", MetricType::Gauge);
  add_sample(build, {label("version", context.version)}, 1);
  out.push_back(std::move(build));
  out.push_back(single("sipedge_workers", "Worker threads forwarding messages.", MetricType::Gauge,
                       static_cast<double>(context.workers)));
  append_messages(totals, &out);
  static const std::vector<std::string> kNoRules;
  append_policy(totals, context.policy_rule_names ? *context.policy_rule_names : kNoRules, &out);
  append_resolution(totals, &out);
  append_forwarding(totals, &out);
  append_tls(totals, context, &out);
  if (context.xdp_configured) append_xdp_families(context.xdp, &out);
  return out;
}

void append_xdp_families(const std::optional<xdp::StatsTotals>& xdp,
                         std::vector<MetricFamily>* out) {
  out->push_back(single("sipedge_xdp_up",
                        "1 when the XDP classifier's pinned counters could be read.",
                        MetricType::Gauge, xdp ? 1 : 0));
  if (!xdp) return;
  MetricFamily packets =
      family("sipedge_xdp_packets_total", "Packets seen by the XDP classifier, by class.",
             MetricType::Counter);
  MetricFamily bytes = family("sipedge_xdp_bytes_total",
                              "Bytes seen by the XDP classifier, by class.", MetricType::Counter);
  for (size_t c = 0; c < xdp->classes.size(); ++c) {
    std::string_view name = xdp::ClassName(static_cast<unsigned>(c));
    add_sample(packets, {label("class", name)}, static_cast<double>(xdp->classes[c].packets));
    add_sample(bytes, {label("class", name)}, static_cast<double>(xdp->classes[c].bytes));
  }
  MetricFamily drops =
      family("sipedge_xdp_drops_total", "Packets dropped by the XDP classifier, by reason.",
             MetricType::Counter);
  for (size_t r = 0; r < xdp->drops.size(); ++r)
    add_sample(drops, {label("reason", xdp::DropName(static_cast<unsigned>(r)))},
               static_cast<double>(xdp->drops[r]));
  out->push_back(std::move(packets));
  out->push_back(std::move(bytes));
  out->push_back(std::move(drops));
}

}  // namespace sipedge::metrics
