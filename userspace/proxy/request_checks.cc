// plan_request: the §16.3 request validation a proxy needs on the hot path, §16.4 route
// preprocessing and the §16.5 target, in the order §16.3 lists its checks.
#include "proxy/branch_hash.h"
#include "proxy/route_processing.h"
#include "proxy/stateless_proxy.h"
#include "proxy/via_fields.h"
#include "sip/char_class.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"

namespace sipedge::proxy {
namespace {

constexpr uint8_t kDefaultMaxForwards = 70;  // RFC 3261 §8.1.1.6

class PlanBuilder {
 public:
  explicit PlanBuilder(const sip::Message& req) : is_ack_(req.method == "ACK") {}

  // An ACK is never answered (§17.1.1.3 has no response to it): it is dropped instead.
  RequestPlan respond(uint16_t status, std::string_view reason) {
    plan_.kind = is_ack_ ? RequestPlan::Kind::kDrop : RequestPlan::Kind::kRespond;
    plan_.status = status;
    plan_.reason = reason;
    return plan_;
  }
  RequestPlan bad_request(std::string_view reason, const sip::ParseError& fault) {
    plan_.fault = fault;
    return respond(400, reason);
  }
  RequestPlan forward() {
    plan_.kind = RequestPlan::Kind::kForward;
    return plan_;
  }
  RequestPlan& plan() { return plan_; }

 private:
  RequestPlan plan_;
  bool is_ack_;
};

sip::ParseError missing(std::string_view where) {
  return sip::make_error(sip::ParseErrorCode::kMissingHeader, where, "missing");
}

// §16.3 item 4: a Via of ours carrying the loop hash this request gets now means the request
// came back unchanged. A changed Request-URI or Route set is a spiral, not a loop.
bool loops_back(const sip::Message& req, uint64_t loop, const LocalIdentity& me) {
  char hex[kBranchSize];
  format_branch(0, loop, std::span<char, kBranchSize>(hex, kBranchSize));
  const std::string_view loop_hex(hex + kBranchLoopAt, 16);
  for (const sip::Header& h : req.headers) {
    if (h.id != sip::HeaderId::kVia) continue;
    ListElements list(h.value);
    std::string_view element;
    while (list.next(&element)) {
      if (element.find(loop_hex) == std::string_view::npos) continue;  // cheap pre-filter
      auto via = sip::parse_via(element);
      if (via && via->has_branch && branch_has_loop_hash(via->branch, loop) &&
          via_is_local(*via, me)) {
        return true;
      }
    }
  }
  return false;
}

void record_contact(const sip::Message& req, RequestPlan* plan) {
  const sip::Header* h = req.find(sip::HeaderId::kContact);
  if (h == nullptr) return;
  plan->contact_present = true;
  ListElements list(h->value);
  std::string_view first;
  if (!list.next(&first) || first == "*") return;
  auto na = sip::parse_name_addr(first, "Contact");
  plan->contact_sips = na && na->uri.scheme == sip::UriScheme::kSips;
}

}  // namespace

RequestPlan plan_request(const sip::Message& req, const Inbound& in, const LocalIdentity& me) {
  PlanBuilder b(req);
  if (!req.is_request()) {
    b.plan().reason = "not a request";
    return b.plan();
  }

  // §16.3 item 1: what the proxy itself reads must parse.
  auto top = parse_top_via(req);
  if (!top) {
    return b.bad_request(top.error().code == sip::ParseErrorCode::kMissingHeader
                             ? "Bad Request (missing Via)"
                             : "Bad Request (bad Via)",
                         top.error());
  }
  const sip::Header* from_row = req.find(sip::HeaderId::kFrom);
  if (from_row == nullptr) return b.bad_request("Bad Request (missing From)", missing("From"));
  auto from = sip::parse_name_addr(from_row->value, "From");
  if (!from) return b.bad_request("Bad Request (bad From)", from.error());
  const sip::Header* to_row = req.find(sip::HeaderId::kTo);
  if (to_row == nullptr) return b.bad_request("Bad Request (missing To)", missing("To"));
  auto to = sip::parse_name_addr(to_row->value, "To");
  if (!to) return b.bad_request("Bad Request (bad To)", to.error());
  const sip::Header* call_id = req.find(sip::HeaderId::kCallId);
  if (call_id == nullptr) return b.bad_request("Bad Request (missing Call-ID)", missing("Call-ID"));
  if (!sip::valid_call_id(call_id->value)) {
    return b.bad_request("Bad Request (bad Call-ID)",
                         sip::make_error(sip::ParseErrorCode::kBadHeader, "Call-ID", "not a word"));
  }
  const sip::Header* cseq_row = req.find(sip::HeaderId::kCSeq);
  if (cseq_row == nullptr) return b.bad_request("Bad Request (missing CSeq)", missing("CSeq"));
  auto cseq = sip::parse_cseq(cseq_row->value, "CSeq");
  if (!cseq) return b.bad_request("Bad Request (bad CSeq)", cseq.error());
  if (cseq->method != req.method) {
    return b.bad_request("Bad Request (CSeq method does not match)",
                         sip::make_error(sip::ParseErrorCode::kMismatch, "CSeq",
                                         "method differs from the Request-Line"));
  }
  const sip::Header* mf_row = req.find(sip::HeaderId::kMaxForwards);
  uint8_t max_forwards = kDefaultMaxForwards + 1;  // absent: forwarded with 70
  if (mf_row != nullptr) {
    auto mf = sip::parse_max_forwards(mf_row->value, "Max-Forwards");
    if (!mf) return b.bad_request("Bad Request (bad Max-Forwards)", mf.error());
    max_forwards = *mf;
  }
  auto routes = analyze_routes(req, me);
  if (!routes) return b.bad_request("Bad Request (bad Route)", routes.error());

  RequestPlan& plan = b.plan();
  plan.route_on = routes->route_on;
  plan.request_uri = routes->request_uri;
  plan.route_count = routes->count;
  plan.pop_own_routes = routes->pop;
  plan.strict_router_fixup = routes->strict_fixup;
  plan.request_uri_sips = routes->request_uri.scheme == sip::UriScheme::kSips;
  plan.transport_tls_param = sip::iequals(routes->route_on.transport(), "tls");
  record_contact(req, &plan);
  const uint64_t loop = loop_hash(req, *routes, from->tag, cseq->number);
  plan.loop = loop;
  format_branch(in.flow, loop, std::span<char, kBranchSize>(plan.branch_text));

  // §16.3 item 2: we can only resolve sip:/sips: (a tel: Request-URI behind a Route is fine).
  if (!routes->route_on.is_sip_or_sips()) return b.respond(416, "Unsupported URI Scheme");
  // §11 / health checks: an OPTIONS for this proxy is answered here, whatever Max-Forwards.
  if (routes->addressed_to_us && req.method == "OPTIONS") return b.respond(200, "OK");
  // §16.3 item 3.
  if (max_forwards == 0) return b.respond(483, "Too Many Hops");
  // §16.3 item 4.
  if (loops_back(req, loop, me)) return b.respond(482, "Loop Detected");
  // §16.3 item 5: this proxy supports no extension, so every Proxy-Require tag is unknown.
  if (const sip::Header* pr = req.find(sip::HeaderId::kProxyRequire); pr != nullptr) {
    plan.unsupported = pr->value;
    return b.respond(420, "Bad Extension");
  }
  // §16.5: a stateless edge has no location service: nothing to forward to but itself.
  if (routes->addressed_to_us) return b.respond(404, "Not Found");

  plan.max_forwards_out = static_cast<uint8_t>(max_forwards - 1);
  plan.add_max_forwards = mf_row == nullptr;
  return b.forward();
}

}  // namespace sipedge::proxy
