// Parsing and checking of DNS responses: TTLs, CNAME chains, SOA minimum (RFC 2308),
// owner-name checks, bounds.
#include "resolve/dns_message.h"

#include <ares.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipedge::resolve {
namespace {

// Builds DNS responses byte by byte (no compression).
class Wire {
 public:
  Wire& header(uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns) {
    u16(0x1234).u16(flags).u16(qd).u16(an).u16(ns).u16(0);
    return *this;
  }
  Wire& question(const std::string& name, RrType type) {
    return this->name(name).u16(static_cast<uint16_t>(type)).u16(1);
  }
  Wire& rr(const std::string& owner, RrType type, uint32_t ttl, const std::vector<uint8_t>& rd) {
    name(owner)
        .u16(static_cast<uint16_t>(type))
        .u16(1)
        .u32(ttl)
        .u16(static_cast<uint16_t>(rd.size()));
    b_.insert(b_.end(), rd.begin(), rd.end());
    return *this;
  }
  Wire& u16(uint16_t v) {
    b_.push_back(static_cast<uint8_t>(v >> 8));
    b_.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Wire& u32(uint32_t v) {
    return u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v));
  }
  Wire& name(const std::string& n) {
    size_t start = 0;
    while (start < n.size()) {
      size_t dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      b_.push_back(static_cast<uint8_t>(dot - start));
      b_.insert(b_.end(), n.begin() + static_cast<long>(start), n.begin() + static_cast<long>(dot));
      start = dot + 1;
    }
    b_.push_back(0);
    return *this;
  }
  Wire& cs(const std::string& s) {
    b_.push_back(static_cast<uint8_t>(s.size()));
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

constexpr uint16_t kNoError = 0x8580;  // QR AA RD RA
constexpr uint16_t kNxDomain = 0x8583;

std::vector<uint8_t> srv_rdata(uint16_t prio, uint16_t weight, uint16_t port,
                               const std::string& t) {
  Wire w;
  w.u16(prio).u16(weight).u16(port).name(t == "." ? "" : t);
  return w.bytes();
}
std::vector<uint8_t> name_rdata(const std::string& n) { return Wire().name(n).bytes(); }
std::vector<uint8_t> soa_rdata(uint32_t minimum) {
  Wire w;
  w.name("ns.example.test")
      .name("hostmaster.example.test")
      .u32(1)
      .u32(3600)
      .u32(600)
      .u32(86400)
      .u32(minimum);
  return w.bytes();
}

ParsedResponse parse(int status, const Wire& w, const char* qname, RrType type) {
  return parse_dns_response(status, w.bytes().data(), static_cast<int>(w.bytes().size()), qname,
                            type);
}

TEST(DnsMessage, SrvRecordsAndTheSmallestTtl) {
  Wire w;
  w.header(kNoError, 1, 2, 0)
      .question("_sip._udp.example.test", RrType::kSrv)
      .rr("_sip._udp.example.test", RrType::kSrv, 300, srv_rdata(10, 60, 5060, "a.example.test"))
      .rr("_SIP._udp.Example.test", RrType::kSrv, 120, srv_rdata(20, 0, 5070, "B.example.test"));
  auto r = parse(ARES_SUCCESS, w, "_sip._udp.example.test", RrType::kSrv);
  ASSERT_EQ(r.answer.status, DnsStatus::kNoError);
  ASSERT_EQ(r.answer.srv.size(), 2u);
  EXPECT_EQ(r.answer.srv[0], (SrvRecord{10, 60, 5060, "a.example.test"}));
  EXPECT_EQ(r.answer.srv[1], (SrvRecord{20, 0, 5070, "b.example.test"}));
  EXPECT_TRUE(r.answer.has_ttl);
  EXPECT_EQ(r.answer.ttl, 120u);
}

TEST(DnsMessage, SrvRootTargetIsDot) {
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("_sip._tcp.example.test", RrType::kSrv)
      .rr("_sip._tcp.example.test", RrType::kSrv, 300, srv_rdata(0, 0, 0, "."));
  auto r = parse(ARES_SUCCESS, w, "_sip._tcp.example.test", RrType::kSrv);
  ASSERT_EQ(r.answer.srv.size(), 1u);
  EXPECT_EQ(r.answer.srv[0].target, ".");
}

TEST(DnsMessage, NaptrFields) {
  Wire rd;
  rd.u16(10).u16(50).cs("s").cs("SIPS+D2T").cs("").name("_sips._tcp.example.test");
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("example.test", RrType::kNaptr)
      .rr("example.test", RrType::kNaptr, 600, rd.bytes());
  auto r = parse(ARES_SUCCESS, w, "example.test", RrType::kNaptr);
  ASSERT_EQ(r.answer.naptr.size(), 1u);
  EXPECT_EQ(r.answer.naptr[0].order, 10);
  EXPECT_EQ(r.answer.naptr[0].preference, 50);
  EXPECT_EQ(r.answer.naptr[0].flags, "s");
  EXPECT_EQ(r.answer.naptr[0].service, "SIPS+D2T");
  EXPECT_EQ(r.answer.naptr[0].replacement, "_sips._tcp.example.test");
}

TEST(DnsMessage, CnameChainInsideTheAnswerIsFollowed) {
  Wire w;
  w.header(kNoError, 1, 3, 0)
      .question("alias.example.test", RrType::kA)
      .rr("alias.example.test", RrType::kCname, 50, name_rdata("mid.example.test"))
      .rr("mid.example.test", RrType::kCname, 500, name_rdata("pbx.example.test"))
      .rr("pbx.example.test", RrType::kA, 300, {192, 0, 2, 1});
  auto r = parse(ARES_SUCCESS, w, "alias.example.test", RrType::kA);
  ASSERT_EQ(r.answer.status, DnsStatus::kNoError);
  ASSERT_EQ(r.answer.addresses.size(), 1u);
  EXPECT_EQ(r.answer.addresses[0].to_string(), "192.0.2.1");
  EXPECT_EQ(r.answer.canonical_name, "pbx.example.test");
  EXPECT_EQ(r.answer.ttl, 50u);  // the chain is only as fresh as its shortest link
  EXPECT_EQ(r.cname_links, (std::vector<std::string>{"alias.example.test", "mid.example.test"}));
  EXPECT_TRUE(r.follow_cname.empty());
}

TEST(DnsMessage, CnameOutOfTheServersDataIsAskedFor) {
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("ext.example.test", RrType::kAaaa)
      .rr("ext.example.test", RrType::kCname, 40, name_rdata("pbx.other.test"));
  auto r = parse(ARES_SUCCESS, w, "ext.example.test", RrType::kAaaa);
  EXPECT_EQ(r.follow_cname, "pbx.other.test");
  EXPECT_EQ(r.answer.ttl, 40u);
  EXPECT_FALSE(r.answer.has_ttl);
}

TEST(DnsMessage, CnameLoopIsBounded) {
  Wire w;
  w.header(kNoError, 1, 2, 0)
      .question("a.example.test", RrType::kA)
      .rr("a.example.test", RrType::kCname, 60, name_rdata("b.example.test"))
      .rr("b.example.test", RrType::kCname, 60, name_rdata("a.example.test"));
  auto r = parse(ARES_SUCCESS, w, "a.example.test", RrType::kA);
  EXPECT_EQ(r.answer.status, DnsStatus::kServFail);
}

TEST(DnsMessage, Rfc2308_NxDomainTtlIsTheSoaMinimum) {
  Wire w;
  w.header(kNxDomain, 1, 0, 1)
      .question("nx.example.test", RrType::kA)
      .rr("example.test", RrType::kSoa, 3600, soa_rdata(60));
  auto r = parse(ARES_ENOTFOUND, w, "nx.example.test", RrType::kA);
  EXPECT_EQ(r.answer.status, DnsStatus::kNxDomain);
  EXPECT_TRUE(r.answer.has_ttl);
  EXPECT_EQ(r.answer.ttl, 60u);
}

TEST(DnsMessage, Rfc2308_NoDataTtlIsTheSmallerOfSoaTtlAndMinimum) {
  Wire w;
  w.header(kNoError, 1, 0, 1)
      .question("pbx.example.test", RrType::kAaaa)
      .rr("example.test", RrType::kSoa, 30, soa_rdata(600));
  auto r = parse(ARES_ENODATA, w, "pbx.example.test", RrType::kAaaa);
  EXPECT_EQ(r.answer.status, DnsStatus::kNoData);
  EXPECT_EQ(r.answer.ttl, 30u);
  EXPECT_TRUE(r.answer.has_ttl);
}

TEST(DnsMessage, Rfc2308_NegativeAnswerWithoutSoaIsNotCacheable) {
  Wire w;
  w.header(kNxDomain, 1, 0, 0).question("nx.example.test", RrType::kA);
  auto r = parse(ARES_ENOTFOUND, w, "nx.example.test", RrType::kA);
  EXPECT_EQ(r.answer.status, DnsStatus::kNxDomain);
  EXPECT_FALSE(r.answer.has_ttl);
}

TEST(DnsMessage, RecordsOfAnotherNameAreRejected) {
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("pbx.example.test", RrType::kA)
      .rr("evil.example.test", RrType::kA, 300, {192, 0, 2, 66});
  auto r = parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA);
  EXPECT_EQ(r.answer.status, DnsStatus::kServFail);
  EXPECT_TRUE(r.answer.addresses.empty());
}

TEST(DnsMessage, BadRdataLengthIsRejected) {
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("pbx.example.test", RrType::kA)
      .rr("pbx.example.test", RrType::kA, 300, {192, 0, 2});
  EXPECT_EQ(parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA).answer.status,
            DnsStatus::kServFail);
}

TEST(DnsMessage, QuestionMismatchIsRejected) {
  Wire w;
  w.header(kNoError, 1, 1, 0)
      .question("other.example.test", RrType::kA)
      .rr("other.example.test", RrType::kA, 300, {192, 0, 2, 1});
  EXPECT_EQ(parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA).answer.status,
            DnsStatus::kServFail);
}

TEST(DnsMessage, TruncatedRecordIsRejected) {
  Wire w;
  w.header(kNoError, 1, 2, 0)
      .question("pbx.example.test", RrType::kA)
      .rr("pbx.example.test", RrType::kA, 300, {192, 0, 2, 1});
  EXPECT_EQ(parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA).answer.status,
            DnsStatus::kServFail);
}

TEST(DnsMessage, MoreRecordsThanTheLimitKeepTheFirstAndSaySo) {
  // 100 A records, then the CNAME's target records would be irrelevant: the answer keeps
  // kMaxAnswerRecords of them, is marked truncated, and is not a SERVFAIL.
  constexpr int kRecords = 100;
  Wire w;
  w.header(kNoError, 1, kRecords, 0).question("pbx.example.test", RrType::kA);
  for (int i = 0; i < kRecords; ++i) {
    w.rr("pbx.example.test", RrType::kA, 300, {192, 0, 2, static_cast<uint8_t>(i)});
  }
  const ParsedResponse r = parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA);
  EXPECT_EQ(r.answer.status, DnsStatus::kNoError);
  EXPECT_EQ(r.answer.addresses.size(), size_t{kMaxAnswerRecords});
  EXPECT_TRUE(r.answer.truncated);
  EXPECT_EQ(r.answer.addresses.front().bytes[3], 0);
  EXPECT_FALSE(r.problem.empty());
}

TEST(DnsMessage, RecordsUpToTheLimitAreNotTruncated) {
  Wire w;
  w.header(kNoError, 1, kMaxAnswerRecords, 0).question("pbx.example.test", RrType::kA);
  for (int i = 0; i < kMaxAnswerRecords; ++i) {
    w.rr("pbx.example.test", RrType::kA, 300, {192, 0, 2, static_cast<uint8_t>(i)});
  }
  const ParsedResponse r = parse(ARES_SUCCESS, w, "pbx.example.test", RrType::kA);
  EXPECT_EQ(r.answer.addresses.size(), size_t{kMaxAnswerRecords});
  EXPECT_FALSE(r.answer.truncated);
}

TEST(DnsMessage, LocalBadNameIsNotAServerFailure) {
  // c-ares refuses a label over 63 octets before sending anything.
  EXPECT_EQ(parse_dns_response(ARES_EBADNAME, nullptr, 0, "x", RrType::kA).answer.status,
            DnsStatus::kBadName);
}

TEST(DnsMessage, FailuresWithoutAResponseKeepTheirKind) {
  EXPECT_EQ(parse_dns_response(ARES_ETIMEOUT, nullptr, 0, "x", RrType::kA).answer.status,
            DnsStatus::kTimeout);
  EXPECT_EQ(parse_dns_response(ARES_ECONNREFUSED, nullptr, 0, "x", RrType::kA).answer.status,
            DnsStatus::kTimeout);
  EXPECT_EQ(parse_dns_response(ARES_ESERVFAIL, nullptr, 0, "x", RrType::kA).answer.status,
            DnsStatus::kServFail);
  EXPECT_EQ(parse_dns_response(ARES_EREFUSED, nullptr, 0, "x", RrType::kA).answer.status,
            DnsStatus::kServFail);
}

}  // namespace
}  // namespace sipedge::resolve
