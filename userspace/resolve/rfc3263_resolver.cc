#include "resolve/rfc3263_resolver.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "resolve/naptr_selection.h"
#include "resolve/srv_ordering.h"

namespace sipedge::resolve {

namespace {

// A transport/host/port the SRV stage (or a fallback) chose, before addresses are known.
struct PlannedHop {
  Transport transport;
  std::string host;
  uint16_t port;
};

struct Query {
  std::string name;
  RrType type;
  bool operator==(const Query&) const = default;
};

std::string srv_name(Transport t, const std::string& domain) {
  std::string name(srv_prefix(t));
  name += '.';
  name += domain;
  return name;
}

}  // namespace

// One resolution in flight. Each stage issues all of its queries at once (a "wave") and
// moves on when the last answer arrives, so a cold NAPTR → SRV → A/AAAA resolution costs
// three sequential round trips. Kept alive by the callbacks it hands to the DnsSource.
class ResolveJob : public std::enable_shared_from_this<ResolveJob> {
 public:
  ResolveJob(Rfc3263Resolver& owner, ResolveRequest request, Rfc3263Resolver::Done done)
      : owner_(owner), request_(std::move(request)), done_(std::move(done)) {}

  void start();

 private:
  // Weak: a timer that fires after the job finished finds nothing to do.
  void arm_deadline();
  void on_deadline();
  using Then = void (ResolveJob::*)();

  void run_wave(std::vector<Query> queries, Then then);
  const DnsAnswer* answer_for(const std::string& name, RrType type) const;
  // True when no server answered any query of the wave: later stages would only wait for
  // the same timeouts again, so resolution stops there.
  bool wave_timed_out() const;

  void after_naptr();
  void after_naptr_srv();
  void after_fallback_srv();
  void after_transport_srv();
  void resolve_addresses(std::vector<PlannedHop> plan);
  void after_addresses();
  void finish();
  void fail(std::string why);
  // Keeps the targets (in resolution order, before the quarantine) for
  // try_resolve_cached() until the shortest TTL; stale or uncachable results are not kept.
  void remember_ready();

  // Appends the RFC 2782-ordered hops of `rrset` for `transport` (records with port 0
  // skipped); returns false when the RRset is absent (no SRV records at all).
  bool plan_srv(const DnsAnswer* rrset, Transport transport, std::vector<PlannedHop>* plan,
                bool* saw_unavailable);
  // After an SRV wave that gave no hop: the A/AAAA fallback of §4.2 applies only when the
  // SRV records do not exist (NXDOMAIN/NODATA for every query); a failed SRV query
  // (SERVFAIL, timeout, a refused response) or unusable records end the resolution.
  void after_srv_without_hops(const std::vector<const DnsAnswer*>& srv, bool any_srv,
                              Transport fallback);
  // A/AAAA of the URI host at the default port of `transport` (RFC 3263 §4.2, no SRV).
  void resolve_host_directly(Transport transport);
  Transport default_transport() const { return request_.sips ? Transport::kTls : Transport::kUdp; }
  std::string tls_identity_for(Transport t) const { return is_secure(t) ? domain_ : std::string(); }

  Rfc3263Resolver& owner_;
  ResolveRequest request_;
  Rfc3263Resolver::Done done_;
  std::string domain_;  // normalised URI host: the TLS identity (R8)
  std::string target_;  // TARGET (§4): maddr when present, else domain_; the DNS start point
  ResolveResult result_;
  bool finished_ = false;
  uint64_t deadline_timer_ = 0;
  bool deadline_armed_ = false;

  // Current wave.
  std::vector<Query> wave_;
  std::vector<DnsAnswer> wave_answers_;
  std::vector<std::vector<DnsStep>> wave_steps_;
  size_t wave_pending_ = 0;
  bool wave_network_ = false;

  std::vector<NaptrChoice> naptr_choices_;
  std::optional<Transport> uri_transport_;
  std::vector<Transport> fallback_transports_;
  std::vector<PlannedHop> plan_;
};

void ResolveJob::start() {
  domain_ =
      request_.host_kind == HostKind::kName ? normalize_dns_name(request_.host) : request_.host;
  result_.tls_identity = domain_;
  if (domain_.empty()) return fail("the URI has no host");

  if (request_.transport) {
    uri_transport_ = transport_from_param(*request_.transport, request_.sips);
    if (!uri_transport_) return fail("transport=" + *request_.transport + " is not supported");
    if (request_.sips && !is_secure(*uri_transport_)) {
      // R3: a sips: URI is only ever sent over TLS; no plaintext transport= applies.
      return fail("sips: URI cannot use transport=" + *request_.transport + " (R3)");
    }
  }
  if (request_.port && *request_.port == 0) return fail("port 0 is not a destination");
  const Transport transport = uri_transport_.value_or(default_transport());

  // §4: TARGET is maddr when present, else the host.
  HostKind target_kind = request_.host_kind;
  target_ = domain_;
  if (request_.maddr) {
    std::string m = *request_.maddr;
    if (m.size() > 2 && m.front() == '[' && m.back() == ']') m = m.substr(1, m.size() - 2);
    in6_addr probe;
    if (inet_pton(AF_INET, m.c_str(), &probe) == 1) {
      target_kind = HostKind::kIPv4;
    } else if (inet_pton(AF_INET6, m.c_str(), &probe) == 1) {
      target_kind = HostKind::kIPv6;
    } else {
      target_kind = HostKind::kName;
      m = normalize_dns_name(m);
    }
    if (m.empty()) return fail("the URI's maddr is empty");
    target_ = std::move(m);
  }

  if (target_kind != HostKind::kName) {
    // §4.1/§4.2: a numeric host needs no DNS.
    Target t;
    t.transport = transport;
    t.host = target_;
    t.port = request_.port.value_or(default_port(transport));
    t.address.family = target_kind == HostKind::kIPv6 ? 6 : 4;
    if (inet_pton(t.address.family == 6 ? AF_INET6 : AF_INET, target_.c_str(),
                  t.address.bytes.data()) != 1) {
      return fail("numeric host " + target_ + " is not an IP address");
    }
    t.tls_identity = tls_identity_for(transport);
    result_.targets.push_back(std::move(t));
    return finish();
  }
  if (!is_valid_dns_name(target_)) {
    // c-ares would refuse it locally; say so rather than blame a server.
    return fail("bad name " + target_ +
                " (a label over 63 octets, a name over 253, or an "
                "empty label)");
  }
  if (request_.port) {
    // §4.2: an explicit port means A/AAAA only.
    return resolve_addresses({PlannedHop{transport, target_, *request_.port}});
  }
  if (uri_transport_) {
    // R2: transport= skips NAPTR; SRV for that transport only.
    return run_wave({Query{srv_name(*uri_transport_, target_), RrType::kSrv}},
                    &ResolveJob::after_transport_srv);
  }
  run_wave({Query{target_, RrType::kNaptr}}, &ResolveJob::after_naptr);
}

void ResolveJob::arm_deadline() {
  deadline_armed_ = true;
  const int64_t ms = owner_.config_.deadline_ms;
  if (ms <= 0) return;
  std::weak_ptr<ResolveJob> weak = weak_from_this();
  deadline_timer_ = owner_.dns_.schedule(ms, [weak] {
    if (auto self = weak.lock()) self->on_deadline();
  });
}

void ResolveJob::on_deadline() {
  deadline_timer_ = 0;
  if (finished_) return;
  result_.min_ttl_s = 0;
  fail("no answer within the resolution deadline (" + std::to_string(owner_.config_.deadline_ms) +
       " ms)");
}

void ResolveJob::run_wave(std::vector<Query> queries, Then then) {
  // Duplicate names (two NAPTRs replacing to one SRV name, one host behind two SRVs) are
  // asked once.
  std::vector<Query> unique;
  for (Query& q : queries) {
    if (std::find(unique.begin(), unique.end(), q) == unique.end()) unique.push_back(std::move(q));
  }
  wave_ = std::move(unique);
  wave_answers_.assign(wave_.size(), DnsAnswer{});
  wave_steps_.assign(wave_.size(), {});
  wave_network_ = false;
  // One extra count held while issuing, so answers that arrive synchronously (cache hits)
  // cannot complete the wave before every query is sent.
  wave_pending_ = wave_.size() + 1;
  auto self = shared_from_this();
  auto arrive = [self, then]() {
    if (--self->wave_pending_ != 0 || self->finished_) return;
    for (auto& steps : self->wave_steps_) {
      for (DnsStep& s : steps) self->result_.steps.push_back(std::move(s));
    }
    if (self->wave_network_) ++self->result_.round_trips;
    ((*self).*then)();
  };
  for (size_t i = 0; i < wave_.size(); ++i) {
    owner_.dns_.lookup(wave_[i].name, wave_[i].type,
                       [self, i, arrive](const DnsAnswer& answer, std::vector<DnsStep>&& steps,
                                         bool from_network) {
                         if (self->finished_) return;  // the deadline passed
                         self->wave_answers_[i] = answer;
                         bool stale = false;
                         uint32_t ttl_left = UINT32_MAX;
                         for (const DnsStep& s : steps) {
                           stale |= s.stale;
                           ttl_left = std::min(ttl_left, s.ttl_left_s);
                         }
                         // A cached answer counts for what it has left, not its full TTL.
                         uint32_t ttl =
                             answer.has_ttl && !stale ? std::min(answer.ttl, ttl_left) : 0;
                         self->result_.min_ttl_s = std::min(self->result_.min_ttl_s, ttl);
                         self->wave_steps_[i] = std::move(steps);
                         self->wave_network_ |= from_network;
                         arrive();
                       });
  }
  // Armed only once something waits for the network: a resolution answered from the
  // cache costs no timer.
  if (wave_pending_ > 1 && !deadline_armed_) arm_deadline();
  arrive();
}

const DnsAnswer* ResolveJob::answer_for(const std::string& name, RrType type) const {
  for (size_t i = 0; i < wave_.size(); ++i) {
    if (wave_[i].name == name && wave_[i].type == type) return &wave_answers_[i];
  }
  return nullptr;
}

bool ResolveJob::wave_timed_out() const {
  return std::all_of(wave_answers_.begin(), wave_answers_.end(),
                     [](const DnsAnswer& a) { return a.status == DnsStatus::kTimeout; });
}

void ResolveJob::after_naptr() {
  if (wave_timed_out()) return fail("no DNS server answered (timeout)");
  const DnsAnswer& naptr = wave_answers_.front();
  if (naptr.status == DnsStatus::kNoError) {
    naptr_choices_ = select_naptr(naptr.naptr, request_.sips, owner_.config_.naptr_transports);
  }
  if (!naptr_choices_.empty()) {
    // Follow every usable replacement's SRV at once (one round trip for the whole set).
    std::vector<Query> queries;
    for (const NaptrChoice& c : naptr_choices_) queries.push_back({c.srv_name, RrType::kSrv});
    return run_wave(std::move(queries), &ResolveJob::after_naptr_srv);
  }
  // No usable NAPTR: SRV for every transport we speak, all at once (§4.1).
  for (Transport t : owner_.config_.srv_fallback_order) {
    if (!request_.sips || is_secure(t)) fallback_transports_.push_back(t);  // R3
  }
  if (fallback_transports_.empty()) return fail("no transport allowed for this URI");
  std::vector<Query> queries;
  for (Transport t : fallback_transports_) queries.push_back({srv_name(t, target_), RrType::kSrv});
  run_wave(std::move(queries), &ResolveJob::after_fallback_srv);
}

bool ResolveJob::plan_srv(const DnsAnswer* rrset, Transport transport,
                          std::vector<PlannedHop>* plan, bool* saw_unavailable) {
  if (rrset == nullptr || rrset->status != DnsStatus::kNoError || rrset->srv.empty()) return false;
  if (srv_service_unavailable(rrset->srv)) {
    *saw_unavailable = true;  // RFC 2782: "decidedly not available at this domain"
    return true;
  }
  for (SrvRecord& r : order_srv_records(rrset->srv, owner_.rng_)) {
    if (r.port == 0) continue;  // not a destination
    plan->push_back(PlannedHop{transport, std::move(r.target), r.port});
  }
  return true;
}

void ResolveJob::after_naptr_srv() {
  if (wave_timed_out()) return fail("no DNS server answered (timeout)");
  std::vector<PlannedHop> plan;
  std::vector<const DnsAnswer*> srv;
  bool any_srv = false;
  bool unavailable = false;
  for (const NaptrChoice& c : naptr_choices_) {
    srv.push_back(answer_for(c.srv_name, RrType::kSrv));
    any_srv |= plan_srv(srv.back(), c.transport, &plan, &unavailable);
  }
  if (!plan.empty()) return resolve_addresses(std::move(plan));
  // §4.2: no SRV records: A/AAAA of the domain with the transport NAPTR chose.
  after_srv_without_hops(srv, any_srv, naptr_choices_.front().transport);
}

void ResolveJob::after_fallback_srv() {
  if (wave_timed_out()) return fail("no DNS server answered (timeout)");
  std::vector<PlannedHop> plan;
  std::vector<const DnsAnswer*> srv;
  bool any_srv = false;
  bool unavailable = false;
  for (Transport t : fallback_transports_) {
    srv.push_back(answer_for(srv_name(t, target_), RrType::kSrv));
    any_srv |= plan_srv(srv.back(), t, &plan, &unavailable);
  }
  if (!plan.empty()) return resolve_addresses(std::move(plan));
  after_srv_without_hops(srv, any_srv, default_transport());
}

void ResolveJob::after_transport_srv() {
  if (wave_timed_out()) return fail("no DNS server answered (timeout)");
  std::vector<PlannedHop> plan;
  bool unavailable = false;
  const bool any_srv = plan_srv(&wave_answers_.front(), *uri_transport_, &plan, &unavailable);
  if (!plan.empty()) return resolve_addresses(std::move(plan));
  after_srv_without_hops({&wave_answers_.front()}, any_srv, *uri_transport_);
}

void ResolveJob::after_srv_without_hops(const std::vector<const DnsAnswer*>& srv, bool any_srv,
                                        Transport fallback) {
  if (any_srv) {
    bool all_dot = true;
    for (const DnsAnswer* a : srv) {
      if (a != nullptr && a->status == DnsStatus::kNoError && !a->srv.empty() &&
          !srv_service_unavailable(a->srv)) {
        all_dot = false;
      }
    }
    return fail(all_dot ? "SRV records say the service is not available (target \".\")"
                        : "SRV records give no usable target (port 0)");
  }
  for (const DnsAnswer* a : srv) {
    if (a == nullptr) continue;
    if (a->status != DnsStatus::kNxDomain && a->status != DnsStatus::kNoData) {
      // The records may exist; the server could not say. No A/AAAA fallback (§4.2).
      return fail("the SRV lookup failed (" + std::string(dns_status_rcode(a->status)) +
                  "), so no A/AAAA fallback (RFC 3263 §4.2)");
    }
  }
  resolve_host_directly(fallback);
}

void ResolveJob::resolve_host_directly(Transport transport) {
  resolve_addresses({PlannedHop{transport, target_, default_port(transport)}});
}

void ResolveJob::resolve_addresses(std::vector<PlannedHop> plan) {
  plan_ = std::move(plan);
  // A and AAAA of every host at once; RFC 8305 wants both families in parallel.
  std::vector<Query> queries;
  for (const PlannedHop& hop : plan_) {
    queries.push_back({hop.host, RrType::kAaaa});
    queries.push_back({hop.host, RrType::kA});
  }
  run_wave(std::move(queries), &ResolveJob::after_addresses);
}

void ResolveJob::after_addresses() {
  static const std::vector<IpAddress> kNone;
  for (const PlannedHop& hop : plan_) {
    const DnsAnswer* v6 = answer_for(hop.host, RrType::kAaaa);
    const DnsAnswer* v4 = answer_for(hop.host, RrType::kA);
    const auto& v6_list = v6 && v6->status == DnsStatus::kNoError ? v6->addresses : kNone;
    const auto& v4_list = v4 && v4->status == DnsStatus::kNoError ? v4->addresses : kNone;
    for (const IpAddress& a : order_addresses(v6_list, v4_list, owner_.config_.family)) {
      Target t;
      t.transport = hop.transport;
      t.host = hop.host;
      t.port = hop.port;
      t.address = a;
      t.tls_identity = tls_identity_for(hop.transport);
      result_.targets.push_back(std::move(t));
    }
  }
  if (result_.targets.empty() && wave_timed_out()) {
    return fail("no DNS server answered (timeout)");
  }
  if (result_.targets.empty()) {
    std::string hosts;
    for (const PlannedHop& hop : plan_) {
      if (hosts.find(hop.host) != std::string::npos) continue;
      if (!hosts.empty()) hosts += ", ";
      hosts += hop.host;
    }
    const bool server_failed =
        std::all_of(wave_answers_.begin(), wave_answers_.end(),
                    [](const DnsAnswer& a) { return is_upstream_failure(a.status); });
    const bool bad_name =
        std::any_of(wave_answers_.begin(), wave_answers_.end(),
                    [](const DnsAnswer& a) { return a.status == DnsStatus::kBadName; });
    return fail((bad_name        ? "bad name (not sent to any server): "
                 : server_failed ? "the DNS server failed (SERVFAIL) for "
                                 : "no A/AAAA records for ") +
                hosts);
  }
  finish();
}

void ResolveJob::finish() {
  if (finished_) return;
  finished_ = true;
  if (deadline_timer_ != 0) owner_.dns_.cancel(deadline_timer_);
  remember_ready();
  owner_.quarantine_.apply(&result_.targets, owner_.clock_());
  done_(std::move(result_));
}

void ResolveJob::remember_ready() {
  // A result without DNS (numeric TARGET) depends on no TTL: kept an hour at most.
  constexpr uint32_t kMaxReadyS = 3600;
  if (!owner_.ready_.enabled() || result_.min_ttl_s == 0 || result_.targets.empty()) return;
  ReadyTargetCache::Key key;
  if (!ReadyTargetCache::make_key(ResolveRequestView::of(request_), &key)) return;
  const int64_t now = owner_.clock_();
  const uint32_t ttl_s = std::min(result_.min_ttl_s, kMaxReadyS);
  owner_.ready_.insert(key, result_.targets, now + int64_t{ttl_s} * 1000, now);
}

void ResolveJob::fail(std::string why) {
  if (finished_) return;
  finished_ = true;
  if (deadline_timer_ != 0) owner_.dns_.cancel(deadline_timer_);
  result_.targets.clear();
  result_.error = std::move(why);
  done_(std::move(result_));
}

Rfc3263Resolver::Rfc3263Resolver(DnsSource& dns, ResolverConfig config, Clock clock)
    : dns_(dns),
      config_(std::move(config)),
      clock_(std::move(clock)),
      rng_(config_.seed),
      quarantine_(config_.quarantine_ms),
      ready_(config_.ready_cache_entries) {}

bool Rfc3263Resolver::try_resolve_cached(const ResolveRequestView& request, ReadyTargets* out) {
  if (!ready_.enabled()) return false;
  ReadyTargetCache::Key key;
  if (!ReadyTargetCache::make_key(request, &key)) return false;
  const int64_t now = clock_();
  if (!ready_.find(key, now, out)) return false;
  if (!quarantine_.empty()) {
    // As Quarantine::apply: failed hops last, both parts in order (std::stable_partition
    // would take a heap buffer).
    std::array<ReadyTarget, ReadyTargets::kMaxTargets> failed;
    size_t kept = 0, n_failed = 0;
    for (size_t i = 0; i < out->count; ++i) {
      const ReadyTarget& t = out->targets[i];
      if (quarantine_.is_quarantined(t.transport, t.address, t.port, now)) {
        failed[n_failed++] = t;
      } else {
        out->targets[kept++] = t;
      }
    }
    std::copy_n(failed.begin(), n_failed, out->targets.begin() + kept);
  }
  return true;
}

void Rfc3263Resolver::resolve(const ResolveRequest& request, Done done) {
  std::make_shared<ResolveJob>(*this, request, std::move(done))->start();
}

void Rfc3263Resolver::mark_failed(const Target& target) {
  quarantine_.mark_failed(target, clock_());
}

}  // namespace sipedge::resolve
