// Our branch (§16.11): its layout, the loop hash, the MAC that seals it, and its check on a
// response.
#include "proxy/branch_hash.h"

#include <cstring>
#include <string>

#include "sip/char_class.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "trust/branch_mac.h"
#include "trust/flow_token.h"

namespace sipedge::proxy {
namespace {

// A multiply-xorshift hash over length-prefixed fields (so field boundaries cannot be
// shifted), eight bytes per step, finished with the murmur3 fmix64 avalanche. Every request
// pays for it, so it reads words, not bytes. Not cryptographic, and it need not be: what a
// response may do is decided by the branch MAC; a forged loop-hash collision only harms the
// forger's own request (a false 482).
class FieldHasher {
 public:
  void add(std::string_view s) {
    add_u64(s.size());
    const char* p = s.data();
    size_t n = s.size();
    while (n >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      add_u64(w);
      p += 8;
      n -= 8;
    }
    if (n) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      add_u64(w);
    }
  }
  void add_u64(uint64_t v) {
    h_ ^= v;
    h_ *= 0x9e3779b97f4a7c15ULL;
    h_ ^= h_ >> 29;
  }
  uint64_t done() const {
    uint64_t k = h_;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

constexpr char kHex[] = "0123456789abcdef";

void put_hex(uint64_t v, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

uint64_t loop_hash(const sip::Message& req, const RouteAnalysis& routes, std::string_view from_tag,
                   uint32_t cseq_number) {
  FieldHasher h;
  h.add(routes.request_uri.text);
  h.add(from_tag);
  const sip::Header* call_id = req.find(sip::HeaderId::kCallId);
  h.add(call_id != nullptr ? call_id->value : std::string_view{});
  h.add_u64(cseq_number);
  for (const sip::Header& row : req.headers) {
    if (row.id == sip::HeaderId::kProxyRequire) h.add(row.value);
  }
  for_each_route_value(req, [&](uint16_t index, std::string_view element) {
    if (route_value_kept(index, routes.count, routes.pop, routes.strict_fixup)) h.add(element);
  });
  return h.done();
}

void format_branch(uint64_t flow, uint64_t loop, std::span<char, kBranchSize> out) {
  std::memcpy(out.data(), kMagicCookie.data(), kMagicCookie.size());
  put_hex(flow, out.data() + kBranchFlowAt);
  out[kBranchLoopAt - 1] = '.';
  put_hex(loop, out.data() + kBranchLoopAt);
  out[kBranchMacAt - 1] = '.';
  std::memset(out.data() + kBranchMacAt, '0', trust::kBranchMacHex);
}

std::optional<BranchParts> parse_branch(std::string_view branch) {
  if (branch.size() != kBranchSize || branch.substr(0, kMagicCookie.size()) != kMagicCookie ||
      branch[kBranchLoopAt - 1] != '.' || branch[kBranchMacAt - 1] != '.') {
    return std::nullopt;
  }
  auto flow = trust::parse_hex64(std::span<const char, 16>(branch.data() + kBranchFlowAt, 16));
  auto loop = trust::parse_hex64(std::span<const char, 16>(branch.data() + kBranchLoopAt, 16));
  if (!flow || !loop) return std::nullopt;
  return BranchParts{*flow, *loop, branch.substr(kBranchMacAt)};
}

uint64_t hash_fields(std::initializer_list<std::string_view> fields) {
  FieldHasher h;
  for (std::string_view f : fields) h.add(f);
  return h.done();
}

bool branch_has_loop_hash(std::string_view branch, uint64_t loop) {
  if (branch.size() != kBranchSize || branch.substr(0, 7) != kMagicCookie ||
      branch[kBranchLoopAt - 1] != '.') {
    return false;
  }
  char hex[16];
  put_hex(loop, hex);
  return branch.substr(kBranchLoopAt, 16) == std::string_view(hex, sizeof(hex));
}

void seal_branch(const trust::BranchKey& key, std::string_view forwarded_via,
                 std::span<char, kBranchSize> branch) {
  auto parts = parse_branch(std::string_view(branch.data(), branch.size()));
  if (!parts) return;
  trust::branch_mac(
      key, parts->flow, parts->loop, forwarded_via,
      std::span<char, trust::kBranchMacHex>(branch.data() + kBranchMacAt, trust::kBranchMacHex));
}

std::optional<trust::FlowToken> response_flow(const sip::Via& ours, std::string_view next_element,
                                              const LocalIdentity& me) {
  if (!ours.has_branch) return std::nullopt;
  auto parts = parse_branch(ours.branch);
  if (!parts) return std::nullopt;
  if (!trust::branch_mac_matches(me.branch_key, parts->flow, parts->loop, next_element,
                                 parts->mac)) {
    return std::nullopt;
  }
  return trust::unpack(parts->flow);
}

size_t compute_branch(const sip::Message& req, const Inbound& in, const LocalIdentity& me,
                      std::span<char> out) {
  if (out.size() < kBranchSize || !req.is_request()) return 0;
  auto top = parse_top_via(req);
  const sip::Header* from_row = req.find(sip::HeaderId::kFrom);
  const sip::Header* cseq_row = req.find(sip::HeaderId::kCSeq);
  if (!top || from_row == nullptr || cseq_row == nullptr) return 0;
  auto from = sip::parse_name_addr(from_row->value, "From");
  auto cseq = sip::parse_cseq(cseq_row->value, "CSeq");
  auto routes = analyze_routes(req, me);
  if (!from || !cseq || !routes) return 0;
  std::span<char, kBranchSize> branch(out.data(), kBranchSize);
  format_branch(in.flow, loop_hash(req, *routes, from->tag, cseq->number), branch);
  // The Via below ours as build_forwarded_request writes it.
  std::string via(top->element.size() + 128, '\0');
  OutputWriter w{std::span<char>(via)};
  write_via_with_received(w, top->element, top->via, in.source);
  auto n = w.finish();
  if (!n) return 0;
  seal_branch(me.branch_key, std::string_view(via.data(), *n), branch);
  return kBranchSize;
}

}  // namespace sipedge::proxy
