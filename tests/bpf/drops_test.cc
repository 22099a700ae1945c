// Drop reasons: malformed UDP on SIP ports, denied sources, plaintext from TLS-only sources,
// rate limits (datagram and SYN buckets), and frames cut short at every header.
#include "xdp_fixture.h"

namespace sipedge::testing {
namespace {

using sipedge::xdp::ParsePrefix;
using sipedge::xdp::PolicyAdd;
using sipedge::xdp::SetRateLimit;

void AddPolicy(const sipedge::xdp::MapSet& maps, const char* prefix, unsigned action) {
  auto p = ParsePrefix(prefix);
  ASSERT_TRUE(p) << p.error();
  ASSERT_TRUE(PolicyAdd(maps, *p, action));
}

TEST_F(XdpProgTest, GarbageOnSipUdpPortIsMalformed) {
  const char* bad[] = {"hello world, this is not SIP",
                       "INVITEX bob@example.com SIP/2.0 and more",
                       "INV(TE sip:bob@example.com SIP/2.0",
                       "A-very-long-extension-method-name sip:bob@example.com SIP/2.0",
                       "FOO  sip:bob@example.com SIP/2.0 and more",
                       "SIP/2.0200 OK and more bytes",
                       "\r\n\r\n\r\n",
                       "INVITE",
                       "",
                       "\r\nINVITE sip:a SIP/2.0\r\n"};
  for (const char* payload : bad) EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, payload)), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), std::size(bad));
  EXPECT_EQ(TotalCounted(), std::size(bad));
}

// RFC 3261 §7.1: Method is any token, so extension methods and other casings are requests.
TEST_F(XdpProgTest, ExtensionMethodWithSipUriIsSip) {
  const char* good[] = {"invite sip:bob@example.com SIP/2.0\r\n",
                        "INVITEX sip:bob@example.com SIP/2.0\r\n",
                        "!interesting-Method0123 sips:bob@example.com SIP/2.0\r\n",
                        "FOO tel:+15551234567 SIP/2.0\r\nVia: x\r\n"};
  for (const char* payload : good) EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, payload)), XDP_PASS);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 0u);
  EXPECT_EQ(TotalCounted(), std::size(good));
}

TEST_F(XdpProgTest, UdpLengthBeyondFrameIsMalformed) {
  auto p = UdpV4("192.0.2.1", 5060, kInvite);
  p.UdpLength(1400);
  EXPECT_EQ(Run(p), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
}

TEST_F(XdpProgTest, DeniedPrefixesV4AndV6) {
  AddPolicy(maps_, "203.0.113.0/24", SIPEDGE_POLICY_DENY);
  AddPolicy(maps_, "2001:db8:bad::/48", SIPEDGE_POLICY_DENY);
  EXPECT_EQ(Run(UdpV4("203.0.113.9", 5060, kInvite)), XDP_DROP);
  EXPECT_EQ(Run(TcpV4("203.0.113.9", 5061)), XDP_DROP);
  Packet v6;
  v6.Eth().IPv6("2001:db8:bad::7", "2001:db8::2").Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(v6), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 3u);
  // Neighbours of the prefixes, and non-SIP traffic from them, are untouched.
  EXPECT_EQ(Run(UdpV4("203.0.114.9", 5060, kInvite)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("203.0.113.9", 22)), XDP_PASS);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 3u);
}

TEST_F(XdpProgTest, LongestPrefixWins) {
  AddPolicy(maps_, "10.0.0.0/8", SIPEDGE_POLICY_DENY);
  AddPolicy(maps_, "10.1.0.0/16", SIPEDGE_POLICY_ALLOW);
  EXPECT_EQ(Run(UdpV4("10.1.2.3", 5060, kInvite)), XDP_PASS);
  EXPECT_EQ(Run(UdpV4("10.2.2.3", 5060, kInvite)), XDP_DROP);
}

TEST_F(XdpProgTest, TlsOnlySourceLosesPlaintextOnly) {
  AddPolicy(maps_, "198.18.0.0/15", SIPEDGE_POLICY_TLS_ONLY);
  ASSERT_TRUE(sipedge::xdp::SetPort(maps_, SIPEDGE_L4_TCP, 8080, SIPEDGE_CLASS_SIP_WS));
  ASSERT_TRUE(sipedge::xdp::SetPort(maps_, SIPEDGE_L4_TCP, 8443, SIPEDGE_CLASS_SIP_WSS));
  const char* src = "198.18.0.5";
  EXPECT_EQ(Run(UdpV4(src, 5060, kInvite)), XDP_DROP);
  EXPECT_EQ(Run(UdpV4(src, 5060, "\r\n\r\n")), XDP_DROP);
  EXPECT_EQ(Run(TcpV4(src, 5060)), XDP_DROP);
  EXPECT_EQ(Run(TcpV4(src, 8080)), XDP_DROP);
  Packet sctp;
  sctp.Eth().IPv4(src, "198.51.100.1").Sctp(5060, 5060);
  EXPECT_EQ(Run(sctp), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 5u);
  EXPECT_EQ(Run(TcpV4(src, 5061)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4(src, 8443)), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_TLS), 1u);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_WSS), 1u);
}

TEST_F(XdpProgTest, DefaultTlsOnlySparesListedAllow) {
  ASSERT_TRUE(sipedge::xdp::SetDefaultPolicy(maps_, SIPEDGE_POLICY_TLS_ONLY));
  AddPolicy(maps_, "192.0.2.0/24", SIPEDGE_POLICY_ALLOW);
  EXPECT_EQ(Run(UdpV4("198.51.100.7", 5060, kInvite)), XDP_DROP);
  EXPECT_EQ(Run(UdpV4("192.0.2.7", 5060, kInvite)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("198.51.100.7", 5061)), XDP_PASS);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 1u);
}

TEST_F(XdpProgTest, Ipv6SourcesShareABucketPerSlash64) {
  ASSERT_TRUE(SetRateLimit(maps_, 1, 2, 0, 0));
  auto v6 = [](const char* src) {
    Packet p;
    p.Eth().IPv6(src, "2001:db8::2").Udp(5062, 5060).Payload(kInvite);
    return p;
  };
  EXPECT_EQ(Run(v6("2001:db8:1:2::1")), XDP_PASS);
  EXPECT_EQ(Run(v6("2001:db8:1:2::ffff")), XDP_PASS);
  EXPECT_EQ(Run(v6("2001:db8:1:2:abcd::1")), XDP_DROP);
  EXPECT_EQ(Run(v6("2001:db8:1:3::1")), XDP_PASS);
  EXPECT_EQ(Drops(SIPEDGE_DROP_RATE_LIMITED), 1u);
}

TEST_F(XdpProgTest, SynBucketLimitsOnlySyns) {
  ASSERT_TRUE(SetRateLimit(maps_, 0, 0, 1, 2));
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061, 0x02)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5060, 0x02)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061, 0x02)), XDP_DROP);
  // Established-connection segments (ACK set, incl. SYN|ACK) and UDP are not charged.
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061, 0x10)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061, 0x12)), XDP_PASS);
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, kInvite)), XDP_PASS);
  EXPECT_EQ(Drops(SIPEDGE_DROP_RATE_LIMITED), 1u);
}

// Cuts `p` one byte short of the end of each header after the Ethernet header (the kernel
// refuses test frames shorter than an Ethernet header) and expects "passed, truncated".
void ExpectTruncatedAtEveryHeader(XdpProgTest& t, const Packet& p, size_t headers) {
  auto full = p.Build();
  const auto& starts = p.HeaderStarts();
  ASSERT_GE(starts.size(), headers + 1);
  for (size_t h = 1; h <= headers; ++h) {
    size_t end = h + 1 < starts.size() ? starts[h + 1] : full.size();
    std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(end - 1));
    SCOPED_TRACE("header " + std::to_string(h) + " cut at " + std::to_string(cut.size()));
    EXPECT_EQ(t.Run(cut), XDP_PASS);
  }
}

TEST_F(XdpProgTest, TruncatedAtEachHeaderIsPassedAndCounted) {
  Packet v4;  // eth, vlan, vlan, ipv4+options, udp, payload
  v4.Eth()
      .Vlan(10, 0x88A8)
      .Vlan(20)
      .IPv4("192.0.2.1", "198.51.100.1", {1, 1, 1, 0})
      .Udp(5062, 5060)
      .Payload(kInvite);
  ExpectTruncatedAtEveryHeader(*this, v4, 4);
  Packet v6;  // eth, ipv6, hop-by-hop, routing, fragment, tcp
  v6.Eth()
      .IPv6("2001:db8::1", "2001:db8::2")
      .IPv6Ext(0)
      .IPv6Ext(43, 16)
      .IPv6Frag(0, true)
      .Tcp(40000, 5061);
  ExpectTruncatedAtEveryHeader(*this, v6, 5);
  Packet sctp;
  sctp.Eth().IPv4("192.0.2.1", "198.51.100.1").Sctp(5060, 5060);
  ExpectTruncatedAtEveryHeader(*this, sctp, 2);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TRUNCATED), 11u);
  EXPECT_EQ(TotalCounted(), 11u);
}

TEST_F(XdpProgTest, FrameShorterThanEthernetNeverReachesTheProgram) {
  std::vector<uint8_t> runt(13, 0);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = runt.data();
  opts.data_size_in = static_cast<uint32_t>(runt.size());
  EXPECT_NE(bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.sipedge_xdp), &opts), 0);
}

}  // namespace
}  // namespace sipedge::testing
