#include "resolve/dns_message.h"

#include <ares.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

namespace sipedge::resolve {

namespace {

constexpr int kHeaderLen = 12;
constexpr uint16_t kClassIn = 1;
constexpr int kRcodeNxDomain = 3;

uint16_t read16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t read32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// One resource record's framing; rdata points into the response buffer.
struct Rr {
  std::string owner;  // normalised
  uint16_t type = 0;
  uint16_t cls = 0;
  uint32_t ttl = 0;
  const unsigned char* rdata = nullptr;
  uint16_t rdlen = 0;
};

// Wire reader over one response; every read is bounds-checked.
class Reader {
 public:
  Reader(const unsigned char* buf, int len) : buf_(buf), len_(len) {}

  // Decodes the (possibly compressed) name at `at`; returns bytes consumed in place.
  std::optional<std::string> name(const unsigned char* at, long* consumed) const {
    char* s = nullptr;
    if (at < buf_ || at >= buf_ + len_) return std::nullopt;
    if (ares_expand_name(at, buf_, len_, &s, consumed) != ARES_SUCCESS) return std::nullopt;
    std::string out = normalize_dns_name(s);
    ares_free_string(s);
    if (out.empty()) out = ".";  // the root, e.g. an SRV target of "."
    return out;
  }

  // Decodes one <character-string> at `at`, not reading past `end`.
  std::optional<std::string> string(const unsigned char* at, const unsigned char* end,
                                    long* consumed) const {
    unsigned char* s = nullptr;
    if (at >= end) return std::nullopt;
    if (ares_expand_string(at, buf_, len_, &s, consumed) != ARES_SUCCESS) return std::nullopt;
    std::string out(reinterpret_cast<char*>(s));
    ares_free_string(s);
    if (at + *consumed > end) return std::nullopt;
    return out;
  }

  // Reads one RR at *pos, advancing it.
  std::optional<Rr> rr(const unsigned char** pos) const {
    long used = 0;
    auto owner = name(*pos, &used);
    if (!owner) return std::nullopt;
    const unsigned char* p = *pos + used;
    if (p + 10 > buf_ + len_) return std::nullopt;
    Rr r;
    r.owner = std::move(*owner);
    r.type = read16(p);
    r.cls = read16(p + 2);
    r.ttl = std::min<uint32_t>(read32(p + 4), 0x7fffffff);  // RFC 2181 §8
    r.rdlen = read16(p + 8);
    r.rdata = p + 10;
    if (r.rdata + r.rdlen > buf_ + len_) return std::nullopt;
    *pos = r.rdata + r.rdlen;
    return r;
  }

  const unsigned char* begin() const { return buf_; }
  const unsigned char* end() const { return buf_ + len_; }

 private:
  const unsigned char* buf_;
  int len_;
};

DnsStatus status_from_ares(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsStatus::kNoError;
    case ARES_ENODATA:
      return DnsStatus::kNoData;
    case ARES_ENOTFOUND:
      return DnsStatus::kNxDomain;
    case ARES_ETIMEOUT:
    case ARES_ECONNREFUSED:  // nobody listening: no answer, like a timeout
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      return DnsStatus::kTimeout;
    case ARES_EBADNAME:  // c-ares refused to encode the name: nothing was sent
      return DnsStatus::kBadName;
    default:  // SERVFAIL, REFUSED, NOTIMP, FORMERR, a bad response
      return DnsStatus::kServFail;
  }
}

bool parse_rdata(const Reader& rd, const Rr& rr, RrType qtype, DnsAnswer* out) {
  const unsigned char* end = rr.rdata + rr.rdlen;
  switch (qtype) {
    case RrType::kA:
    case RrType::kAaaa: {
      const size_t n = qtype == RrType::kA ? 4 : 16;
      if (rr.rdlen != n) return false;
      IpAddress a;
      a.family = qtype == RrType::kA ? 4 : 6;
      std::memcpy(a.bytes.data(), rr.rdata, n);
      out->addresses.push_back(a);
      return true;
    }
    case RrType::kSrv: {
      if (rr.rdlen < 7) return false;
      long used = 0;
      auto target = rd.name(rr.rdata + 6, &used);
      if (!target || rr.rdata + 6 + used > end) return false;
      out->srv.push_back(
          SrvRecord{read16(rr.rdata), read16(rr.rdata + 2), read16(rr.rdata + 4), *target});
      return true;
    }
    case RrType::kNaptr: {
      if (rr.rdlen < 7) return false;
      NaptrRecord n;
      n.order = read16(rr.rdata);
      n.preference = read16(rr.rdata + 2);
      const unsigned char* p = rr.rdata + 4;
      long used = 0;
      for (std::string* field : {&n.flags, &n.service, &n.regexp}) {
        auto s = rd.string(p, end, &used);
        if (!s) return false;
        *field = std::move(*s);
        p += used;
      }
      auto replacement = rd.name(p, &used);
      if (!replacement || p + used > end) return false;
      n.replacement = std::move(*replacement);
      out->naptr.push_back(std::move(n));
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

ParsedResponse parse_dns_response(int ares_status, const unsigned char* abuf, int alen,
                                  std::string_view qname, RrType qtype) {
  ParsedResponse r;
  r.answer.status = status_from_ares(ares_status);
  r.answer.canonical_name = std::string(qname);
  const bool has_data_status =
      ares_status == ARES_SUCCESS || ares_status == ARES_ENODATA || ares_status == ARES_ENOTFOUND;
  if (!has_data_status || abuf == nullptr || alen < kHeaderLen) {
    if (has_data_status) {
      r.answer.status = DnsStatus::kServFail;
      r.problem = "no response to parse";
    }
    return r;
  }
  auto bad = [&r](const char* why) {
    r.answer = DnsAnswer{};
    r.answer.status = DnsStatus::kServFail;
    r.cname_links.clear();
    r.follow_cname.clear();
    r.problem = why;
    return r;
  };

  Reader rd(abuf, alen);
  const int rcode = read16(abuf + 2) & 0x0f;
  const uint16_t qdcount = read16(abuf + 4);
  const uint16_t ancount = read16(abuf + 6);
  const uint16_t nscount = read16(abuf + 8);
  if (qdcount != 1) return bad("response must carry exactly one question");

  const unsigned char* pos = abuf + kHeaderLen;
  long used = 0;
  auto question = rd.name(pos, &used);
  if (!question || pos + used + 4 > rd.end()) return bad("truncated question");
  if (*question != qname || read16(pos + used) != static_cast<uint16_t>(qtype)) {
    return bad("question does not match the query");
  }
  pos += used + 4;

  std::vector<Rr> answers;
  for (uint16_t i = 0; i < ancount; ++i) {
    auto rr = rd.rr(&pos);
    if (!rr) return bad("malformed answer record");
    if (rr->cls == kClassIn) answers.push_back(std::move(*rr));
  }
  std::optional<uint32_t> negative_ttl;
  for (uint16_t i = 0; i < std::min(nscount, kMaxAuthorityRecords); ++i) {
    auto rr = rd.rr(&pos);
    if (!rr) break;  // authority data is advisory; a bad tail only loses the SOA
    if (rr->type == static_cast<uint16_t>(RrType::kSoa) && rr->rdlen >= 22) {
      // SOA MINIMUM is the last 32-bit field of the RDATA (RFC 1035 §3.3.13).
      const uint32_t minimum = read32(rr->rdata + rr->rdlen - 4);
      negative_ttl = std::min(rr->ttl, minimum);  // RFC 2308 §5
    }
  }

  // Follow the CNAME chain inside this answer (RFC 1034 §3.6.2), bounded.
  std::string current(qname);
  uint32_t min_ttl = std::numeric_limits<uint32_t>::max();
  for (int depth = 0;; ++depth) {
    auto cname = std::find_if(answers.begin(), answers.end(), [&](const Rr& rr) {
      return rr.type == static_cast<uint16_t>(RrType::kCname) && rr.owner == current;
    });
    if (cname == answers.end()) break;
    if (depth == kMaxCnameDepth) return bad("CNAME chain too long");
    long n = 0;
    auto target = rd.name(cname->rdata, &n);
    if (!target || n > cname->rdlen) return bad("malformed CNAME");
    r.cname_links.push_back(current);
    min_ttl = std::min(min_ttl, cname->ttl);
    current = std::move(*target);
  }
  r.answer.canonical_name = current;

  bool any_owned = !r.cname_links.empty();
  for (const Rr& rr : answers) {
    if (rr.owner != current || rr.type != static_cast<uint16_t>(qtype)) continue;
    any_owned = true;
    if (r.answer.record_count() == kMaxAnswerRecords) {
      // Take what fits (the entry stays bounded) and say so.
      r.answer.truncated = true;
      r.problem = "more than " + std::to_string(kMaxAnswerRecords) + " records; kept the first";
      continue;
    }
    if (!parse_rdata(rd, rr, qtype, &r.answer)) return bad("malformed record data");
    min_ttl = std::min(min_ttl, rr.ttl);
  }

  if (r.answer.record_count() > 0) {
    r.answer.status = DnsStatus::kNoError;
    r.answer.ttl = min_ttl;
    r.answer.has_ttl = true;
    return r;
  }
  if (!answers.empty() && !any_owned) return bad("answer records do not belong to the name asked");
  if (rcode == kRcodeNxDomain) {
    r.answer.status = DnsStatus::kNxDomain;
  } else if (!r.cname_links.empty() && !negative_ttl) {
    // The alias points out of this server's data: ask for the target.
    r.follow_cname = current;
    r.answer.status = DnsStatus::kNoData;
    r.answer.ttl = min_ttl;  // the chain's TTL so far; has_ttl stays false
    return r;
  } else {
    r.answer.status = DnsStatus::kNoData;
  }
  if (negative_ttl) {
    r.answer.ttl = std::min(*negative_ttl, min_ttl);
    r.answer.has_ttl = true;
  }
  return r;
}

}  // namespace sipedge::resolve
