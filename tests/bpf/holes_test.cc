// Policy that holds for every frame (long IPv6 chains, tiny first fragments), and carrier
// traffic that must pass: SIP datagrams fragmented as a real sender fragments them, STUN
// keep-alives, frames larger than one buffer.
#include "xdp_fixture.h"

namespace sipedge::testing {
namespace {

using sipedge::xdp::ParsePrefix;
using sipedge::xdp::PolicyAdd;

void AddPolicy(const sipedge::xdp::MapSet& maps, const char* prefix, unsigned action) {
  auto p = ParsePrefix(prefix);
  ASSERT_TRUE(p) << p.error();
  ASSERT_TRUE(PolicyAdd(maps, *p, action));
}

Packet LongChainV6(const char* src, int headers, std::string_view payload) {
  Packet p;
  p.Eth().IPv6(src, "2001:db8::2");
  for (int i = 0; i < headers; ++i) p.IPv6Ext(60);
  p.Udp(5062, 5060).Payload(payload);
  return p;
}

// An INVITE with an SDP body larger than a 1500-byte MTU (many ICE candidates).
std::string LargeInvite() {
  std::string sdp =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 49170 RTP/AVP 0 8 9 18 101\r\n";
  for (int i = 0; sdp.size() < 2600; ++i)
    sdp += "a=candidate:" + std::to_string(i) + " 1 UDP 2130706431 192.0.2." +
           std::to_string(i % 250) + " " + std::to_string(50000 + i) + " typ host\r\n";
  return "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1\r\n"
         "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.org>;tag=1\r\n"
         "Call-ID: big@192.0.2.1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

// --- policy regardless of the L4 walk ---------------------------------------------------------

TEST_F(XdpProgTest, DeniedV6SourceCannotHideBehindALongExtensionChain) {
  AddPolicy(maps_, "2001:db8:bad::/48", SIPEDGE_POLICY_DENY);
  for (int n : {1, 5, 6, 8, 9, 20}) {
    SCOPED_TRACE(std::to_string(n) + " extension headers");
    EXPECT_EQ(Run(LongChainV6("2001:db8:bad::7", n, kInvite)), XDP_DROP);
  }
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 6u);
  EXPECT_EQ(TotalCounted(), 6u);
}

TEST_F(XdpProgTest, TlsOnlyV6SourceCannotHideBehindALongExtensionChain) {
  AddPolicy(maps_, "2001:db8:7::/48", SIPEDGE_POLICY_TLS_ONLY);
  EXPECT_EQ(Run(LongChainV6("2001:db8:7::1", 12, kInvite)), XDP_DROP);
  EXPECT_EQ(Run(LongChainV6("2001:db8:7::1", 3, kInvite)), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 2u);
  // Default tls-only reaches unlisted sources the same way.
  ASSERT_TRUE(sipedge::xdp::SetDefaultPolicy(maps_, SIPEDGE_POLICY_TLS_ONLY));
  EXPECT_EQ(Run(LongChainV6("2001:db8:99::1", 12, kInvite)), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 3u);
}

TEST_F(XdpProgTest, ChainWithinTheWalkIsClassifiedChainBeyondItIsUnreadable) {
  EXPECT_EQ(Run(LongChainV6("2001:db8::1", 7, kInvite)), XDP_PASS);
  EXPECT_EQ(Run(LongChainV6("2001:db8::1", 7, "garbage, not SIP at all")), XDP_DROP);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
  // Longer than the walk: no port can be read, so nothing about the frame can be vouched for.
  EXPECT_EQ(Run(LongChainV6("2001:db8::1", 9, kInvite)), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_UNREADABLE), 1u);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 0u);
}

TEST_F(XdpProgTest, ExtensionHeadersBeyondTheFirstBufferAreStillWalked) {
  // Two 2 KiB destination-options headers push the UDP header past the linear part of a
  // multi-buffer frame; the walk reads on through bpf_xdp_load_bytes.
  AddPolicy(maps_, "2001:db8:bad::/48", SIPEDGE_POLICY_DENY);
  Packet p;
  p.Eth()
      .IPv6("2001:db8:bad::7", "2001:db8::2")
      .IPv6Ext(60, 2048)
      .IPv6Ext(60, 2048)
      .Udp(5062, 5060);
  p.Payload(kInvite);
  EXPECT_EQ(Run(p), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 1u);
  Packet ok;
  ok.Eth().IPv6("2001:db8::7", "2001:db8::2").IPv6Ext(60, 2048).IPv6Ext(60, 2048).Udp(5062, 5060);
  ok.Payload(kInvite);
  EXPECT_EQ(Run(ok), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  EXPECT_EQ(Stats().classes[SIPEDGE_CLASS_SIP_UDP].bytes, ok.Build().size())
      << "the byte counter covers every buffer of the frame";
}

TEST_F(XdpProgTest, ByteCountsCoverEveryBufferOfAJumboFrame) {
  // A 6.8 KB INVITE (a large SDP body) arrives as a multi-buffer frame; its bytes are
  // counted in full, not just the linear part's.
  std::string invite(kInvite);
  invite.replace(invite.find("Content-Length: 0"), 17, "Content-Length: 6500");
  invite += std::string(6500, 'a');
  auto frame = UdpV4("192.0.2.1", 5060, invite).Build();
  ASSERT_GT(frame.size(), 6500u);
  EXPECT_EQ(Run(frame), XDP_PASS);
  EXPECT_EQ(Stats().classes[SIPEDGE_CLASS_SIP_UDP].bytes, frame.size());
  auto small = UdpV4("192.0.2.1", 5060, kInvite).Build();
  EXPECT_EQ(Run(small), XDP_PASS);
  EXPECT_EQ(Stats().classes[SIPEDGE_CLASS_SIP_UDP].bytes, frame.size() + small.size());
}

TEST_F(XdpProgTest, DeniedV4SynSplitIntoATinyFirstFragmentIsDropped) {
  AddPolicy(maps_, "203.0.113.0/24", SIPEDGE_POLICY_DENY);
  auto syn = TcpV4("203.0.113.9", 5061, 0x02).Build();
  auto frags = Fragment(syn, 8, 1480);  // 8 bytes of TCP header, then the rest
  ASSERT_EQ(frags.size(), 2u);
  EXPECT_EQ(Run(frags[0]), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 1u);
  // The later fragment carries no ports; without its first it never reassembles.
  EXPECT_EQ(Run(frags[1]), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_FRAGMENT), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TRUNCATED), 0u);
}

TEST_F(XdpProgTest, TinyFirstFragmentsAreUnreadableFromAnySource) {
  // Not even the ports: a first fragment holding 0 bytes of L4 (IPv4) or a UDP header cut
  // after 8 bytes of a TCP header that needs 20.
  auto syn = TcpV4("192.0.2.9", 5060, 0x02).Build();
  auto frags = Fragment(syn, 8, 1480);
  EXPECT_EQ(Run(frags[0]), XDP_DROP);
  Packet v6syn;
  v6syn.Eth().IPv6("2001:db8::9", "2001:db8::2").Tcp(40000, 5060, 0x02);
  auto v6frags = Fragment(v6syn.Build(), 8, 1232);
  EXPECT_EQ(Run(v6frags[0]), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_UNREADABLE), 2u);
  ASSERT_TRUE(sipedge::xdp::SetDefaultPolicy(maps_, SIPEDGE_POLICY_TLS_ONLY));
  EXPECT_EQ(Run(frags[0]), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TLS_REQUIRED), 1u);
}

TEST_F(XdpProgTest, TruncatedFramesFromDeniedSourcesAreDenied) {
  AddPolicy(maps_, "203.0.113.0/24", SIPEDGE_POLICY_DENY);
  auto full = UdpV4("203.0.113.9", 5060, kInvite).Build();
  std::vector<uint8_t> cut(full.begin(), full.begin() + 14 + 20 + 4);  // half a UDP header
  EXPECT_EQ(Run(cut), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_DENIED), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_TRUNCATED), 0u);
}

// --- carrier traffic that must pass -------------------------------------------------------

TEST_F(XdpProgTest, RealFirstFragmentOfALargeInviteV4IsSip) {
  auto whole = UdpV4("192.0.2.1", 5060, LargeInvite()).Build();
  auto frags = Fragment(whole, 1480, 1480);
  ASSERT_GE(frags.size(), 2u);
  // As sent: the first fragment's UDP length covers the whole datagram.
  ASSERT_GT((frags[0][14 + 20 + 4] << 8 | frags[0][14 + 20 + 5]), 1480);
  for (const auto& f : frags) EXPECT_EQ(Run(f), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_FRAGMENT), frags.size() - 1);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 0u);
}

TEST_F(XdpProgTest, RealFirstFragmentOfALargeInviteV6IsSip) {
  Packet p;
  p.Eth().Vlan(7).IPv6("2001:db8::1", "2001:db8::2").Udp(5062, 5060).Payload(LargeInvite());
  auto frags = Fragment(p.Build(), 1232, 1232);
  ASSERT_GE(frags.size(), 3u);
  for (const auto& f : frags) EXPECT_EQ(Run(f), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_FRAGMENT), frags.size() - 1);
}

TEST_F(XdpProgTest, FirstFragmentOfGarbageIsStillMalformed) {
  auto whole = UdpV4("192.0.2.1", 5060, std::string(3000, 'x')).Build();
  auto frags = Fragment(whole, 1480, 1480);
  EXPECT_EQ(Run(frags[0]), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
  // A first fragment whose UDP length is shorter than what it carries is not a real one.
  auto bad = UdpV4("192.0.2.1", 5060, kInvite);
  bad.UdpLength(20);
  auto b = bad.Build();
  b[14 + 6] = 0x20;  // MF
  EXPECT_EQ(Run(b), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 2u);
}

TEST_F(XdpProgTest, StunBindingRequestIsAKeepalive) {
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, StunBindingRequest())), XDP_PASS);
  Packet v6;
  v6.Eth().IPv6("2001:db8::1", "2001:db8::2").Udp(5062, 5060).Payload(StunBindingRequest());
  EXPECT_EQ(Run(v6), XDP_PASS);
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, "\r\n\r\n")), XDP_PASS);
  auto t = Stats();
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_KEEPALIVE].packets, 3u);
  EXPECT_EQ(t.keepalive_stun, 2u);
  EXPECT_EQ(t.drops[SIPEDGE_DROP_MALFORMED], 0u);
}

TEST_F(XdpProgTest, StunLookalikesAreMalformed) {
  std::string wrong_cookie = StunBindingRequest();
  wrong_cookie[4] = 0x22;
  std::string wrong_length = StunBindingRequest();
  wrong_length[3] = 12;
  std::string response = StunBindingRequest();
  response[0] = 0x01;  // 0x0101: a Binding success response, not a keep-alive request
  for (const auto& m : {wrong_cookie, wrong_length, response})
    EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, m)), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 3u);
}

TEST_F(XdpProgTest, JumboInviteInAMultiBufferFrameIsSip) {
  // 8000 bytes: more than one page, so the test run hands the program a multi-buffer frame.
  std::string invite = LargeInvite();
  invite.resize(8000, 'a');
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, invite)), XDP_PASS);
  auto t = Stats();
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_UDP].packets, 1u);
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_UDP].bytes, 14u + 20 + 8 + 8000);
}

}  // namespace
}  // namespace sipedge::testing
