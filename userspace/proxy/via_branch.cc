// Branch computation (§16.11) and the public compute_branch.
#include "proxy/branch_hash.h"

#include <cstring>

#include "sip/char_class.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"

namespace sipedge::proxy {
namespace {

// A multiply-xorshift hash over length-prefixed fields (so field boundaries cannot be
// shifted), eight bytes per step, finished with the murmur3 fmix64 avalanche. Every request
// pays for it twice, so it reads words, not bytes. Not cryptographic: a forged collision
// only harms the forger's own request (a false 482) or makes its own retransmissions take
// another branch.
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

// The transaction half of our branch is keyed with a per-process secret when one is set, so
// a response can prove it answers a request we forwarded (see response_answers_our_branch).
// Written once at start-up before any worker runs, read-only afterwards.
struct BranchSecret {
  uint64_t k0 = 0, k1 = 0;
  bool set = false;
};
BranchSecret g_secret;

constexpr char kHex[] = "0123456789abcdef";

void put_hex(uint64_t v, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

uint64_t cookie_transaction_hash(const sip::Via& via) {
  FieldHasher h;
  h.add_u64(1);
  h.add_u64(g_secret.k0);
  h.add_u64(g_secret.k1);
  h.add(via.branch);
  h.add(via.host);
  h.add_u64(via.has_port ? via.port : 0);
  return h.done();
}

uint64_t transaction_hash(const sip::Message& req, const TopVia& top, std::string_view from_tag,
                          uint32_t cseq_number) {
  FieldHasher h;
  const sip::Via& via = top.via;
  if (via.has_branch && via.branch.size() > kMagicCookie.size() &&
      via.branch.substr(0, kMagicCookie.size()) == kMagicCookie) {
    // RFC 3261 §17.2.3; the method is left out so a CANCEL and an ACK hash like their INVITE.
    return cookie_transaction_hash(via);
  }
  h.add_u64(2);
  h.add(req.request_uri_text);
  h.add(from_tag);
  const sip::Header* call_id = req.find(sip::HeaderId::kCallId);
  h.add(call_id != nullptr ? call_id->value : std::string_view{});
  h.add_u64(cseq_number);
  h.add(top.element);
  return h.done();
}

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

void format_branch(uint64_t transaction, uint64_t loop, std::span<char, kBranchSize> out) {
  std::memcpy(out.data(), kMagicCookie.data(), kMagicCookie.size());
  put_hex(transaction, out.data() + 7);
  out[23] = '.';
  put_hex(loop, out.data() + 24);
}

uint64_t hash_fields(std::initializer_list<std::string_view> fields) {
  FieldHasher h;
  for (std::string_view f : fields) h.add(f);
  return h.done();
}

bool branch_has_loop_hash(std::string_view branch, uint64_t loop) {
  if (branch.size() != kBranchSize || branch.substr(0, 7) != kMagicCookie || branch[23] != '.') {
    return false;
  }
  char hex[16];
  put_hex(loop, hex);
  return branch.substr(24) == std::string_view(hex, sizeof(hex));
}

void set_branch_secret(uint64_t k0, uint64_t k1) { g_secret = BranchSecret{k0, k1, true}; }

void clear_branch_secret() { g_secret = BranchSecret{}; }

bool response_answers_our_branch(const sip::Via& ours, const sip::Via& next) {
  if (!g_secret.set) return true;
  // A client without the magic cookie gave us nothing the response repeats to check.
  if (!next.has_branch || next.branch.size() <= kMagicCookie.size() ||
      next.branch.substr(0, kMagicCookie.size()) != kMagicCookie) {
    return true;
  }
  if (!ours.has_branch || ours.branch.size() != kBranchSize || ours.branch[23] != '.') return false;
  char hex[16];
  put_hex(cookie_transaction_hash(next), hex);
  return ours.branch.substr(7, 16) == std::string_view(hex, sizeof(hex));
}

size_t compute_branch(const sip::Message& req, const LocalIdentity& me, std::span<char> out) {
  if (out.size() < kBranchSize || !req.is_request()) return 0;
  auto top = parse_top_via(req);
  const sip::Header* from_row = req.find(sip::HeaderId::kFrom);
  const sip::Header* cseq_row = req.find(sip::HeaderId::kCSeq);
  if (!top || from_row == nullptr || cseq_row == nullptr) return 0;
  auto from = sip::parse_name_addr(from_row->value, "From");
  auto cseq = sip::parse_cseq(cseq_row->value, "CSeq");
  auto routes = analyze_routes(req, me);
  if (!from || !cseq || !routes) return 0;
  format_branch(transaction_hash(req, *top, from->tag, cseq->number),
                loop_hash(req, *routes, from->tag, cseq->number),
                std::span<char, kBranchSize>(out.data(), kBranchSize));
  return kBranchSize;
}

}  // namespace sipedge::proxy
