// The benchmark's own measuring parts: a wrong stamp, framing or percentile would print a
// wrong table without any error, so they are tested like product code.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_request.h"
#include "latency_histogram.h"

namespace sipedge::bench {
namespace {

std::string request(const RequestTemplate& t, uint64_t seq, uint64_t ns) {
  std::string text(t.size(), '\0');
  t.copy_to(text.data());
  t.patch(text.data(), seq, ns);
  return text;
}

TEST(RequestTemplate, HasTheAskedSizeAndAConsistentContentLength) {
  RequestTemplate t("UDP", "127.0.0.1:40000", "sip:bench@bench.test", 400);
  std::string text = request(t, 1, 2);
  EXPECT_EQ(text.size(), 400u);
  size_t end = text.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(content_length(std::string_view(text).substr(0, end + 2)),
            static_cast<long>(text.size() - end - 4));
  EXPECT_EQ(text.rfind("MESSAGE sip:bench@bench.test SIP/2.0\r\n", 0), 0u);
  EXPECT_NE(text.find("\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;rport;branch=z9hG4bK-"),
            std::string::npos);
  EXPECT_NE(text.find("\r\nMax-Forwards: 70\r\n"), std::string::npos);
}

TEST(RequestTemplate, EachRequestHasItsOwnBranchTagAndCallId) {
  RequestTemplate t("TCP", "127.0.0.1:40000", "sip:bench@bench.test", 400);
  std::string a = request(t, 1, 5), b = request(t, 2, 5);
  auto header = [](const std::string& s, std::string_view name) {
    size_t at = s.find(name);
    return s.substr(at, s.find("\r\n", at + 2) - at);
  };
  EXPECT_NE(header(a, "\r\nVia:"), header(b, "\r\nVia:"));
  EXPECT_NE(header(a, "\r\nFrom:"), header(b, "\r\nFrom:"));
  EXPECT_NE(header(a, "\r\nCall-ID:"), header(b, "\r\nCall-ID:"));
}

TEST(CallIdStamp, RoundTripsThroughAForwardedCopy) {
  RequestTemplate t("UDP", "127.0.0.1:40000", "sip:bench@bench.test", 400);
  std::string text = request(t, 0x1234567890abcdefull, 987654321012345ull);
  // What a proxy sends on: its own Via on top, Max-Forwards decremented, Call-ID untouched.
  std::string forwarded = text;
  forwarded.insert(forwarded.find("\r\n") + 2,
                   "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy\r\n");
  forwarded.replace(forwarded.find("Max-Forwards: 70"), 16, "Max-Forwards: 69");
  uint64_t seq = 0, ns = 0;
  ASSERT_TRUE(read_call_id_stamp(forwarded, &seq, &ns));
  EXPECT_EQ(seq, 0x1234567890abcdefull);
  EXPECT_EQ(ns, 987654321012345ull);
  EXPECT_TRUE(max_forwards_decremented(forwarded));
  EXPECT_FALSE(max_forwards_decremented(text));
}

TEST(CallIdStamp, ForeignCallIdIsNotAStamp) {
  uint64_t seq = 0, ns = 0;
  EXPECT_FALSE(read_call_id_stamp("OPTIONS sip:x SIP/2.0\r\nCall-ID: abc@host\r\n\r\n", &seq, &ns));
  EXPECT_FALSE(read_call_id_stamp("OPTIONS sip:x SIP/2.0\r\n\r\n", &seq, &ns));
}

TEST(ContentLength, FullAndCompactNamesAnyCase) {
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\nContent-Length: 12\r\n"), 12);
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\ncontent-length:7\r\n"), 7);
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\nl: 0\r\n"), 0);
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\nContent-Length: 1x\r\n"), -1);
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\nContent-Type: text/plain\r\n"), -1);
  EXPECT_EQ(content_length("INVITE x SIP/2.0\r\nContent-Length: 99999999999999999999\r\n"), -1);
}

TEST(LatencyHistogram, PercentilesWithinBucketPrecision) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), 0u);
  // 1..10000 us: p50 ~ 5000 us, p99 ~ 9900 us.
  for (uint64_t us = 1; us <= 10000; ++us) h.record(us * 1000);
  EXPECT_EQ(h.count(), 10000u);
  auto near = [](uint64_t got, uint64_t want) {
    return got <= want && got * 1.02 >= static_cast<double>(want);
  };
  EXPECT_TRUE(near(h.quantile(0.5), 5000 * 1000)) << h.quantile(0.5);
  EXPECT_TRUE(near(h.quantile(0.99), 9900 * 1000)) << h.quantile(0.99);
  EXPECT_EQ(h.quantile(0.0), h.quantile(0.0));
  EXPECT_LE(h.quantile(1.0), 10000u * 1000);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v : {3, 3, 3, 60}) h.record(v);
  EXPECT_EQ(h.quantile(0.5), 3u);
  EXPECT_EQ(h.quantile(1.0), 60u);
}

}  // namespace
}  // namespace sipedge::bench
