#include "policy/policy.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sipedge::policy {
namespace {

using resolve::Transport;

resolve::IpAddress ip(std::string_view text) {
  resolve::IpAddress a;
  EXPECT_TRUE(net::parse_ip_address(text, &a)) << text;
  return a;
}

net::Endpoint ep(std::string_view text) {
  net::Endpoint e;
  EXPECT_TRUE(net::parse_endpoint(text, &e)) << text;
  return e;
}

// The lab of the integration tests: clients in 192.0.2.0/24 and 2001:db8:c::/48, a trusted
// internal B2BUA in 10.0.0.0/8, a TLS-only customer in 198.51.100.0/24, an abuser denied.
PolicyOptions lab_options() {
  PolicyOptions o;
  o.trusted = {"10.0.0.0/8", "fd00::/8"};
  o.tls_only = {"198.51.100.0/24", "2001:db8:7::/48"};
  o.deny = {"203.0.113.0/24", "2001:db8:bad::/48"};
  o.trusted_downgrade = {ep("127.0.0.1:5080"), ep("[::1]:5080")};
  return o;
}

Policy make(const PolicyOptions& o = lab_options()) {
  auto p = Policy::create(o);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error());
  return std::move(*p);
}

Policy::Inbound request(std::string_view source, Transport over, bool sips) {
  Policy::Inbound in;
  in.source = ip(source);
  in.arrived_over = over;
  in.request_uri_sips = sips;
  in.contact_present = true;
  in.contact_sips = sips;
  return in;
}

void expect_forbidden(const Decision& d, Rule rule) {
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.rule, rule) << rule_name(d.rule);
  EXPECT_EQ(d.status, 403);
  EXPECT_FALSE(d.reason.empty());
}

void expect_allowed(const Decision& d) {
  EXPECT_EQ(d.verdict, Verdict::kAllow) << rule_name(d.rule) << " " << d.reason;
  EXPECT_EQ(d.rule, Rule::kCount);
}

TEST(Deny, RequestFromDeniedNetworkIsForbidden) {
  Policy p = make();
  for (auto src : {"203.0.113.1", "2001:db8:bad::5"}) {
    for (Transport t : {Transport::kUdp, Transport::kTcp, Transport::kTls, Transport::kWss}) {
      Decision d = p.check_inbound(request(src, t, false));
      expect_forbidden(d, Rule::kDenyNetwork);
    }
  }
  expect_allowed(p.check_inbound(request("203.0.114.1", Transport::kUdp, false)));
  EXPECT_TRUE(p.is_denied(ip("203.0.113.255")));
  EXPECT_FALSE(p.is_denied(ip("192.0.2.1")));
}

TEST(Deny, ResponseFromDeniedNetworkIsDroppedWithoutAnswer) {
  Policy p = make();
  Policy::Inbound in = request("203.0.113.1", Transport::kUdp, false);
  in.is_response = true;
  Decision d = p.check_inbound(in);
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.rule, Rule::kDenyNetwork);
  EXPECT_EQ(d.status, 0);
}

TEST(R9, PlaintextFromTlsOnlyNetworkIsRefused) {
  Policy p = make();
  for (auto src : {"198.51.100.9", "2001:db8:7::9"}) {
    for (Transport t : {Transport::kUdp, Transport::kTcp, Transport::kWs}) {
      expect_forbidden(p.check_inbound(request(src, t, false)), Rule::kR9TlsOnlyNetwork);
      expect_forbidden(p.check_inbound(request(src, t, true)), Rule::kR9TlsOnlyNetwork);
    }
    for (Transport t : {Transport::kTls, Transport::kWss}) {
      expect_allowed(p.check_inbound(request(src, t, false)));
      expect_allowed(p.check_inbound(request(src, t, true)));
    }
  }
  // Outside the tls-only network plaintext is fine.
  expect_allowed(p.check_inbound(request("198.51.101.9", Transport::kUdp, false)));
}

TEST(R9, PlaintextResponseFromTlsOnlyNetworkIsDropped) {
  Policy p = make();
  Policy::Inbound in = request("198.51.100.9", Transport::kUdp, false);
  in.is_response = true;
  Decision d = p.check_inbound(in);
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.rule, Rule::kR9TlsOnlyNetwork);
  EXPECT_EQ(d.status, 0);
  in.arrived_over = Transport::kTls;
  expect_allowed(p.check_inbound(in));
}

TEST(R6, SipsOverUdpFromUntrustedSourceIsRejected) {
  Policy p = make();
  for (Transport t : {Transport::kUdp, Transport::kTcp, Transport::kWs}) {
    Decision d = p.check_inbound(request("192.0.2.10", t, true));
    expect_forbidden(d, Rule::kR6SipsOverPlaintext);
    EXPECT_EQ(d.reason, "Forbidden (sips over plaintext)");
    expect_forbidden(p.check_inbound(request("2001:db8:c::10", t, true)),
                     Rule::kR6SipsOverPlaintext);
  }
  // The same request as sip: is fine over UDP.
  expect_allowed(p.check_inbound(request("192.0.2.10", Transport::kUdp, false)));
}

TEST(R6, SipsOverPlaintextFromTrustedSourceIsAccepted) {
  Policy p = make();
  expect_allowed(p.check_inbound(request("10.1.2.3", Transport::kUdp, true)));
  expect_allowed(p.check_inbound(request("fd00::1", Transport::kTcp, true)));
  EXPECT_TRUE(p.is_trusted(ip("10.255.255.255")));
  EXPECT_FALSE(p.is_trusted(ip("11.0.0.0")));
}

TEST(R6, SipsOverTlsOrWssFromAnySourceIsAccepted) {
  Policy p = make();
  expect_allowed(p.check_inbound(request("192.0.2.10", Transport::kTls, true)));
  expect_allowed(p.check_inbound(request("192.0.2.10", Transport::kWss, true)));
}

TEST(R6, SipsRequestWithNonSipsContactFollowsPolicy) {
  Policy::Inbound in = request("192.0.2.10", Transport::kTls, true);
  in.contact_sips = false;

  PolicyOptions o = lab_options();
  o.sips_contact = SipsContactAction::kReject;
  expect_forbidden(make(o).check_inbound(in), Rule::kR6SipsContact);

  o.sips_contact = SipsContactAction::kLog;
  Decision logged = make(o).check_inbound(in);
  EXPECT_EQ(logged.verdict, Verdict::kAllowCounted);
  EXPECT_EQ(logged.rule, Rule::kR6SipsContact);

  o.sips_contact = SipsContactAction::kAllow;
  expect_allowed(make(o).check_inbound(in));
}

TEST(R6, SipsContactRuleOnlyAppliesToSipsRequestsWithAContact) {
  Policy p = make();  // sips_contact = reject
  Policy::Inbound no_contact = request("192.0.2.10", Transport::kTls, true);
  no_contact.contact_present = false;
  no_contact.contact_sips = false;
  expect_allowed(p.check_inbound(no_contact));
  Policy::Inbound sip_request = request("192.0.2.10", Transport::kTls, false);
  sip_request.contact_sips = false;
  expect_allowed(p.check_inbound(sip_request));
  // A trusted peer in plaintext still gets the Contact check.
  Policy::Inbound trusted = request("10.0.0.1", Transport::kUdp, true);
  trusted.contact_sips = false;
  expect_forbidden(p.check_inbound(trusted), Rule::kR6SipsContact);
}

TEST(R5, TransportTlsIsRejectedWhenPolicySaysSo) {
  PolicyOptions o = lab_options();
  o.transport_tls = TransportTlsAction::kReject;
  Policy p = make(o);
  Policy::Inbound in = request("192.0.2.10", Transport::kUdp, false);
  in.transport_tls_param = true;
  Decision d = p.check_inbound(in);
  expect_forbidden(d, Rule::kR5TransportTls);
  EXPECT_EQ(d.reason, "transport=tls is deprecated (RFC 5630)");
  in.transport_tls_param = false;
  expect_allowed(p.check_inbound(in));
}

TEST(R5, TransportTlsIsAcceptedByDefault) {
  Policy p = make();
  EXPECT_EQ(p.transport_tls(), TransportTlsAction::kAccept);
  Policy::Inbound in = request("192.0.2.10", Transport::kUdp, false);
  in.transport_tls_param = true;
  // Allowed and nothing else: it selects TLS for the hop, the request does not become sips.
  expect_allowed(p.check_inbound(in));
}

TEST(R3, SipsToPlaintextTargetIsRefusedUnlessTrustedDowngrade) {
  Policy p = make();
  for (Transport t : {Transport::kUdp, Transport::kTcp, Transport::kWs}) {
    Decision d = p.check_target(true, t, ep("192.0.2.50:5060"), true);
    EXPECT_EQ(d.verdict, Verdict::kReject);
    EXPECT_EQ(d.rule, Rule::kR3SipsPlaintextHop);
    EXPECT_EQ(d.status, 503);

    Decision down = p.check_target(true, t, ep("127.0.0.1:5080"), true);
    EXPECT_EQ(down.verdict, Verdict::kAllowCounted);
    EXPECT_EQ(down.rule, Rule::kR3TrustedDowngrade);
    Decision down6 = p.check_target(true, t, ep("[::1]:5080"), false);
    EXPECT_EQ(down6.verdict, Verdict::kAllowCounted);
    EXPECT_EQ(down6.rule, Rule::kR3TrustedDowngrade);
  }
}

TEST(R3, TrustedDowngradeMatchesAddressAndPortExactly) {
  Policy p = make();
  for (auto target : {"127.0.0.1:5060", "127.0.0.2:5080", "[::2]:5080", "[::1]:5060"}) {
    Decision d = p.check_target(true, Transport::kUdp, ep(target), true);
    EXPECT_EQ(d.rule, Rule::kR3SipsPlaintextHop) << target;
    EXPECT_EQ(d.verdict, Verdict::kReject) << target;
  }
  // A trusted *source* network is not a downgrade target.
  EXPECT_EQ(p.check_target(true, Transport::kUdp, ep("10.0.0.1:5060"), true).rule,
            Rule::kR3SipsPlaintextHop);
}

TEST(R3, SipsOverTlsTargetIsAllowed) {
  Policy p = make();
  expect_allowed(p.check_target(true, Transport::kTls, ep("192.0.2.50:5061"), true));
  expect_allowed(p.check_target(true, Transport::kWss, ep("192.0.2.50:443"), true));
}

TEST(R3, SipRequestMayUseAnyTransport) {
  Policy p = make();
  for (Transport t :
       {Transport::kUdp, Transport::kTcp, Transport::kWs, Transport::kTls, Transport::kWss}) {
    expect_allowed(p.check_target(false, t, ep("192.0.2.50:5060"), true));
  }
}

TEST(R3, WithoutTlsEverySecureTargetIsUnusable) {
  Policy p = make();
  for (bool sips : {false, true}) {
    for (Transport t : {Transport::kTls, Transport::kWss}) {
      Decision d = p.check_target(sips, t, ep("192.0.2.50:5061"), false);
      EXPECT_EQ(d.verdict, Verdict::kReject);
      EXPECT_EQ(d.status, 503);
      EXPECT_EQ(d.rule, Rule::kCount);  // not a policy refusal, just no TLS transport yet
    }
  }
  expect_allowed(p.check_target(false, Transport::kUdp, ep("192.0.2.50:5060"), false));
}

TEST(R7, RecordRouteSchemeFollowsTheRequestUri) {
  EXPECT_EQ(Policy::record_route_scheme(true), "sips");
  EXPECT_EQ(Policy::record_route_scheme(false), "sip");
}

TEST(PolicyOrder, DenyComesBeforeEverything) {
  PolicyOptions o = lab_options();
  o.tls_only.push_back("203.0.113.0/24");
  o.trusted.push_back("203.0.113.0/24");
  Policy p = make(o);
  expect_forbidden(p.check_inbound(request("203.0.113.1", Transport::kUdp, true)),
                   Rule::kDenyNetwork);
}

TEST(PolicyOrder, TlsOnlyComesBeforeTrustedSips) {
  PolicyOptions o = lab_options();
  o.tls_only.push_back("10.9.0.0/16");  // inside the trusted 10/8
  Policy p = make(o);
  expect_forbidden(p.check_inbound(request("10.9.0.1", Transport::kUdp, true)),
                   Rule::kR9TlsOnlyNetwork);
}

TEST(PolicyOrder, SipsOverPlaintextComesBeforeContactAndTransportTls) {
  PolicyOptions o = lab_options();
  o.transport_tls = TransportTlsAction::kReject;
  Policy p = make(o);
  Policy::Inbound in = request("192.0.2.10", Transport::kUdp, true);
  in.contact_sips = false;
  in.transport_tls_param = true;
  expect_forbidden(p.check_inbound(in), Rule::kR6SipsOverPlaintext);
  in.arrived_over = Transport::kTls;
  expect_forbidden(p.check_inbound(in), Rule::kR6SipsContact);
}

TEST(PolicyOrder, LoggedContactStillRefusedByTransportTls) {
  PolicyOptions o = lab_options();
  o.transport_tls = TransportTlsAction::kReject;
  o.sips_contact = SipsContactAction::kLog;
  Policy p = make(o);
  Policy::Inbound in = request("192.0.2.10", Transport::kTls, true);
  in.contact_sips = false;
  in.transport_tls_param = true;
  expect_forbidden(p.check_inbound(in), Rule::kR5TransportTls);
}

TEST(PolicyOrder, ResponsesSkipRequestRules) {
  PolicyOptions o = lab_options();
  o.transport_tls = TransportTlsAction::kReject;
  Policy p = make(o);
  Policy::Inbound in = request("192.0.2.10", Transport::kUdp, true);
  in.contact_sips = false;
  in.transport_tls_param = true;
  in.is_response = true;
  expect_allowed(p.check_inbound(in));
}

TEST(PolicyCreate, EmptyOptionsAllowPlainSipAndRefuseSipsInPlaintext) {
  auto p = Policy::create(PolicyOptions{});
  ASSERT_TRUE(p.has_value());
  expect_allowed(p->check_inbound(request("192.0.2.1", Transport::kUdp, false)));
  expect_forbidden(p->check_inbound(request("192.0.2.1", Transport::kUdp, true)),
                   Rule::kR6SipsOverPlaintext);
  EXPECT_EQ(p->check_target(true, Transport::kUdp, ep("127.0.0.1:5060"), true).rule,
            Rule::kR3SipsPlaintextHop);
}

TEST(PolicyCreate, BadEntryIsNamedWithItsOption) {
  struct Case {
    std::vector<std::string> PolicyOptions::*field;
    std::string_view option;
  };
  for (Case c : {Case{&PolicyOptions::trusted, "trusted"},
                 Case{&PolicyOptions::tls_only, "tls_only"}, Case{&PolicyOptions::deny, "deny"}}) {
    PolicyOptions o = lab_options();
    (o.*c.field).push_back("10.0.0.300/8");
    auto p = Policy::create(o);
    ASSERT_FALSE(p.has_value()) << c.option;
    EXPECT_EQ(p.error().rfind(std::string(c.option) + ": ", 0), 0u) << p.error();
    EXPECT_NE(p.error().find("10.0.0.300/8"), std::string::npos) << p.error();
  }
  PolicyOptions o = lab_options();
  o.trusted_downgrade.push_back(net::Endpoint{ip("127.0.0.1"), 0});
  auto p = Policy::create(o);
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().find("trusted_downgrade"), std::string::npos) << p.error();
  EXPECT_NE(p.error().find("127.0.0.1:0"), std::string::npos) << p.error();
}

TEST(RuleName, LabelsAreStable) {
  EXPECT_EQ(rule_name(Rule::kDenyNetwork), "deny");
  EXPECT_EQ(rule_name(Rule::kR3SipsPlaintextHop), "r3_sips_plaintext_hop");
  EXPECT_EQ(rule_name(Rule::kR3TrustedDowngrade), "r3_trusted_downgrade");
  EXPECT_EQ(rule_name(Rule::kR5TransportTls), "r5_transport_tls");
  EXPECT_EQ(rule_name(Rule::kR6SipsOverPlaintext), "r6_sips_over_plaintext");
  EXPECT_EQ(rule_name(Rule::kR6SipsContact), "r6_sips_contact");
  EXPECT_EQ(rule_name(Rule::kR9TlsOnlyNetwork), "r9_tls_only");
  EXPECT_EQ(rule_name(Rule::kRelayForbiddenDestination), "relay_forbidden_destination");
  EXPECT_EQ(rule_name(Rule::kRelaySpecialAddress), "relay_special_address");
  EXPECT_EQ(kRuleCount, 9u);
}

TEST(PolicySnapshot, SharedReadOnlyAcrossThreads) {
  const Policy p = make();
  const Policy copy = p;  // snapshots are values: a copy decides the same way
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Policy& view = t % 2 ? p : copy;
      for (int i = 0; i < 2000; ++i) {
        if (view.check_inbound(request("192.0.2.10", Transport::kUdp, true)).rule !=
                Rule::kR6SipsOverPlaintext ||
            view.check_inbound(request("198.51.100.1", Transport::kTcp, false)).rule !=
                Rule::kR9TlsOnlyNetwork ||
            view.check_target(true, Transport::kUdp, ep("127.0.0.1:5080"), true).verdict !=
                Verdict::kAllowCounted) {
          ++wrong[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace sipedge::policy
