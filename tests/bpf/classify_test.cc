// Classes: every SIP transport, keep-alives, WebSocket ports only where configured, and
// everything else as `other`; VLAN/QinQ, IPv4 options and IPv6 extension headers on the way.
#include "xdp_fixture.h"

namespace sipedge::testing {
namespace {

constexpr int SIPEDGE_TEST_MAX_IPV6_EXT = 8;  // bpf/parse.bpf.h

using sipedge::xdp::SetPort;

TEST_F(XdpProgTest, UdpInviteIsSipUdp) {
  auto frame = UdpV4("192.0.2.1", 5060, kInvite).Build();
  EXPECT_EQ(Run(frame), XDP_PASS);
  auto t = Stats();
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_UDP].packets, 1u);
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_UDP].bytes, frame.size());
  EXPECT_EQ(TotalCounted(), 1u);
}

TEST_F(XdpProgTest, UdpResponseIsSipUdp) {
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, "SIP/2.0 200 OK\r\nVia: x\r\n\r\n")), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
}

class MethodTest : public XdpProgTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(MethodTest, KnownMethodPasses) {
  std::string msg = std::string(GetParam()) + " sip:bob@example.com SIP/2.0\r\n\r\n";
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, msg)), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
}

INSTANTIATE_TEST_SUITE_P(Rfc3261AndExtensions, MethodTest,
                         ::testing::Values("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER",
                                           "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO",
                                           "REFER", "MESSAGE", "UPDATE"));

TEST_F(XdpProgTest, CrlfAndDoubleCrlfAreKeepalives) {
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, "\r\n")), XDP_PASS);
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, "\r\n\r\n")), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_KEEPALIVE), 2u);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 0u);
}

TEST_F(XdpProgTest, KeepaliveIgnoresEthernetPadding) {
  auto frame = UdpV4("192.0.2.1", 5060, "\r\n\r\n").Build();
  frame.resize(60, 0);  // minimum Ethernet frame, as a NIC would pad it
  EXPECT_EQ(Run(frame), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_KEEPALIVE), 1u);
}

TEST_F(XdpProgTest, TcpAndSctpClasses) {
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5060)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061)), XDP_PASS);
  Packet sctp;
  sctp.Eth().IPv4("192.0.2.1", "198.51.100.1").Sctp(5060, 5060).Payload("chunk");
  EXPECT_EQ(Run(sctp), XDP_PASS);
  auto t = Stats();
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_TCP].packets, 1u);
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_TLS].packets, 1u);
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_SCTP].packets, 1u);
}

TEST_F(XdpProgTest, WebSocketPortsOnlyWhereConfigured) {
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 8080)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 8443)), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 2u);

  ASSERT_TRUE(SetPort(maps_, SIPEDGE_L4_TCP, 8080, SIPEDGE_CLASS_SIP_WS));
  ASSERT_TRUE(SetPort(maps_, SIPEDGE_L4_TCP, 8443, SIPEDGE_CLASS_SIP_WSS));
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 8080)), XDP_PASS);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 8443)), XDP_PASS);
  auto t = Stats();
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_WS].packets, 1u);
  EXPECT_EQ(t.classes[SIPEDGE_CLASS_SIP_WSS].packets, 1u);
}

TEST_F(XdpProgTest, PortClassesArePerProtocol) {
  // 5061 is TLS over TCP by default, but nothing over UDP.
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5061, "garbage that is not SIP")), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 1u);
  ASSERT_TRUE(SetPort(maps_, SIPEDGE_L4_UDP, 5060, -1));
  EXPECT_EQ(Run(UdpV4("192.0.2.1", 5060, "garbage that is not SIP")), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 2u);
}

TEST_F(XdpProgTest, NonSipTrafficIsOther) {
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 22)), XDP_PASS);
  Packet arp;
  arp.Eth().EtherType(0x0806).Payload(std::string(28, '\0'));
  EXPECT_EQ(Run(arp), XDP_PASS);
  Packet icmp;
  icmp.Eth().IPv4("192.0.2.1", "198.51.100.1").IpProto(1).Payload(std::string(8, '\0'));
  EXPECT_EQ(Run(icmp), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 3u);
  EXPECT_EQ(TotalCounted(), 3u);
}

TEST_F(XdpProgTest, VlanAndQinQ) {
  Packet one;
  one.Eth().Vlan(100).IPv4("192.0.2.1", "198.51.100.1").Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(one), XDP_PASS);
  Packet qinq;
  qinq.Eth()
      .Vlan(10, 0x88A8)
      .Vlan(100)
      .IPv4("192.0.2.1", "198.51.100.1")
      .Udp(5062, 5060)
      .Payload(kInvite);
  EXPECT_EQ(Run(qinq), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 2u);
  // Garbage behind two tags is still seen, and dropped.
  Packet bad;
  bad.Eth()
      .Vlan(10, 0x88A8)
      .Vlan(100)
      .IPv4("192.0.2.1", "198.51.100.1")
      .Udp(5062, 5060)
      .Payload("not a SIP message at all");
  EXPECT_EQ(Run(bad), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
}

TEST_F(XdpProgTest, ThreeVlanTagsAreNotParsed) {
  Packet three;
  three.Eth()
      .Vlan(1, 0x88A8)
      .Vlan(2)
      .Vlan(3)
      .IPv4("192.0.2.1", "198.51.100.1")
      .Udp(5062, 5060)
      .Payload("garbage");
  EXPECT_EQ(Run(three), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 1u);
}

TEST_F(XdpProgTest, Ipv4WithOptions) {
  std::vector<uint8_t> options = {0x94, 0x04, 0x00, 0x00,   // router alert
                                  0x01, 0x01, 0x01, 0x00,   // NOP NOP NOP EOL
                                  0x00, 0x00, 0x00, 0x00};  // padding
  Packet p;
  p.Eth().IPv4("192.0.2.1", "198.51.100.1", options).Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(p), XDP_PASS);
  Packet bad;
  bad.Eth().IPv4("192.0.2.1", "198.51.100.1", options).Udp(5062, 5060).Payload("garbage garbage!");
  EXPECT_EQ(Run(bad), XDP_DROP);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
}

TEST_F(XdpProgTest, Ipv4Fragments) {
  // First fragment (MF set, offset 0) carries the ports: classified normally.
  Packet first;
  first.Eth().IPv4("192.0.2.1", "198.51.100.1", {}, 0x2000).Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(first), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  // A later fragment has no ports, whatever its bytes look like: its own class, passed.
  Packet later;
  later.Eth().IPv4("192.0.2.1", "198.51.100.1", {}, 0x0010).Payload("\x13\xc4\x13\xc4 garbage");
  EXPECT_EQ(Run(later), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_FRAGMENT), 1u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 0u);
}

TEST_F(XdpProgTest, Ipv6WithExtensionHeaders) {
  Packet p;
  p.Eth()
      .IPv6("2001:db8::1", "2001:db8::2")
      .IPv6Ext(0)
      .IPv6Ext(43, 24)
      .IPv6Ext(60, 16)
      .Udp(5062, 5060)
      .Payload(kInvite);
  EXPECT_EQ(Run(p), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  Packet bad;
  bad.Eth()
      .IPv6("2001:db8::1", "2001:db8::2")
      .IPv6Ext(0)
      .IPv6Ext(60)
      .Udp(5062, 5060)
      .Payload("definitely not SIP");
  EXPECT_EQ(Run(bad), XDP_DROP);
  EXPECT_EQ(Drops(SIPEDGE_DROP_MALFORMED), 1u);
}

TEST_F(XdpProgTest, Ipv6Fragments) {
  Packet first;
  first.Eth().IPv6("2001:db8::1", "2001:db8::2").IPv6Frag(0, true).Udp(5062, 5060).Payload(kInvite);
  EXPECT_EQ(Run(first), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_UDP), 1u);
  Packet later;
  later.Eth()
      .IPv6("2001:db8::1", "2001:db8::2")
      .IPv6Ext(0)
      .IPv6Frag(185, false)
      .Payload("rest of the datagram");
  EXPECT_EQ(Run(later), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_FRAGMENT), 1u);
}

TEST_F(XdpProgTest, Ipv6ChainLongerThanTheWalkIsUnreadableNotOther) {
  Packet p;
  p.Eth().IPv6("2001:db8::1", "2001:db8::2");
  for (int i = 0; i < SIPEDGE_TEST_MAX_IPV6_EXT + 1; ++i) p.IPv6Ext(60);
  p.Udp(5062, 5060).Payload("garbage");
  EXPECT_EQ(Run(p), XDP_DROP);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_OTHER), 0u);
  EXPECT_EQ(Drops(SIPEDGE_DROP_UNREADABLE), 1u);
}

TEST_F(XdpProgTest, SteeringRedirectsIntoCpumap) {
  ASSERT_TRUE(sipedge::xdp::SetSteer(maps_, SIPEDGE_CLASS_SIP_TLS, 0));
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061)), XDP_REDIRECT);
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5060)), XDP_PASS);
  EXPECT_EQ(ClassPackets(SIPEDGE_CLASS_SIP_TLS), 1u);
  ASSERT_TRUE(sipedge::xdp::SetSteer(maps_, SIPEDGE_CLASS_SIP_TLS, -1));
  EXPECT_EQ(Run(TcpV4("192.0.2.1", 5061)), XDP_PASS);
}

}  // namespace
}  // namespace sipedge::testing
