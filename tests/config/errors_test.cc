// Every class of bad value gets "FILE:LINE: dotted.key: what is wrong", with the line of the
// value (or of the table that lacks a key), so an operator can go straight to it.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace sipedge::config {
namespace {

using testing::parse_error_of;

TEST(ConfigErrors, SyntaxErrorGivesTomlsLineAndDescription) {
  std::string e = parse_error_of("[daemon]\nworkers = 1\nlog_level = \n");
  EXPECT_EQ(e.rfind("t.toml:3: ", 0), 0u) << e;
  EXPECT_GT(e.size(), std::string("t.toml:3: ").size()) << e;
}

TEST(ConfigErrors, DuplicateKeyIsASyntaxError) {
  std::string e = parse_error_of("[daemon]\nworkers = 1\nworkers = 2\n");
  EXPECT_EQ(e.rfind("t.toml:3: ", 0), 0u) << e;
}

TEST(ConfigErrors, UnknownTopLevelTable) {
  EXPECT_EQ(parse_error_of("[deamon]\nworkers = 1\n"),
            "t.toml:1: deamon: unknown key (known here: daemon, listen, xdp, dns, tls, policy, "
            "route, metrics, limits)");
}

TEST(ConfigErrors, UnknownKeyInATable) {
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = 2\nwrokers = 2\n"),
            "t.toml:3: daemon.wrokers: unknown key (known here: workers, log_level, "
            "record_route, local_names, secret_file)");
}

TEST(ConfigErrors, UnknownKeyInTheSecondListener) {
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\n"
                           "[[listen]]\ntransport = \"tcp\"\naddress = \"0.0.0.0\"\nprot = 1\n"),
            "t.toml:7: listen[1].prot: unknown key (known here: transport, address, port, "
            "tls_certificate, tls_key, tls_ca, tls_client_certificates, tls_min_version, "
            "tls_ciphers, tls_ciphersuites)");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = \"4\"\n"),
            "t.toml:2: daemon.workers: must be an integer");
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = 4.0\n"),
            "t.toml:2: daemon.workers: must be an integer");
  EXPECT_EQ(parse_error_of("[daemon]\nrecord_route = \"yes\"\n"),
            "t.toml:2: daemon.record_route: must be true or false");
  EXPECT_EQ(parse_error_of("[metrics]\nlisten = 9090\n"),
            "t.toml:2: metrics.listen: must be a string");
  EXPECT_EQ(parse_error_of("[dns]\nservers = \"127.0.0.1:53\"\n"),
            "t.toml:2: dns.servers: must be an array of strings");
  EXPECT_EQ(parse_error_of("[daemon]\nlocal_names = [\"a.example\",\n 3]\n"),
            "t.toml:3: daemon.local_names[1]: must be a string");
  EXPECT_EQ(parse_error_of("daemon = 3\n"), "t.toml:1: daemon: must be a table ([daemon])");
  EXPECT_EQ(parse_error_of("[listen]\ntransport = \"udp\"\n"),
            "t.toml:1: listen: must be an array of tables ([[listen]])");
}

TEST(ConfigErrors, OutOfRangeNumbers) {
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\n\n"
                           "[[listen]]\ntransport = \"tcp\"\naddress = \"0.0.0.0\"\n"
                           "port = 70000\n"),
            "t.toml:8: listen[1].port: must be 1..65535, got 70000");
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\nport = 0\n"),
            "t.toml:4: listen[0].port: must be 1..65535, got 0");
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = 5000\n"),
            "t.toml:2: daemon.workers: must be 0..1024, got 5000");
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = -1\n"),
            "t.toml:2: daemon.workers: must be 0..1024, got -1");
  EXPECT_EQ(parse_error_of("[xdp]\nrate_pps = 4294967296\n"),
            "t.toml:2: xdp.rate_pps: must be 0..4294967295, got 4294967296");
  EXPECT_EQ(parse_error_of("[dns]\ntimeout_ms = 0\n"),
            "t.toml:2: dns.timeout_ms: must be 1..60000, got 0");
  // The cache's index is 256 bytes per entry, allocated at start: bounded at 1 GiB.
  EXPECT_EQ(parse_error_of("[dns]\ncache_max_entries = 67108864\n"),
            "t.toml:2: dns.cache_max_entries: must be 16..4194304, got 67108864");
  EXPECT_EQ(parse_error_of("[limits]\nmax_message_size = 100\n"),
            "t.toml:2: limits.max_message_size: must be 1024..1048576, got 100");
}

TEST(ConfigErrors, BadCidr) {
  EXPECT_EQ(parse_error_of("[policy]\ntrusted = [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n"),
            "t.toml:2: policy.trusted[1]: prefix length must be 0..32, got \"10.0.0.0/33\"");
  EXPECT_EQ(parse_error_of("[policy]\ntls_only = [\"10.1.2.3/16\"]\n"),
            "t.toml:2: policy.tls_only[0]: \"10.1.2.3/16\" has host bits set (the network is "
            "10.1.0.0/16)");
  EXPECT_EQ(parse_error_of("[policy]\ndeny = [\"lan\"]\n"),
            "t.toml:2: policy.deny[0]: must be a CIDR like 10.0.0.0/8 or 2001:db8::/32, got "
            "\"lan\"");
  EXPECT_EQ(parse_error_of("[policy]\ndeny = [\"10.0.0.0/\"]\n"),
            "t.toml:2: policy.deny[0]: must be a CIDR like 10.0.0.0/8 or 2001:db8::/32, got "
            "\"10.0.0.0/\"");
}

TEST(ConfigErrors, BadAddresses) {
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"localhost\"\n"),
            "t.toml:3: listen[0].address: must be a numeric IPv4 or IPv6 address, got "
            "\"localhost\"");
  EXPECT_EQ(parse_error_of("[metrics]\nlisten = \"127.0.0.1\"\n"),
            "t.toml:2: metrics.listen: must be ADDR:PORT with a numeric address (IPv6 as "
            "[ADDR]:PORT) and port 1..65535, got \"127.0.0.1\"");
  EXPECT_EQ(parse_error_of("[policy]\ntrusted_downgrade = [\"::1:5070\"]\n"),
            "t.toml:2: policy.trusted_downgrade[0]: must be ADDR:PORT with a numeric address "
            "(IPv6 as [ADDR]:PORT) and port 1..65535, got \"::1:5070\"");
  EXPECT_EQ(parse_error_of("[dns]\nservers = [\"ns1.example:53\"]\n"),
            "t.toml:2: dns.servers[0]: must be ADDR:PORT or ADDR with a numeric address (IPv6 "
            "as [ADDR]:PORT), got \"ns1.example:53\"");
  EXPECT_EQ(parse_error_of("[daemon]\nlocal_names = [\"bad name\"]\n"),
            "t.toml:2: daemon.local_names[0]: must be a host name or numeric address, got "
            "\"bad name\"");
  EXPECT_EQ(parse_error_of("[xdp]\niface = \"a-very-long-interface\"\n"),
            "t.toml:2: xdp.iface: must be an interface name (1..15 characters, no '/', ':' or "
            "spaces), got \"a-very-long-interface\"");
}

TEST(ConfigErrors, BadUris) {
  EXPECT_EQ(parse_error_of("[[route]]\ndomain = \"a.example\"\nnext_hop = \"http://gw\"\n"),
            "t.toml:3: route[0].next_hop: must be a sip: or sips: URI, got \"http://gw\"");
  std::string e =
      parse_error_of("[[route]]\ndomain = \"a.example\"\nnext_hop = \"sip:gw:99999\"\n");
  EXPECT_EQ(e.rfind("t.toml:3: route[0].next_hop: bad SIP URI \"sip:gw:99999\": ", 0), 0u) << e;
  EXPECT_EQ(parse_error_of("[[route]]\ndomain = \"a.example\"\nnext_hop = \"sip:gw?x=y\"\n"),
            "t.toml:3: route[0].next_hop: must not carry ?headers, got \"sip:gw?x=y\"");
  EXPECT_EQ(parse_error_of("[[route]]\ndomain = \"a example\"\nnext_hop = \"sip:gw\"\n"),
            "t.toml:2: route[0].domain: must be a host name or numeric address, got "
            "\"a example\"");
}

TEST(ConfigErrors, UnknownEnumStrings) {
  EXPECT_EQ(parse_error_of("[policy]\nsips_contact = \"maybe\"\n"),
            "t.toml:2: policy.sips_contact: must be \"reject\", \"log\" or \"allow\", got "
            "\"maybe\"");
  EXPECT_EQ(parse_error_of("[policy]\ntransport_tls = \"drop\"\n"),
            "t.toml:2: policy.transport_tls: must be \"accept\" or \"reject\", got \"drop\"");
  EXPECT_EQ(parse_error_of("[daemon]\nlog_level = \"verbose\"\n"),
            "t.toml:2: daemon.log_level: must be \"error\", \"warn\", \"info\" or \"debug\", "
            "got \"verbose\"");
  EXPECT_EQ(parse_error_of("[xdp]\nmode = \"offload\"\n"),
            "t.toml:2: xdp.mode: must be \"auto\", \"native\" or \"generic\", got \"offload\"");
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"sctp\"\naddress = \"0.0.0.0\"\n"),
            "t.toml:2: listen[0].transport: must be \"udp\", \"tcp\" or \"tls\", got \"sctp\"");
}

TEST(ConfigErrors, MissingKeysPointAtTheirTable) {
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = 1\n\n[[listen]]\naddress = \"0.0.0.0\"\n"),
            "t.toml:4: listen[0].transport: missing (\"udp\", \"tcp\" or \"tls\")");
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\n"),
            "t.toml:1: listen[0].address: missing (a numeric IPv4 or IPv6 address)");
  EXPECT_EQ(parse_error_of("[[route]]\ndomain = \"a.example\"\n"),
            "t.toml:1: route[0].next_hop: missing (a sip: or sips: URI)");
  EXPECT_EQ(parse_error_of("[metrics]\n"),
            "t.toml:1: metrics.listen: missing (ADDR:PORT of the Prometheus endpoint)");
}

TEST(ConfigErrors, TlsFilesOnlyOnTlsListeners) {
  EXPECT_EQ(parse_error_of("[[listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\n"
                           "tls_key = \"/k.pem\"\n"),
            "t.toml:4: listen[0].tls_key: only for transport = \"tls\"");
}

TEST(ConfigErrors, FirstErrorWins) {
  EXPECT_EQ(parse_error_of("[daemon]\nworkers = -1\nlog_level = \"loud\"\n"),
            "t.toml:2: daemon.workers: must be 0..1024, got -1");
}

}  // namespace
}  // namespace sipedge::config
