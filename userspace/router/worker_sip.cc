// SIP on the worker: parse, plan (proxy core), decide (policy), locate (target cache or
// RFC 3263), forward; responses back along Via; stateless answers for everything refused.
#include <cstdio>

#include "resolve/uri_adapter.h"
#include "router/stun_keepalive.h"
#include "router/worker.h"
#include "sipedge/monotonic_clock.h"

namespace sipedge::router {
namespace {

// RFC 3261 §18.1.1: without a known path MTU, a request over 1300 bytes (within 200 of a
// 1500-byte MTU) must use a congestion-controlled transport. What we add (our Via, a double
// Record-Route) stays under kOwnHeaders.
constexpr size_t kUdpLimit = 1300;
constexpr size_t kOwnHeaders = 256;

metrics::ParseFailure failure_of(sip::ParseErrorCode c) {
  switch (c) {
    case sip::ParseErrorCode::kTruncated:
    case sip::ParseErrorCode::kIncompleteBody:
      return metrics::ParseFailure::kTruncated;
    case sip::ParseErrorCode::kTooLarge:
      return metrics::ParseFailure::kTooLarge;
    case sip::ParseErrorCode::kBadStartLine:
      return metrics::ParseFailure::kBadStartLine;
    case sip::ParseErrorCode::kBadVersion:
      return metrics::ParseFailure::kBadVersion;
    case sip::ParseErrorCode::kMissingHeader:
      return metrics::ParseFailure::kMissingHeader;
    case sip::ParseErrorCode::kDuplicateHeader:
      return metrics::ParseFailure::kDuplicateHeader;
    case sip::ParseErrorCode::kMismatch:
      return metrics::ParseFailure::kMismatch;
    case sip::ParseErrorCode::kBadUri:
      return metrics::ParseFailure::kBadUri;
    default:
      return metrics::ParseFailure::kBadHeader;
  }
}

// "Bad Request (Via: bad sent-by)": the fault named in the reason phrase, which must stay
// TEXT-UTF8 on one line whatever bytes the header name had.
std::string_view reason_naming(const sip::ParseError& e, const char* prefix, char* buf, size_t n) {
  int len =
      std::snprintf(buf, n, "%s (%.*s: %s)", prefix,
                    static_cast<int>(std::min<size_t>(e.where.size(), 48)), e.where.data(), e.what);
  len = std::max(0, std::min<int>(len, static_cast<int>(n) - 1));
  for (int i = 0; i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(buf[i]);
    if (c < 0x20 || c >= 0x7f) buf[i] = '?';
  }
  return std::string_view(buf, static_cast<size_t>(len));
}

bool looks_like_request(std::string_view raw) {
  // A method token, a space, and not the status line's "SIP/2.0 ".
  if (raw.size() < 8 || raw.substr(0, 4) == "SIP/") return false;
  size_t sp = raw.find(' ');
  return sp != std::string_view::npos && sp > 0 && sp < 32;
}

}  // namespace

void Worker::on_datagram(std::string_view raw, const RxContext& rx) {
  // RFC 5626 §4.4.1 keep-alives: a bare CRLF (answered only over streams) or a STUN Binding
  // request, answered with the client's mapped address.
  if (raw.size() <= 4 && raw.find_first_not_of("\r\n") == std::string_view::npos) return;
  if (is_stun_binding_request(raw)) {
    char out[64];
    size_t n = write_stun_binding_response(raw, rx.in.source, std::span<char>(out, sizeof(out)));
    if (n) send_udp(rx.udp_fd, rx.in.source, std::string_view(out, n));
    return;
  }
  auto ok = parser_.parse(raw, sip::Framing::kDatagram, &msg_);
  if (!ok) {
    on_parse_failure(raw, rx, ok.error());
    return;
  }
  on_parsed(msg_, raw.substr(0, msg_.wire_size ? msg_.wire_size : raw.size()), rx, nullptr);
}

void Worker::on_parsed(const sip::Message& msg, std::string_view raw, const RxContext& rx,
                       const TargetList* resolved) {
  if (msg.is_request()) {
    on_request(msg, raw, rx, resolved);
  } else {
    on_response(msg, raw, rx);
  }
}

void Worker::on_parse_failure(std::string_view raw, const RxContext& rx, const sip::ParseError& e) {
  if (!looks_like_request(raw) && e.code != sip::ParseErrorCode::kTooLarge) {
    m_.count_parse_failure(metrics::ParseFailure::kGarbage);
    return;
  }
  m_.count_parse_failure(failure_of(e.code));
  char rbuf[160];
  uint16_t status = e.code == sip::ParseErrorCode::kTooLarge ? 513 : 400;
  std::string_view reason = status == 513 ? std::string_view("Message Too Large")
                                          : reason_naming(e, "Bad Request", rbuf, sizeof(rbuf));
  auto n = proxy::build_response_to_unparsed(raw, rx.in, status, reason,
                                             std::span<char>(scratch_.data(), scratch_.size()));
  if (!n) {
    m_.count_drop(metrics::DropReason::kUnanswerable);
    return;
  }
  m_.count_stateless_reply(status);
  m_.count_response(metrics::Direction::kOut, rx.in.transport, status);
  log_refusal(rx, status, reason);
  send_back(rx, std::string_view(scratch_.data(), *n));
}

void Worker::log_refusal(const RxContext& rx, uint16_t status, std::string_view why) {
  if (!log::enabled(log::Level::kInfo) || !refusal_log_.allow(now_ms_)) return;
  uint64_t held = refusal_log_.suppressed();
  if (held) {
    LOG_INFO("refused %u to %s: %.*s (%llu similar lines suppressed)", status,
             rx.in.source.to_string().c_str(), static_cast<int>(why.size()), why.data(),
             static_cast<unsigned long long>(held));
  } else {
    LOG_INFO("refused %u to %s: %.*s", status, rx.in.source.to_string().c_str(),
             static_cast<int>(why.size()), why.data());
  }
}

void Worker::send_back(const RxContext& rx, std::string_view bytes) {
  if (rx.conn.valid()) {
    if (net::TcpConnection* c = conns_.get(rx.conn)) send_tcp(c, bytes);
    return;
  }
  send_udp(rx.udp_fd, rx.in.source, bytes);
}

void Worker::reply(const sip::Message& msg, const RxContext& rx, uint16_t status,
                   std::string_view reason, std::string_view extra) {
  if (msg.method == "ACK") return;  // never answered (RFC 3261 §17.2.1)
  auto n = proxy::build_response(msg, rx.in, status, reason, extra,
                                 std::span<char>(scratch_.data(), scratch_.size()));
  if (!n) {
    m_.count_drop(metrics::DropReason::kUnanswerable);
    return;
  }
  m_.count_stateless_reply(status);
  m_.count_response(metrics::Direction::kOut, rx.in.transport, status);
  send_back(rx, std::string_view(scratch_.data(), *n));
}

void Worker::on_request(const sip::Message& msg, std::string_view raw, const RxContext& rx,
                        const TargetList* resolved) {
  const RouterSnapshot& snap = *snap_;
  if (!resolved && !reinjecting_)
    m_.count_request(metrics::Direction::kIn, rx.in.transport, metrics::method_from(msg.method));
  proxy::RequestPlan plan = proxy::plan_request(msg, rx.in, me_);
  if (plan.kind == proxy::RequestPlan::Kind::kDrop) {
    m_.count_drop(metrics::DropReason::kUnanswerable);
    return;
  }
  // Policy: one place decides (userspace/policy); here it is only carried out. It comes
  // before any answer of our own, so a denied source learns nothing, not even a 200.
  policy::Policy::Inbound facts;
  facts.source = rx.in.source.address;
  facts.arrived_over = rx.in.transport;
  facts.request_uri_sips = plan.request_uri_sips;
  facts.contact_present = plan.contact_present;
  facts.contact_sips = plan.contact_sips;
  facts.transport_tls_param = plan.transport_tls_param;
  policy::Decision d = snap.policy.check_inbound(facts);
  if (d.verdict != policy::Verdict::kAllow && !resolved && !reinjecting_) {
    m_.count_policy(static_cast<uint8_t>(d.rule), d.verdict == policy::Verdict::kReject
                                                      ? metrics::kVerdictReject
                                                      : metrics::kVerdictAllow);
  }
  if (d.verdict == policy::Verdict::kReject) {
    char why[160];
    int len = std::snprintf(why, sizeof(why), "%.*s [%.*s]", static_cast<int>(d.reason.size()),
                            d.reason.data(), static_cast<int>(policy::rule_name(d.rule).size()),
                            policy::rule_name(d.rule).data());
    log_refusal(rx, d.status, std::string_view(why, static_cast<size_t>(std::max(0, len))));
    reply(msg, rx, d.status, d.reason);
    return;
  }

  if (plan.kind == proxy::RequestPlan::Kind::kRespond) {
    char extra[512];
    std::string_view extra_view;
    if (plan.status == 420) {
      auto n = proxy::write_unsupported_header(msg, std::span<char>(extra, sizeof(extra)));
      if (n) extra_view = std::string_view(extra, *n);
    }
    if (plan.status >= 300) {
      if (plan.status == 400) m_.count_parse_failure(failure_of(plan.fault.code));
      log_refusal(rx, plan.status, plan.reason);
    }
    reply(msg, rx, plan.status, plan.reason, extra_view);
    return;
  }

  if (resolved) {
    forward_request(msg, raw, plan, rx, *resolved);
    return;
  }
  // Where to: a static route for the host, else RFC 3263 on the URI itself.
  const sip::Uri& u = plan.route_on;
  if (!u.is_sip_or_sips()) {
    reply(msg, rx, 416, "Unsupported URI Scheme");
    return;
  }
  const StaticRoute* route = snap.find_route(u.host);
  TargetKey key;
  bool key_ok;
  if (route) {
    // Every request for a routed domain shares the route's targets, whatever its URI's port
    // or transport says.
    key_ok = make_target_key(route->request.sips, route->domain, 0, "static", &key);
  } else {
    key_ok =
        make_target_key(u.scheme == sip::UriScheme::kSips, u.host, u.port, u.transport(), &key);
  }
  if (!key_ok) {
    reply(msg, rx, 400, "Bad Request (Request-URI: host name too long)");
    return;
  }
  if (const TargetList* list = targets_.find(key, now_ms_)) {
    m_.count_cache(true);
    forward_request(msg, raw, plan, rx, *list);
    return;
  }
  m_.count_cache(false);
  if (parked_ >= snap.config.dns.max_pending_per_worker) {
    m_.count_drop(metrics::DropReason::kPendingQueueFull);
    reply(msg, rx, 503, "Service Unavailable (resolver busy)", "Retry-After: 5\r\n");
    return;
  }
  if (route) {
    park(raw, rx, key, route->request, true);
    return;
  }
  auto request = resolve::request_from_uri(u);
  if (!request) {
    reply(msg, rx, 416, "Unsupported URI Scheme");
    return;
  }
  // Nothing below may touch `msg`: a synchronous answer re-enters through on_resolved.
  park(raw, rx, key, *request, false);
}

void Worker::forward_request(const sip::Message& msg, std::string_view raw,
                             const proxy::RequestPlan& plan, const RxContext& rx,
                             const TargetList& list) {
  const RouterSnapshot& snap = *snap_;
  if (list.negative || list.count == 0) {
    log_refusal(rx, 503, "no target for the next hop (RFC 3263)");
    reply(msg, rx, 503, "Service Unavailable (no route to the next hop)");
    return;
  }
  // Operator-configured [[route]] next hops are exempt from the relay policy's address checks.
  const bool static_route = snap.find_route(plan.route_on.host) != nullptr;
  std::string_view refusal = "Service Unavailable (no reachable next hop)";
  bool refused_by_policy = false;
  size_t relay_refusals = 0, considered = 0;
  bool congested = false;
  // First the targets not known to have failed (RFC 3263 §4.3), then, if all have, the list
  // again: a quarantined hop may be back, and a stateless proxy has nothing better to try.
  for (int pass = 0; pass < 2; ++pass) {
    for (uint8_t i = 0; i < list.count; ++i) {
      HopTarget t = list.targets[i];
      bool quarantined = quarantine_.is_quarantined(t, now_ms_);
      if (pass == 0 && quarantined) {
        m_.count_failover();
        continue;
      }
      if (pass == 1 && !quarantined) continue;
      // After a failed connect every hop left is known bad: answer instead of trying again.
      if (pass == 1 && reinjecting_) continue;
      ++considered;
      // Relay policy first: an untrusted source reaches only the networks the operator
      // opened to it, and nobody reaches our own listeners or special addresses.
      policy::Decision relay =
          snap.policy.check_next_hop(rx.in.source.address, t.endpoint, static_route);
      if (relay.rejected()) {
        m_.count_policy(static_cast<uint8_t>(relay.rule), metrics::kVerdictReject);
        ++relay_refusals;
        continue;
      }
      policy::Decision d = snap.policy.check_target(plan.request_uri_sips, t.transport, t.endpoint,
                                                    snap.tls_client != nullptr);
      if (d.verdict == policy::Verdict::kReject) {
        if (d.rule != policy::Rule::kCount) {
          m_.count_policy(static_cast<uint8_t>(d.rule), metrics::kVerdictReject);
          refused_by_policy = true;
        }
        refusal = d.reason;
        continue;
      }
      if (d.verdict == policy::Verdict::kAllowCounted) {
        m_.count_policy(static_cast<uint8_t>(d.rule), metrics::kVerdictAllow);
        m_.count_downgrade();
      }
      // RFC 3261 §18.1.1: a request too large for a datagram goes over TCP when the target
      // set offers TCP at the same address.
      if (t.transport == resolve::Transport::kUdp && raw.size() + kOwnHeaders > kUdpLimit) {
        for (uint8_t j = 0; j < list.count; ++j) {
          const HopTarget& alt = list.targets[j];
          if (alt.transport == resolve::Transport::kTcp &&
              alt.endpoint.address == t.endpoint.address &&
              !quarantine_.is_quarantined(alt, now_ms_)) {
            m_.count_event(metrics::Event::kOverMtuToTcp);
            t = alt;
            break;
          }
        }
      }
      proxy::ForwardOptions fo;
      fo.out_transport = t.transport;
      fo.record_route = snap.config.record_route;
      fo.record_route_scheme = policy::Policy::record_route_scheme(plan.request_uri_sips);
      fo.record_route_local = rx.in.local;
      fo.record_route_transport = rx.in.transport;
      fo.branch_key = me_.branch_key;
      if (t.transport == resolve::Transport::kUdp) {
        bool use_private = rx.in.transport != resolve::Transport::kUdp && shared_.worker_count > 1;
        const UdpListener* sock = udp_socket_for(t.endpoint, use_private);
        if (!sock) continue;
        fo.out_local = sock->local;
        std::span<char> room = batch_.reserve(sock->fd.get(), scratch_.size());
        auto n = proxy::build_forwarded_request(msg, raw, plan, rx.in, fo, room);
        if (!n) {
          reply(msg, rx, 513, "Message Too Large");
          return;
        }
        batch_.commit(t.endpoint, *n);
      } else if (t.transport == resolve::Transport::kTcp ||
                 t.transport == resolve::Transport::kTls) {
        // TLS: verified against the domain the URI was resolved for, not the target (R8).
        net::TcpConnection* c = outbound_connection(t.endpoint, t.transport, list.tls_identity());
        if (!c) continue;
        fo.out_local = via_local_for(c);
        auto n = proxy::build_forwarded_request(msg, raw, plan, rx.in, fo,
                                                std::span<char>(scratch_.data(), scratch_.size()));
        if (!n) {
          reply(msg, rx, 513, "Message Too Large");
          return;
        }
        bool connecting = c->state == net::TcpConnection::State::kConnecting;
        net::ConnRef cref = conns_.ref_of(c);
        if (!send_tcp(c, std::string_view(scratch_.data(), *n))) {
          // Back-pressure: this next hop does not keep up; the next target may. Its full
          // write queue is its mark: the next requests skip it the same way until it drains.
          m_.count_event(metrics::Event::kCongestedFailover);
          congested = true;
          continue;
        }
        if (connecting) {
          // Counted as sent once the connection is up (connection_up): a request on a
          // connection that then fails is routed again and counted where it really went.
          std::vector<Parked>& waiting = connecting_[conn_key(cref)];
          if (waiting.size() < kMaxWaitingOnConnect)
            waiting.push_back(Parked{std::string(raw), rx});
          return;
        }
      } else {
        continue;  // WS/WSS hops: no WebSocket transport
      }
      m_.count_request(metrics::Direction::kOut, t.transport, metrics::method_from(msg.method));
      // From the loop turn that received it (DNS wait included) to now: time spent in here.
      int64_t sent_us = monotonic_us();
      m_.observe_forward_latency_us(
          static_cast<uint64_t>(std::max<int64_t>(0, sent_us - rx.arrived_us)));
      return;
    }
  }
  if (considered > 0 && relay_refusals == considered) {
    // Every next hop is one this source may not reach: an attempt to relay, not an outage.
    log_refusal(rx, 403, "Forbidden destination [relay]");
    reply(msg, rx, 403, "Forbidden destination");
    return;
  }
  if (congested) {
    reply(msg, rx, 503, "Service Unavailable (next hop congested)", "Retry-After: 2\r\n");
    return;
  }
  if (refused_by_policy) log_refusal(rx, 503, refusal);
  reply(msg, rx, 503, refusal);
}

trust::FlowToken Worker::stream_flow(resolve::Transport t, net::ConnRef ref) const {
  trust::FlowToken f;
  f.kind = t == resolve::Transport::kTls ? trust::FlowKind::kTls : trust::FlowKind::kTcp;
  f.worker = static_cast<uint8_t>(index_);
  f.slot = ref.index;
  f.generation = ref.generation;
  return f;
}

namespace {

metrics::ResponseDropReason drop_label(proxy::ResponseDrop d) {
  switch (d) {
    case proxy::ResponseDrop::kForgedBranch:
      return metrics::ResponseDropReason::kForgedBranch;
    case proxy::ResponseDrop::kMalformed:
      return metrics::ResponseDropReason::kMalformed;
    case proxy::ResponseDrop::kUnsupportedTransport:
      return metrics::ResponseDropReason::kUnsupportedTransport;
    case proxy::ResponseDrop::kPolicy:
      return metrics::ResponseDropReason::kPolicy;
    case proxy::ResponseDrop::kSendFailed:
      return metrics::ResponseDropReason::kSendFailed;
    default:
      return metrics::ResponseDropReason::kNotOurs;
  }
}

resolve::Transport transport_of(trust::FlowKind k) {
  switch (k) {
    case trust::FlowKind::kTcp:
      return resolve::Transport::kTcp;
    case trust::FlowKind::kTls:
      return resolve::Transport::kTls;
    case trust::FlowKind::kWs:
      return resolve::Transport::kWs;
    case trust::FlowKind::kWss:
      return resolve::Transport::kWss;
    case trust::FlowKind::kUdp:
      break;
  }
  return resolve::Transport::kUdp;
}

}  // namespace

void Worker::on_response(const sip::Message& msg, std::string_view raw, const RxContext& rx) {
  m_.count_response(metrics::Direction::kIn, rx.in.transport, msg.status_code);
  // Policy holds for responses too: nothing from a denied source or in plaintext from a
  // TLS-only network goes anywhere.
  policy::Policy::Inbound facts;
  facts.source = rx.in.source.address;
  facts.arrived_over = rx.in.transport;
  facts.is_response = true;
  if (snap_->policy.check_inbound(facts).rejected()) {
    m_.count_response_drop(metrics::ResponseDropReason::kPolicy);
    return;
  }
  proxy::ResponseRoute route = proxy::route_response(msg, me_);
  if (route.kind != proxy::ResponseRoute::Kind::kForward) {
    m_.count_response_drop(drop_label(route.drop));
    m_.count_drop(metrics::DropReason::kResponseNotOurs);
    return;
  }
  // A verified response: the hop it came from is alive (forged ICMP must not outvote it).
  quarantine_.mark_answered(HopTarget{rx.in.transport, rx.in.source}, now_ms_);
  auto n =
      proxy::build_forwarded_response(msg, raw, std::span<char>(scratch_.data(), scratch_.size()));
  if (!n) {
    m_.count_response_drop(metrics::ResponseDropReason::kMalformed);
    return;
  }
  if (!send_on_flow(route, std::string_view(scratch_.data(), *n))) {
    m_.count_response_drop(metrics::ResponseDropReason::kSendFailed);
    return;
  }
  m_.count_response(metrics::Direction::kOut, transport_of(route.flow.kind), msg.status_code);
}

bool Worker::send_on_flow(const proxy::ResponseRoute& route, std::string_view bytes) {
  const resolve::Transport transport = transport_of(route.flow.kind);
  if (transport == resolve::Transport::kUdp) {
    if (route.needs_dns) return false;  // we always write received: a Via we made has one
    // The socket the request arrived on (its listener), so the client sees the answer come
    // from where it sent; another listener only when that one has another family.
    const UdpListener* sock = nullptr;
    if (route.flow.slot < udp_.size()) {
      const UdpListener& u = udp_[route.flow.slot];
      if (!u.private_port && u.local.address.family == route.destination.address.family) sock = &u;
    }
    if (!sock) sock = udp_socket_for(route.destination, false);
    if (!sock) return false;
    send_udp(sock->fd.get(), route.destination, bytes);
    return true;
  }
  if (transport != resolve::Transport::kTcp && transport != resolve::Transport::kTls)
    return false;  // no WebSocket transport yet
  net::TcpConnection* c = nullptr;
  if (route.flow.worker == index_) {
    c = conns_.get(route.flow.slot, route.flow.generation);
    if (c && c->transport != transport) c = nullptr;
    if (!c) m_.count_event(metrics::Event::kResponseFlowGone);
  } else {
    m_.count_event(metrics::Event::kResponseFlowElsewhere);
  }
  if (!c) {
    // RFC 3261 §18.2.2: the connection is gone, so a new one to the address the request
    // came from (received) and the port in sent-by (over TLS verified for that address: a
    // Via names no domain we resolved). Never another subscriber's connection.
    if (route.needs_dns) return false;
    net::Endpoint to{route.destination.address, route.sent_by_port};
    std::string identity;
    if (transport == resolve::Transport::kTls) identity = to.address.to_string();
    c = outbound_connection(to, transport, identity);
  }
  return c != nullptr && send_tcp(c, bytes);
}

}  // namespace sipedge::router
