// RFC 3263 §4 selection on canned answers: every branch, and rules R1–R5, R8 of DESIGN.md.
#include "resolve/rfc3263_resolver.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fake_dns_source.h"

namespace sipedge::resolve {
namespace {

using testing::addresses;
using testing::FakeDnsSource;
using testing::ip;
using testing::naptr;
using testing::naptr_rec;
using testing::srv;
using testing::status_only;

ResolveRequest name_request(const char* host, bool sips = false) {
  ResolveRequest r;
  r.sips = sips;
  r.host = host;
  r.host_kind = HostKind::kName;
  return r;
}

class ResolverTest : public ::testing::Test {
 protected:
  ResolveResult resolve(const ResolveRequest& req) {
    Rfc3263Resolver resolver(dns_, config_, [this] { return now_ms_; });
    return resolve_with(resolver, req);
  }

  ResolveResult resolve_with(Rfc3263Resolver& resolver, const ResolveRequest& req) {
    ResolveResult out;
    bool done = false;
    resolver.resolve(req, [&](ResolveResult&& r) {
      out = std::move(r);
      done = true;
    });
    while (!done && dns_.flush() > 0) {
    }
    EXPECT_TRUE(done);
    return out;
  }

  // A complete example.test zone: NAPTR → SRV → A/AAAA for three transports.
  void full_zone() {
    dns_.set("example.test", RrType::kNaptr,
             naptr({naptr_rec(10, 50, "s", "SIPS+D2T", "_sips._tcp.example.test"),
                    naptr_rec(20, 50, "s", "SIP+D2T", "_sip._tcp.example.test"),
                    naptr_rec(30, 50, "s", "SIP+D2U", "_sip._udp.example.test")}));
    dns_.set("_sips._tcp.example.test", RrType::kSrv, srv({{0, 0, 5061, "tls.example.test"}}));
    dns_.set("_sip._tcp.example.test", RrType::kSrv, srv({{0, 0, 5060, "tcp.example.test"}}));
    dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
    dns_.set("tls.example.test", RrType::kA, addresses({"192.0.2.10"}));
    dns_.set("tcp.example.test", RrType::kA, addresses({"192.0.2.20"}));
    dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  }

  FakeDnsSource dns_;
  ResolverConfig config_;
  int64_t now_ms_ = 1'000'000;
};

TEST_F(ResolverTest, NumericHostNeedsNoDnsAndDefaultsToUdp5060) {
  ResolveRequest req;
  req.host = "192.0.2.1";
  req.host_kind = HostKind::kIPv4;
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
  EXPECT_EQ(r.targets[0].port, 5060);
  EXPECT_EQ(r.targets[0].address, ip("192.0.2.1"));
  EXPECT_TRUE(dns_.asked().empty());
  EXPECT_EQ(r.round_trips, 0);
}

TEST_F(ResolverTest, R3_NumericHostSipsUsesTls5061) {
  ResolveRequest req;
  req.sips = true;
  req.host = "2001:db8::1";
  req.host_kind = HostKind::kIPv6;
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[0].port, 5061);
  EXPECT_EQ(r.targets[0].address, ip("2001:db8::1"));
  EXPECT_EQ(r.targets[0].tls_identity, "2001:db8::1");
}

TEST_F(ResolverTest, NumericHostTakesTransportAndPortFromUri) {
  ResolveRequest req;
  req.host = "192.0.2.1";
  req.host_kind = HostKind::kIPv4;
  req.port = 5070;
  req.transport = "tcp";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[0].port, 5070);
  EXPECT_TRUE(dns_.asked().empty());
}

TEST_F(ResolverTest, ExplicitPortLooksUpOnlyAddresses) {
  full_zone();
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.99"}));
  ResolveRequest req = name_request("example.test");
  req.port = 5080;
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
  EXPECT_EQ(r.targets[0].port, 5080);
  EXPECT_EQ(r.targets[0].address, ip("192.0.2.99"));
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kNaptr));
  for (const auto& a : dns_.asked()) EXPECT_NE(a.type, RrType::kSrv);
}

TEST_F(ResolverTest, R2_TransportParamSkipsNaptrAndAsksThatSrvOnly) {
  full_zone();
  ResolveRequest req = name_request("example.test");
  req.transport = "tcp";
  ResolveResult r = resolve(req);
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kNaptr));
  EXPECT_TRUE(dns_.was_asked("_sip._tcp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sip._udp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sips._tcp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[0].host, "tcp.example.test");
}

TEST_F(ResolverTest, R2_TransportParamWithoutSrvUsesAddressesOnDefaultPort) {
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.5"}));
  ResolveRequest req = name_request("example.test");
  req.transport = "tcp";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[0].port, 5060);
  EXPECT_EQ(r.targets[0].host, "example.test");
}

TEST_F(ResolverTest, R5_TransportTlsSelectsTlsAndKeepsSipUri) {
  full_zone();
  ResolveRequest req = name_request("example.test");
  req.transport = "tls";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(dns_.was_asked("_sips._tcp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[0].tls_identity, "example.test");
  EXPECT_FALSE(req.sips);  // the request (and so the URI) is not turned into sips:
}

TEST_F(ResolverTest, R2_WebSocketTransportUsesWsSrv) {
  dns_.set("_sip._ws.example.test", RrType::kSrv, srv({{0, 0, 8080, "ws.example.test"}}));
  dns_.set("ws.example.test", RrType::kA, addresses({"192.0.2.40"}));
  ResolveRequest req = name_request("example.test");
  req.transport = "ws";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kWs);
  EXPECT_EQ(r.targets[0].port, 8080);
}

TEST_F(ResolverTest, R3_SipsWithTransportUdpIsRefused) {
  full_zone();
  ResolveRequest req = name_request("example.test", true);
  req.transport = "udp";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("R3"), std::string::npos);
  EXPECT_TRUE(dns_.asked().empty());
}

TEST_F(ResolverTest, UnsupportedTransportIsAnError) {
  ResolveRequest req = name_request("example.test");
  req.transport = "sctp";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("sctp"), std::string::npos);
}

TEST_F(ResolverTest, NaptrOrderThenPreference) {
  dns_.set("example.test", RrType::kNaptr,
           naptr({naptr_rec(20, 10, "s", "SIP+D2U", "_sip._udp.example.test"),
                  naptr_rec(10, 90, "s", "SIP+D2T", "_sip._tcp.example.test"),
                  naptr_rec(10, 20, "S", "SIPS+D2T", "_sips._tcp.example.test")}));
  dns_.set("_sips._tcp.example.test", RrType::kSrv, srv({{0, 0, 5061, "a.example.test"}}));
  dns_.set("_sip._tcp.example.test", RrType::kSrv, srv({{0, 0, 5060, "b.example.test"}}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "c.example.test"}}));
  dns_.set("a.example.test", RrType::kA, addresses({"192.0.2.1"}));
  dns_.set("b.example.test", RrType::kA, addresses({"192.0.2.2"}));
  dns_.set("c.example.test", RrType::kA, addresses({"192.0.2.3"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[1].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[2].transport, Transport::kUdp);
}

TEST_F(ResolverTest, NaptrSkipsSctpNonSFlagAndUnknownServices) {
  dns_.set("example.test", RrType::kNaptr,
           naptr({naptr_rec(10, 10, "s", "SIP+D2S", "_sip._sctp.example.test"),
                  naptr_rec(10, 20, "s", "SIPS+D2S", "_sips._sctp.example.test"),
                  naptr_rec(10, 30, "a", "SIP+D2T", "tcp.example.test"),
                  naptr_rec(10, 40, "s", "E2U+sip", "_sip._tcp.example.test"),
                  naptr_rec(20, 10, "s", "SIP+D2U", "_sip._udp.example.test")}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  ResolveResult r = resolve(name_request("example.test"));
  EXPECT_FALSE(dns_.was_asked("_sip._sctp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sips._sctp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sip._tcp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
}

TEST_F(ResolverTest, R3_SipsKeepsOnlySipsServices) {
  full_zone();
  ResolveResult r = resolve(name_request("example.test", true));
  EXPECT_FALSE(dns_.was_asked("_sip._tcp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sip._udp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[0].port, 5061);
}

TEST_F(ResolverTest, R3_SipsWithOnlyPlaintextNaptrFallsBackToSipsSrvOnly) {
  dns_.set("example.test", RrType::kNaptr,
           naptr({naptr_rec(10, 10, "s", "SIP+D2U", "_sip._udp.example.test")}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.7"}));
  ResolveResult r = resolve(name_request("example.test", true));
  EXPECT_FALSE(dns_.was_asked("_sip._udp.example.test", RrType::kSrv));
  EXPECT_FALSE(dns_.was_asked("_sip._tcp.example.test", RrType::kSrv));
  EXPECT_TRUE(dns_.was_asked("_sips._tcp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);  // never a plaintext fallback
  EXPECT_EQ(r.targets[0].port, 5061);
}

TEST_F(ResolverTest, R4_SipUriMayUseSipsD2TForTheHop) {
  full_zone();
  ResolveRequest req = name_request("example.test");
  ResolveResult r = resolve(req);
  ASSERT_FALSE(r.targets.empty());
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[0].port, 5061);
  EXPECT_FALSE(req.sips);
}

TEST_F(ResolverTest, R1_TheRequestIsCopiedSoTheCallerMayReuseItAtOnce) {
  // R1: the resolver takes the request by value semantics and returns targets; the
  // caller's request (and the URI behind it) may change or die while DNS is in flight.
  full_zone();
  dns_.set("other.test", RrType::kNaptr, status_only(DnsStatus::kNxDomain));
  dns_.set_deferred(true);
  Rfc3263Resolver resolver(dns_, config_, [this] { return now_ms_; });
  ResolveResult out;
  bool done = false;
  {
    auto req = std::make_unique<ResolveRequest>(name_request("Example.TEST"));
    resolver.resolve(*req, [&](ResolveResult&& r) {
      out = std::move(r);
      done = true;
    });
    req->host = "other.test";  // reused for the next message...
    req.reset();               // ...then freed, before the first answer arrives
  }
  while (!done && dns_.flush() > 0) {
  }
  ASSERT_TRUE(done);
  ASSERT_FALSE(out.targets.empty());
  EXPECT_EQ(out.tls_identity, "example.test");
  EXPECT_EQ(out.targets[0].host, "tls.example.test");
  EXPECT_FALSE(dns_.was_asked("other.test", RrType::kNaptr));
}

TEST_F(ResolverTest, R8_TlsIdentityIsTheUriDomainNeverTheSrvTarget) {
  full_zone();
  ResolveResult r = resolve(name_request("Example.Test"));
  EXPECT_EQ(r.tls_identity, "example.test");
  for (const Target& t : r.targets) {
    if (is_secure(t.transport)) {
      EXPECT_EQ(t.tls_identity, "example.test");
      EXPECT_NE(t.tls_identity, t.host);
    } else {
      EXPECT_EQ(t.tls_identity, "");
    }
  }
}

TEST_F(ResolverTest, NaptrSetSrvsAndAddressesGoOutInThreeWaves) {
  full_zone();
  dns_.set_deferred(true);
  Rfc3263Resolver resolver(dns_, config_, [this] { return now_ms_; });
  bool done = false;
  ResolveResult out;
  resolver.resolve(name_request("example.test"), [&](ResolveResult&& r) {
    out = std::move(r);
    done = true;
  });
  EXPECT_EQ(dns_.pending(), 1u);  // NAPTR
  dns_.flush();
  EXPECT_EQ(dns_.pending(), 3u);  // the SRV of every NAPTR choice at once
  dns_.flush();
  EXPECT_EQ(dns_.pending(), 6u);  // A and AAAA of every SRV target at once
  dns_.flush();
  ASSERT_TRUE(done);
  EXPECT_EQ(out.round_trips, 3);
  EXPECT_EQ(out.targets.size(), 3u);
}

TEST_F(ResolverTest, NoNaptrAsksSrvForEveryTransportAtOnceInPreferenceOrder) {
  dns_.set("_sips._tcp.example.test", RrType::kSrv, srv({{0, 0, 5061, "tls.example.test"}}));
  dns_.set("_sip._tcp.example.test", RrType::kSrv, srv({{0, 0, 5060, "tcp.example.test"}}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("tls.example.test", RrType::kA, addresses({"192.0.2.10"}));
  dns_.set("tcp.example.test", RrType::kA, addresses({"192.0.2.20"}));
  dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  ResolveResult r = resolve(name_request("example.test"));
  int srv_wave = -1;
  for (const auto& a : dns_.asked()) {
    if (a.type != RrType::kSrv) continue;
    if (srv_wave < 0) srv_wave = a.wave;
    EXPECT_EQ(a.wave, srv_wave);
  }
  ASSERT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[1].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[2].transport, Transport::kUdp);
}

TEST_F(ResolverTest, NoNaptrSrvPreferenceOrderIsConfigurable) {
  config_.srv_fallback_order = {Transport::kUdp, Transport::kTcp};
  dns_.set("_sips._tcp.example.test", RrType::kSrv, srv({{0, 0, 5061, "tls.example.test"}}));
  dns_.set("_sip._tcp.example.test", RrType::kSrv, srv({{0, 0, 5060, "tcp.example.test"}}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("tcp.example.test", RrType::kA, addresses({"192.0.2.20"}));
  dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  ResolveResult r = resolve(name_request("example.test"));
  EXPECT_FALSE(dns_.was_asked("_sips._tcp.example.test", RrType::kSrv));
  ASSERT_EQ(r.targets.size(), 2u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
  EXPECT_EQ(r.targets[1].transport, Transport::kTcp);
}

TEST_F(ResolverTest, NoSrvUsesAddressesWithUdpOnDefaultPort) {
  dns_.set("example.test", RrType::kNaptr, status_only(DnsStatus::kNoData));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.8"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
  EXPECT_EQ(r.targets[0].port, 5060);
  EXPECT_EQ(r.targets[0].host, "example.test");
  EXPECT_EQ(r.targets[0].tls_identity, "");
}

TEST_F(ResolverTest, R3_NoSrvForSipsUsesTlsOnPort5061) {
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.8"}));
  ResolveResult r = resolve(name_request("example.test", true));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTls);
  EXPECT_EQ(r.targets[0].port, 5061);
  EXPECT_EQ(r.targets[0].tls_identity, "example.test");
}

TEST_F(ResolverTest, NaptrWithoutSrvUsesAddressesWithTheNaptrTransport) {
  dns_.set("example.test", RrType::kNaptr,
           naptr({naptr_rec(10, 10, "s", "SIP+D2T", "_sip._tcp.example.test")}));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.8"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kTcp);
  EXPECT_EQ(r.targets[0].port, 5060);
}

TEST_F(ResolverTest, SrvDotTargetMeansServiceNotAvailable) {
  dns_.set("_sip._tcp.example.test", RrType::kSrv, srv({{0, 0, 0, "."}}));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.8"}));
  ResolveRequest req = name_request("example.test");
  req.transport = "tcp";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("not available"), std::string::npos);
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kA));
}

TEST_F(ResolverTest, SrvDotTargetTransportIsSkippedOthersKept) {
  dns_.set("_sips._tcp.example.test", RrType::kSrv, srv({{0, 0, 0, "."}}));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
}

TEST_F(ResolverTest, SrvPriorityAscending) {
  dns_.set("_sip._udp.example.test", RrType::kSrv,
           srv({{20, 100, 5060, "late.example.test"}, {10, 1, 5062, "early.example.test"}}));
  dns_.set("late.example.test", RrType::kA, addresses({"192.0.2.2"}));
  dns_.set("early.example.test", RrType::kA, addresses({"192.0.2.1"}));
  ResolveRequest req = name_request("example.test");
  req.transport = "udp";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 2u);
  EXPECT_EQ(r.targets[0].host, "early.example.test");
  EXPECT_EQ(r.targets[0].port, 5062);
  EXPECT_EQ(r.targets[1].host, "late.example.test");
}

TEST_F(ResolverTest, AAndAaaaAreAskedTogetherAndInterleavedIpv6First) {
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.1", "192.0.2.2"}));
  dns_.set("example.test", RrType::kAaaa, addresses({"2001:db8::1", "2001:db8::2"}));
  ResolveRequest req = name_request("example.test");
  req.port = 5060;
  ResolveResult r = resolve(req);
  ASSERT_EQ(dns_.asked().size(), 2u);
  EXPECT_EQ(dns_.asked()[0].wave, dns_.asked()[1].wave);
  EXPECT_EQ(r.round_trips, 1);
  ASSERT_EQ(r.targets.size(), 4u);
  EXPECT_EQ(r.targets[0].address, ip("2001:db8::1"));
  EXPECT_EQ(r.targets[1].address, ip("192.0.2.1"));
  EXPECT_EQ(r.targets[2].address, ip("2001:db8::2"));
  EXPECT_EQ(r.targets[3].address, ip("192.0.2.2"));
}

TEST_F(ResolverTest, AddressFamilyPreferenceIpv4First) {
  config_.family = FamilyPreference::kIpv4First;
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.1", "192.0.2.2"}));
  dns_.set("example.test", RrType::kAaaa, addresses({"2001:db8::1"}));
  ResolveRequest req = name_request("example.test");
  req.port = 5060;
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(r.targets[0].address.family, 4);
  EXPECT_EQ(r.targets[1].address.family, 4);
  EXPECT_EQ(r.targets[2].address.family, 6);
}

TEST_F(ResolverTest, NoAddressesIsAnErrorNamingTheHosts) {
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "gone.example.test"}}));
  ResolveRequest req = name_request("example.test");
  req.transport = "udp";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("gone.example.test"), std::string::npos);
}

TEST_F(ResolverTest, TimeoutStopsResolutionInsteadOfWaitingAgain) {
  dns_.set("example.test", RrType::kNaptr, status_only(DnsStatus::kTimeout));
  ResolveResult r = resolve(name_request("example.test"));
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("timeout"), std::string::npos);
  EXPECT_EQ(dns_.asked().size(), 1u);
}

TEST_F(ResolverTest, ServFailOnNaptrStillFallsBackToSrv) {
  dns_.set("example.test", RrType::kNaptr, status_only(DnsStatus::kServFail));
  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 5060, "udp.example.test"}}));
  dns_.set("udp.example.test", RrType::kA, addresses({"192.0.2.30"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].transport, Transport::kUdp);
}

// RFC 3263 §4.2: "If no SRV records were found" is the only way to the A/AAAA fallback;
// a failed SRV query is not an absent one.
TEST_F(ResolverTest, Sec4_2_SrvServFailGivesNoAddressFallback) {
  dns_.set("example.test", RrType::kNaptr, status_only(DnsStatus::kNoData));
  for (const char* n : {"_sips._tcp.example.test", "_sip._tcp.example.test"}) {
    dns_.set(n, RrType::kSrv, status_only(DnsStatus::kNoData));
  }
  dns_.set("_sip._udp.example.test", RrType::kSrv, status_only(DnsStatus::kServFail));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.99"}));
  ResolveResult r = resolve(name_request("example.test"));
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("SRV lookup failed (SERVFAIL)"), std::string::npos) << r.error;
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kA));
  EXPECT_EQ(r.min_ttl_s, 0u);
}

TEST_F(ResolverTest, Sec4_2_SrvFailureAfterNaptrOrTransportParamGivesNoFallback) {
  dns_.set("example.test", RrType::kNaptr,
           naptr({naptr_rec(10, 50, "s", "SIP+D2T", "_sip._tcp.example.test")}));
  dns_.set("_sip._tcp.example.test", RrType::kSrv, status_only(DnsStatus::kServFail));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.99"}));
  EXPECT_TRUE(resolve(name_request("example.test")).targets.empty());
  ResolveRequest req = name_request("example.test");
  req.transport = "tcp";
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("no A/AAAA fallback"), std::string::npos) << r.error;
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kA));
}

TEST_F(ResolverTest, Sec4_2_SrvNxDomainAndNoDataStillFallBack) {
  dns_.set("example.test", RrType::kNaptr, status_only(DnsStatus::kNoData));
  dns_.set("_sip._tcp.example.test", RrType::kSrv, status_only(DnsStatus::kNoData));
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.99"}));
  ResolveResult r = resolve(name_request("example.test"));
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].port, 5060);
}

TEST_F(ResolverTest, Sec4_MaddrIsTheTargetAndTheUriDomainStaysTheTlsIdentity) {
  dns_.set("_sips._tcp.proxy.example.net", RrType::kSrv, srv({{0, 0, 5061, "edge.example.net"}}));
  dns_.set("edge.example.net", RrType::kA, addresses({"192.0.2.77"}));
  full_zone();
  ResolveRequest req = name_request("example.test", true);
  req.maddr = "Proxy.Example.NET";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u) << r.error;
  EXPECT_EQ(r.targets[0].address, ip("192.0.2.77"));
  EXPECT_EQ(r.targets[0].tls_identity, "example.test");  // R8: the URI's domain
  EXPECT_FALSE(dns_.was_asked("example.test", RrType::kNaptr));
}

TEST_F(ResolverTest, Sec4_NumericMaddrNeedsNoDns) {
  full_zone();
  ResolveRequest req = name_request("example.test");
  req.maddr = "[2001:db8::5]";
  req.port = 5070;
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].address, ip("2001:db8::5"));
  EXPECT_EQ(r.targets[0].port, 5070);
  EXPECT_TRUE(dns_.asked().empty());
}

TEST_F(ResolverTest, PortZeroInTheUriIsRefused) {
  ResolveRequest req = name_request("192.0.2.1");
  req.host_kind = HostKind::kIPv4;
  req.port = 0;
  ResolveResult r = resolve(req);
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("port 0"), std::string::npos);
}

TEST_F(ResolverTest, SrvRecordsWithPortZeroAreSkipped) {
  dns_.set("_sip._udp.example.test", RrType::kSrv,
           srv({{0, 0, 0, "zero.example.test"}, {1, 0, 5060, "good.example.test"}}));
  dns_.set("zero.example.test", RrType::kA, addresses({"192.0.2.1"}));
  dns_.set("good.example.test", RrType::kA, addresses({"192.0.2.2"}));
  ResolveRequest req = name_request("example.test");
  req.transport = "udp";
  ResolveResult r = resolve(req);
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].address, ip("192.0.2.2"));

  dns_.set("_sip._udp.example.test", RrType::kSrv, srv({{0, 0, 0, "zero.example.test"}}));
  ResolveResult none = resolve(req);
  EXPECT_TRUE(none.targets.empty());
  EXPECT_NE(none.error.find("port 0"), std::string::npos) << none.error;
}

TEST_F(ResolverTest, ABadNameIsReportedWithoutAskingAnyServer) {
  const std::string long_label(64, 'a');
  ResolveResult r = resolve(name_request((long_label + ".example.test").c_str()));
  EXPECT_TRUE(r.targets.empty());
  EXPECT_NE(r.error.find("bad name"), std::string::npos) << r.error;
  EXPECT_TRUE(dns_.asked().empty());
}

TEST_F(ResolverTest, TheDeadlineEndsAResolutionOnceAndLateAnswersAreIgnored) {
  full_zone();
  config_.deadline_ms = 2500;
  dns_.set_deferred(true);
  Rfc3263Resolver resolver(dns_, config_, [this] { return now_ms_; });
  int calls = 0;
  ResolveResult out;
  resolver.resolve(name_request("example.test"), [&](ResolveResult&& r) {
    ++calls;
    out = std::move(r);
  });
  EXPECT_EQ(resolver.worst_case_ms(), 2500);
  ASSERT_EQ(dns_.timers(), 1u);
  EXPECT_EQ(dns_.fire_timers(), 1u);  // the NAPTR answer has not come: the deadline passes
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(out.targets.empty());
  EXPECT_NE(out.error.find("deadline"), std::string::npos);
  EXPECT_EQ(out.min_ttl_s, 0u);
  while (dns_.flush() > 0) {
  }
  EXPECT_EQ(calls, 1);
}

TEST_F(ResolverTest, AFinishedResolutionCancelsItsDeadline) {
  full_zone();
  dns_.set_deferred(true);
  ASSERT_FALSE(resolve(name_request("example.test")).targets.empty());
  EXPECT_EQ(dns_.scheduled(), 1u);
  EXPECT_EQ(dns_.timers(), 0u);
}

TEST_F(ResolverTest, AResolutionAnsweredAtOnceArmsNoDeadline) {
  full_zone();  // answers before returning, like cache hits
  ASSERT_FALSE(resolve(name_request("example.test")).targets.empty());
  EXPECT_EQ(dns_.scheduled(), 0u);
}

TEST_F(ResolverTest, Failover_QuarantinedTargetMovesToTheEndUntilItExpires) {
  config_.quarantine_ms = 30'000;
  dns_.set("example.test", RrType::kA, addresses({"192.0.2.1", "192.0.2.2", "192.0.2.3"}));
  ResolveRequest req = name_request("example.test");
  req.port = 5060;
  Rfc3263Resolver resolver(dns_, config_, [this] { return now_ms_; });
  ResolveResult first = resolve_with(resolver, req);
  ASSERT_EQ(first.targets.size(), 3u);
  resolver.mark_failed(first.targets[0]);  // the router then tries first.targets[1]

  ResolveResult later = resolve_with(resolver, req);
  ASSERT_EQ(later.targets.size(), 3u);
  EXPECT_EQ(later.targets[0].address, ip("192.0.2.2"));
  EXPECT_EQ(later.targets[1].address, ip("192.0.2.3"));
  EXPECT_EQ(later.targets[2].address, ip("192.0.2.1"));

  now_ms_ += 30'000;  // quarantine over
  ResolveResult after = resolve_with(resolver, req);
  EXPECT_EQ(after.targets[0].address, ip("192.0.2.1"));
}

TEST_F(ResolverTest, StepsRecordEveryLookupInOrder) {
  full_zone();
  ResolveResult r = resolve(name_request("example.test", true));
  ASSERT_GE(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[0].name, "example.test");
  EXPECT_EQ(r.steps[0].type, RrType::kNaptr);
  EXPECT_EQ(r.steps[1].name, "_sips._tcp.example.test");
  EXPECT_EQ(r.steps[1].type, RrType::kSrv);
  EXPECT_EQ(r.steps[2].type, RrType::kAaaa);
  EXPECT_EQ(r.steps[2].status, DnsStatus::kNxDomain);
}

}  // namespace
}  // namespace sipedge::resolve
