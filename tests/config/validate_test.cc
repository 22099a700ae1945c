// validate(): cross-field problems, located at the line (or flag) that caused them.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace sipedge::config {
namespace {

using testing::validate_error_of;

constexpr const char* kUdpListener =
    "[[listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1\"\nport = 5060\n";

TEST(Validate, MinimalConfigIsValid) { EXPECT_EQ(validate_error_of(kUdpListener), "<valid>"); }

TEST(Validate, NeedsAListener) {
  EXPECT_EQ(validate_error_of("[daemon]\nworkers = 1\n"),
            "t.toml: listen: no listener: add a [[listen]] table or --listen udp:ADDR:PORT");
  EXPECT_EQ(validate(DaemonConfig{}).error().message,
            "listen: no listener: add a [[listen]] table or --listen udp:ADDR:PORT");
}

TEST(Validate, TlsListenerNeedsCertificateKeyAndForClientCertsACa) {
  std::string tls =
      std::string(kUdpListener) + "[[listen]]\ntransport = \"tls\"\naddress = \"127.0.0.1\"\n";
  EXPECT_EQ(validate_error_of(tls),
            "t.toml:5: listen[1].tls_certificate: a tls listener needs its certificate chain "
            "(PEM file)");
  EXPECT_EQ(validate_error_of(tls + "tls_certificate = \"/c.pem\"\n"),
            "t.toml:5: listen[1].tls_key: a tls listener needs its private key (PEM file)");
  EXPECT_EQ(validate_error_of(tls + "tls_certificate = \"/c.pem\"\ntls_key = \"/k.pem\"\n"
                                    "tls_client_certificates = \"require\"\n"),
            "t.toml:5: listen[1].tls_ca: needed to verify client certificates "
            "(tls_client_certificates)");
  EXPECT_EQ(validate_error_of(tls + "tls_certificate = \"/c.pem\"\ntls_key = \"/k.pem\"\n"),
            "<valid>");
}

TEST(Validate, DuplicateListener) {
  EXPECT_EQ(validate_error_of(std::string(kUdpListener) + "\n" + kUdpListener),
            "t.toml:6: listen[1]: duplicates listen[0] (udp 127.0.0.1:5060)");
}

TEST(Validate, SamePortOnUdpAndTcpIsFine) {
  EXPECT_EQ(validate_error_of(std::string(kUdpListener) +
                              "[[listen]]\ntransport = \"tcp\"\naddress = \"127.0.0.1\"\n"),
            "<valid>");
}

TEST(Validate, RateLimitNeedsABurst) {
  EXPECT_EQ(validate_error_of(std::string(kUdpListener) + "[xdp]\nrate_pps = 100\n"),
            "t.toml:6: xdp.rate_pps: needs xdp.rate_burst >= 1");
  EXPECT_EQ(validate_error_of(std::string(kUdpListener) + "[xdp]\nsyn_pps = 100\n"),
            "t.toml:6: xdp.syn_pps: needs xdp.syn_burst >= 1");
  EXPECT_EQ(
      validate_error_of(std::string(kUdpListener) + "[xdp]\nrate_pps = 100\nrate_burst = 1\n"),
      "<valid>");
}

TEST(Validate, MetricsMayNotTakeATcpListenersAddress) {
  EXPECT_EQ(validate_error_of("[[listen]]\ntransport = \"tcp\"\naddress = \"127.0.0.1\"\n"
                              "port = 9090\n[metrics]\nlisten = \"127.0.0.1:9090\"\n"),
            "t.toml:6: metrics.listen: the metrics endpoint 127.0.0.1:9090 is also listen[0] "
            "(tcp)");
  EXPECT_EQ(validate_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1\"\n"
                              "port = 9090\n[metrics]\nlisten = \"127.0.0.1:9090\"\n"),
            "<valid>");
}

TEST(Validate, DuplicateRouteDomain) {
  EXPECT_EQ(validate_error_of(std::string(kUdpListener) +
                              "[[route]]\ndomain = \"a.example\"\nnext_hop = \"sip:gw1\"\n"
                              "[[route]]\ndomain = \"A.example\"\nnext_hop = \"sip:gw2\"\n"),
            "t.toml:9: route[1].domain: \"a.example\" already has route[0]");
}

TEST(Validate, WorkersBuiltInCodeAreRangeChecked) {
  DaemonConfig c;
  ListenerConfig l;
  ASSERT_TRUE(net::parse_endpoint("127.0.0.1:5060", &l.endpoint));
  c.listeners.push_back(l);
  c.workers = kMaxWorkers + 1;
  EXPECT_EQ(validate(c).error().message, "daemon.workers: must be 0..1024, got 1025");
}

}  // namespace
}  // namespace sipedge::config
