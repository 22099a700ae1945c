// A good file becomes the values it says; what it leaves out keeps the documented defaults;
// to_toml() writes what parse_config() reads back unchanged.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace sipedge::config {
namespace {

using testing::parse_or_die;

constexpr std::string_view kFull = R"toml(
[daemon]
workers = 4
log_level = "debug"
record_route = true
local_names = ["Edge.Example.NET", "192.0.2.1"]

[[listen]]
transport = "udp"
address = "192.0.2.1"
port = 5060

[[listen]]
transport = "tcp"
address = "2001:db8::1"

[xdp]
iface = "eth0"
mode = "native"
keep_pinned_on_exit = false
rate_pps = 1000
rate_burst = 200
syn_pps = 50
syn_burst = 10

[dns]
servers = ["127.0.0.1:5353", "[::1]:53", "192.0.2.53"]
timeout_ms = 250
tries = 3
cache_max_entries = 1024
max_ttl_s = 3600
max_pending_per_worker = 128
quarantine_ms = 5000

[policy]
trusted = ["10.0.0.0/8", "192.0.2.7"]
tls_only = ["2001:DB8:1::/48"]
deny = ["203.0.113.0/24"]
trusted_downgrade = ["127.0.0.1:5070", "[::1]:5070"]
transport_tls = "reject"
sips_contact = "log"

[[route]]
domain = "Carrier.Example"
next_hop = "sip:192.0.2.50:5060;transport=tcp"

[metrics]
listen = "127.0.0.1:9090"

[limits]
max_message_size = 8192
tcp_idle_timeout_s = 30
tcp_max_connections_per_worker = 100
tcp_max_connections_per_source = 10
tcp_write_queue_bytes = 65536
tcp_connect_timeout_ms = 1500
)toml";

net::Endpoint ep(const char* text) {
  net::Endpoint e;
  EXPECT_TRUE(net::parse_endpoint(text, &e)) << text;
  return e;
}

TEST(ParseConfig, FullFileGivesEveryValue) {
  DaemonConfig c = parse_or_die(kFull);
  EXPECT_EQ(c.source, "t.toml");
  EXPECT_EQ(c.workers, 4u);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_TRUE(c.record_route);
  EXPECT_EQ(c.local_names, (std::vector<std::string>{"edge.example.net", "192.0.2.1"}));

  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].transport, resolve::Transport::kUdp);
  EXPECT_EQ(c.listeners[0].endpoint, ep("192.0.2.1:5060"));
  EXPECT_EQ(c.listeners[1].transport, resolve::Transport::kTcp);
  EXPECT_EQ(c.listeners[1].endpoint, ep("[2001:db8::1]:5060"));  // port defaults to 5060

  EXPECT_EQ(c.xdp.iface, "eth0");
  EXPECT_EQ(c.xdp.mode, "native");
  EXPECT_FALSE(c.xdp.keep_pinned_on_exit);
  EXPECT_EQ(c.xdp.rate_pps, 1000u);
  EXPECT_EQ(c.xdp.rate_burst, 200u);
  EXPECT_EQ(c.xdp.syn_pps, 50u);
  EXPECT_EQ(c.xdp.syn_burst, 10u);

  EXPECT_EQ(c.dns.servers,
            (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53", "192.0.2.53:53"}));
  EXPECT_EQ(c.dns.timeout_ms, 250);
  EXPECT_EQ(c.dns.tries, 3);
  EXPECT_EQ(c.dns.cache_max_entries, 1024u);
  EXPECT_EQ(c.dns.max_ttl_s, 3600u);
  EXPECT_EQ(c.dns.max_pending_per_worker, 128u);
  EXPECT_EQ(c.dns.quarantine_ms, 5000);

  EXPECT_EQ(c.policy.trusted_networks, (std::vector<std::string>{"10.0.0.0/8", "192.0.2.7/32"}));
  EXPECT_EQ(c.policy.tls_only_networks, (std::vector<std::string>{"2001:db8:1::/48"}));
  EXPECT_EQ(c.policy.deny_networks, (std::vector<std::string>{"203.0.113.0/24"}));
  EXPECT_EQ(c.policy.trusted_downgrade,
            (std::vector<net::Endpoint>{ep("127.0.0.1:5070"), ep("[::1]:5070")}));
  EXPECT_EQ(c.policy.transport_tls, TransportTlsAction::kReject);
  EXPECT_EQ(c.policy.sips_contact, SipsContactAction::kLog);

  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].domain, "carrier.example");
  EXPECT_EQ(c.routes[0].next_hop_uri, "sip:192.0.2.50:5060;transport=tcp");

  ASSERT_TRUE(c.metrics.has_value());
  EXPECT_EQ(*c.metrics, ep("127.0.0.1:9090"));

  EXPECT_EQ(c.limits.max_message_size, 8192u);
  EXPECT_EQ(c.limits.tcp_idle_timeout_s, 30);
  EXPECT_EQ(c.limits.tcp_max_connections_per_worker, 100u);
  EXPECT_EQ(c.limits.tcp_max_connections_per_source, 10u);
  EXPECT_EQ(c.limits.tcp_write_queue_bytes, 65536u);
  EXPECT_EQ(c.limits.tcp_connect_timeout_ms, 1500);

  EXPECT_TRUE(validate(c)) << validate(c).error().message;
}

TEST(ParseConfig, RecordsWhereEachSettingWasWritten) {
  DaemonConfig c = parse_or_die(kFull);
  EXPECT_EQ(c.origins["daemon.workers"], "t.toml:3");
  EXPECT_EQ(c.origins["listen[1]"], "t.toml:13");
  EXPECT_EQ(c.origins["listen[0].port"], "t.toml:11");
  EXPECT_EQ(c.origins["metrics.listen"], "t.toml:48");
}

TEST(ParseConfig, EmptyDocumentKeepsDefaults) {
  DaemonConfig c = parse_or_die("");
  DaemonConfig defaults;
  defaults.source = "t.toml";
  EXPECT_EQ(c, defaults);
  EXPECT_EQ(c.dns.timeout_ms, 500);
  EXPECT_EQ(c.limits.max_message_size, 65535u);
  EXPECT_EQ(c.policy.sips_contact, SipsContactAction::kReject);
  EXPECT_FALSE(c.metrics.has_value());
}

TEST(ParseConfig, InlineArrayOfTablesIsTheSameAsDoubleBrackets) {
  DaemonConfig inline_form =
      parse_or_die("listen = [{transport = \"udp\", address = \"127.0.0.1\", port = 5062}]\n");
  DaemonConfig table_form =
      parse_or_die("[[listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1\"\nport = 5062\n");
  EXPECT_EQ(inline_form.listeners, table_form.listeners);
}

TEST(ParseConfig, Ipv6ListenerWithAndWithoutBrackets) {
  DaemonConfig c = parse_or_die(
      "[[listen]]\ntransport = \"udp\"\naddress = \"[::1]\"\nport = 5070\n"
      "[[listen]]\ntransport = \"tcp\"\naddress = \"::\"\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].endpoint, ep("[::1]:5070"));
  EXPECT_EQ(c.listeners[0].endpoint.address.family, 6);
  EXPECT_EQ(c.listeners[1].endpoint, ep("[::]:5060"));
}

TEST(ParseConfig, TlsListenerKeepsItsFilesAndDefaultsTo5061) {
  DaemonConfig c = parse_or_die(
      "[[listen]]\ntransport = \"tls\"\naddress = \"0.0.0.0\"\n"
      "tls_certificate = \"/c.pem\"\ntls_key = \"/k.pem\"\ntls_ca = \"/ca.pem\"\n");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].transport, resolve::Transport::kTls);
  EXPECT_EQ(c.listeners[0].endpoint.port, 5061);
  EXPECT_EQ(c.listeners[0].tls_certificate, "/c.pem");
  EXPECT_EQ(c.listeners[0].tls_key, "/k.pem");
  EXPECT_EQ(c.listeners[0].tls_ca, "/ca.pem");
}

TEST(ParseConfig, RoundTripThroughToToml) {
  DaemonConfig first = parse_or_die(kFull);
  std::string written = to_toml(first);
  auto second = parse_config(written, "written.toml");
  ASSERT_TRUE(second) << second.error().message << "\n" << written;
  first.origins.clear();
  first.source.clear();
  second->origins.clear();
  second->source.clear();
  EXPECT_EQ(*second, first) << written;
}

TEST(ParseConfig, RoundTripKeepsTlsFilesAndAbsentMetrics) {
  DaemonConfig c;
  ListenerConfig tls;
  tls.transport = resolve::Transport::kTls;
  tls.endpoint = ep("[2001:db8::5]:5061");
  tls.tls_certificate = "/etc/c.pem";
  tls.tls_key = "/etc/k.pem";
  c.listeners.push_back(tls);
  auto back = parse_config(to_toml(c), "");
  ASSERT_TRUE(back) << back.error().message;
  back->origins.clear();
  EXPECT_EQ(*back, c) << to_toml(c);
}

TEST(LoadConfigFile, UnreadableFileNamesThePathAndReason) {
  auto c = load_config_file("/nonexistent-sipedge/x.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "/nonexistent-sipedge/x.toml: cannot read: No such file or directory");
}

TEST(LoadConfigFile, DirectoryIsNotAConfigFile) {
  auto c = load_config_file("/");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "/: cannot read: Is a directory");
}

TEST(EnumNames, EverySpellingRoundTrips) {
  for (LogLevel l : {LogLevel::kError, LogLevel::kWarn, LogLevel::kInfo, LogLevel::kDebug})
    EXPECT_EQ(parse_log_level(log_level_name(l)), l);
  for (auto a : {TransportTlsAction::kAccept, TransportTlsAction::kReject})
    EXPECT_EQ(parse_transport_tls_action(transport_tls_action_name(a)), a);
  for (auto a : {SipsContactAction::kReject, SipsContactAction::kLog, SipsContactAction::kAllow})
    EXPECT_EQ(parse_sips_contact_action(sips_contact_action_name(a)), a);
  EXPECT_FALSE(parse_log_level("INFO"));
}

}  // namespace
}  // namespace sipedge::config
