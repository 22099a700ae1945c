// The command line: one line starts a working proxy, flags win over the file, repeatable flags
// add up, and every bad flag or file exits 2 with "sipedge: <where>: <what>".
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "config_test_util.h"

namespace sipedge::config {
namespace {

struct Outcome {
  CommandLine cl;
  std::string out, err;
};

Outcome run(std::vector<std::string> args) {
  args.insert(args.begin(), "sipedge");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  Outcome r;
  r.cl = parse_command_line(static_cast<int>(args.size()), argv.data(), "1.2.3", out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Writes `text` to a fresh file under the test temp dir; returns its path.
std::string write_file(const std::string& name, const std::string& text) {
  std::string path =
      ::testing::TempDir() + "sipedge-config-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

net::Endpoint ep(const char* text) {
  net::Endpoint e;
  EXPECT_TRUE(net::parse_endpoint(text, &e)) << text;
  return e;
}

constexpr const char* kFile = R"toml([daemon]
workers = 4
log_level = "warn"

[[listen]]
transport = "udp"
address = "192.0.2.1"
port = 5060

[dns]
servers = ["192.0.2.53:53"]

[policy]
trusted = ["10.0.0.0/8"]
trusted_downgrade = ["127.0.0.1:5070"]

[[route]]
domain = "a.example"
next_hop = "sip:gw.a.example"
)toml";

TEST(CommandLine, OneLineStartsAProxy) {
  Outcome r = run({"--listen", "udp:127.0.0.1:5060", "--dns", "127.0.0.1:53"});
  EXPECT_EQ(r.cl.exit_code, -1) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(r.cl.config.listeners.size(), 1u);
  EXPECT_EQ(r.cl.config.listeners[0].transport, resolve::Transport::kUdp);
  EXPECT_EQ(r.cl.config.listeners[0].endpoint, ep("127.0.0.1:5060"));
  EXPECT_EQ(r.cl.config.dns.servers, (std::vector<std::string>{"127.0.0.1:53"}));
  EXPECT_EQ(r.cl.config.source, "");
  EXPECT_FALSE(r.cl.check_only);
}

TEST(CommandLine, RepeatableFlagsAndIpv6Listeners) {
  Outcome r = run({"--listen", "udp:[::1]:5060", "--listen", "tcp:[2001:db8::1]:5070", "--listen",
                   "tcp:127.0.0.1:5060", "--dns", "[::1]:53", "--dns", "127.0.0.1:5353"});
  ASSERT_EQ(r.cl.exit_code, -1) << r.err;
  const auto& ls = r.cl.config.listeners;
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0].endpoint, ep("[::1]:5060"));
  EXPECT_EQ(ls[0].endpoint.address.family, 6);
  EXPECT_EQ(ls[1].transport, resolve::Transport::kTcp);
  EXPECT_EQ(ls[1].endpoint, ep("[2001:db8::1]:5070"));
  EXPECT_EQ(ls[2].endpoint, ep("127.0.0.1:5060"));
  EXPECT_EQ(r.cl.config.dns.servers, (std::vector<std::string>{"[::1]:53", "127.0.0.1:5353"}));
}

TEST(CommandLine, FlagsOverrideTheFile) {
  std::string path = write_file("override.toml", kFile);
  Outcome r = run({"--config", path, "--listen", "tcp:127.0.0.1:5080", "--dns", "127.0.0.1:53",
                   "--workers", "2", "--metrics", "127.0.0.1:9100", "--record-route", "--iface",
                   "veth0", "--log-level", "debug"});
  ASSERT_EQ(r.cl.exit_code, -1) << r.err;
  const DaemonConfig& c = r.cl.config;
  EXPECT_EQ(c.source, path);
  EXPECT_EQ(r.cl.config_path, path);
  ASSERT_EQ(c.listeners.size(), 1u);  // --listen replaced the file's listener
  EXPECT_EQ(c.listeners[0].transport, resolve::Transport::kTcp);
  EXPECT_EQ(c.listeners[0].endpoint, ep("127.0.0.1:5080"));
  EXPECT_EQ(c.dns.servers, (std::vector<std::string>{"127.0.0.1:53"}));  // replaced
  EXPECT_EQ(c.workers, 2u);
  EXPECT_EQ(c.metrics, ep("127.0.0.1:9100"));
  EXPECT_TRUE(c.record_route);
  EXPECT_EQ(c.xdp.iface, "veth0");
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.routes.size(), 1u);  // untouched by flags
}

TEST(CommandLine, FileValuesStayWhenNoFlagTouchesThem) {
  std::string path = write_file("keep.toml", kFile);
  Outcome r = run({"--config", path});
  ASSERT_EQ(r.cl.exit_code, -1) << r.err;
  EXPECT_EQ(r.cl.config.workers, 4u);
  EXPECT_EQ(r.cl.config.log_level, LogLevel::kWarn);
  EXPECT_EQ(r.cl.config.listeners[0].endpoint, ep("192.0.2.1:5060"));
  EXPECT_FALSE(r.cl.config.record_route);
}

TEST(CommandLine, AppendingFlagsAddToTheFilesLists) {
  std::string path = write_file("append.toml", kFile);
  Outcome r = run({"--config", path, "--trusted", "192.168.0.0/16", "--trusted", "::1",
                   "--trusted-downgrade", "[::1]:5070", "--tls-only", "198.51.100.0/24", "--deny",
                   "203.0.113.0/24", "--route", "B.example=sips:sbc.b.example;lr"});
  ASSERT_EQ(r.cl.exit_code, -1) << r.err;
  const PolicyConfig& p = r.cl.config.policy;
  EXPECT_EQ(p.trusted_networks,
            (std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16", "::1/128"}));
  EXPECT_EQ(p.trusted_downgrade,
            (std::vector<net::Endpoint>{ep("127.0.0.1:5070"), ep("[::1]:5070")}));
  EXPECT_EQ(p.tls_only_networks, (std::vector<std::string>{"198.51.100.0/24"}));
  EXPECT_EQ(p.deny_networks, (std::vector<std::string>{"203.0.113.0/24"}));
  ASSERT_EQ(r.cl.config.routes.size(), 2u);
  EXPECT_EQ(r.cl.config.routes[1].domain, "b.example");
  EXPECT_EQ(r.cl.config.routes[1].next_hop_uri, "sips:sbc.b.example;lr");
}

TEST(CommandLine, OverridesReapplyToAReloadedFile) {
  std::string path = write_file("reload.toml", kFile);
  Outcome r = run({"--config", path, "--listen", "udp:127.0.0.1:5090", "--trusted", "::1"});
  ASSERT_EQ(r.cl.exit_code, -1) << r.err;
  auto reloaded = load_config_file(path);
  ASSERT_TRUE(reloaded);
  apply_overrides(r.cl.overrides, &*reloaded);
  EXPECT_EQ(*reloaded, r.cl.config);
}

TEST(CommandLine, BadFlagValuesExit2NamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  std::vector<Case> cases = {
      {{"--listen", "udp:127.0.0.1:5060", "--workers", "abc"},
       "sipedge: --workers: must be an integer, got \"abc\"\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--workers", "2000"},
       "sipedge: --workers: must be 0..1024, got 2000\n"},
      {{"--listen", "sctp:127.0.0.1:5060"},
       "sipedge: --listen: must be \"udp\", \"tcp\" or \"tls\", got \"sctp\"\n"},
      {{"--listen", "udp:127.0.0.1"},
       "sipedge: --listen: must be ADDR:PORT with a numeric address (IPv6 as [ADDR]:PORT) and "
       "port 1..65535, got \"127.0.0.1\"\n"},
      {{"--listen", "udp:::1:5060"},
       "sipedge: --listen: must be ADDR:PORT with a numeric address (IPv6 as [ADDR]:PORT) and "
       "port 1..65535, got \"::1:5060\"\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--trusted", "10.0.0.1/8"},
       "sipedge: --trusted: \"10.0.0.1/8\" has host bits set (the network is 10.0.0.0/8)\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--route", "a.example"},
       "sipedge: --route: must be DOMAIN=URI, e.g. carrier.example=sip:gw.carrier.example, got "
       "\"a.example\"\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--route", "a.example=tel:+123"},
       "sipedge: --route: must be a sip: or sips: URI, got \"tel:+123\"\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--log-level", "loud"},
       "sipedge: --log-level: must be error, warn, info or debug, got \"loud\"\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--metrics", "localhost:9090"},
       "sipedge: --metrics: must be ADDR:PORT with a numeric address (IPv6 as [ADDR]:PORT) and "
       "port 1..65535, got \"localhost:9090\"\n"},
      {{"--listen", "tls:127.0.0.1:5061"},
       "sipedge: --listen: a tls listener needs its certificate chain (PEM file)\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--listen", "udp:127.0.0.1:5060"},
       "sipedge: --listen: duplicates listen[0] (udp 127.0.0.1:5060)\n"},
      {{"--listen", "udp:127.0.0.1:5060", "--iface", "bad/name"},
       "sipedge: --iface: must be an interface name (1..15 characters, no '/', ':' or spaces), "
       "got \"bad/name\"\n"},
      {{}, "sipedge: listen: no listener: add a [[listen]] table or --listen udp:ADDR:PORT\n"},
  };
  for (const Case& c : cases) {
    Outcome r = run(c.args);
    EXPECT_EQ(r.cl.exit_code, 2) << c.err;
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST(CommandLine, Cli11ErrorsExit2) {
  Outcome unknown = run({"--listen", "udp:127.0.0.1:5060", "--frobnicate"});
  EXPECT_EQ(unknown.cl.exit_code, 2);
  EXPECT_EQ(unknown.err.rfind("sipedge: ", 0), 0u) << unknown.err;
  EXPECT_NE(unknown.err.find("--frobnicate"), std::string::npos) << unknown.err;

  Outcome missing_value = run({"--listen"});
  EXPECT_EQ(missing_value.cl.exit_code, 2);
  EXPECT_NE(missing_value.err.find("--listen"), std::string::npos) << missing_value.err;

  // One value per occurrence: a second word is not a second listener.
  Outcome two_values = run({"--listen", "udp:127.0.0.1:5060", "udp:127.0.0.1:5061"});
  EXPECT_EQ(two_values.cl.exit_code, 2) << two_values.err;
}

TEST(CommandLine, FileErrorExits2WithFileLineKey) {
  std::string path = write_file("bad.toml",
                                "[daemon]\nworkers = 1\n\n[[listen]]\n"
                                "transport = \"udp\"\naddress = \"0.0.0.0\"\n"
                                "port = 65536\n");
  Outcome r = run({"--config", path});
  EXPECT_EQ(r.cl.exit_code, 2);
  EXPECT_EQ(r.err, "sipedge: " + path + ":7: listen[0].port: must be 1..65535, got 65536\n");
}

TEST(CommandLine, MissingFileExits2) {
  Outcome r = run({"--config", "/nonexistent-sipedge.toml"});
  EXPECT_EQ(r.cl.exit_code, 2);
  EXPECT_EQ(r.err, "sipedge: /nonexistent-sipedge.toml: cannot read: No such file or directory\n");
}

TEST(CommandLine, CheckConfigExits0WhenValidAnd2WhenNot) {
  std::string good = write_file("check-good.toml", kFile);
  Outcome ok = run({"--check-config", good});
  EXPECT_EQ(ok.cl.exit_code, 0) << ok.err;
  EXPECT_TRUE(ok.cl.check_only);
  EXPECT_EQ(ok.out, "sipedge: " + good + ": configuration is valid\n");
  // Valid, but without [policy] untrusted_next_hops any source may be relayed anywhere.
  EXPECT_NE(ok.err.find("open relay"), std::string::npos) << ok.err;

  std::string no_listener = write_file("check-bad.toml", "[daemon]\nworkers = 2\n");
  Outcome bad = run({"--check-config", no_listener});
  EXPECT_EQ(bad.cl.exit_code, 2);
  EXPECT_EQ(bad.err,
            "sipedge: " + no_listener +
                ": listen: no listener: add a [[listen]] table or --listen udp:ADDR:PORT\n");

  std::string tls =
      write_file("check-tls.toml", "[[listen]]\ntransport = \"tls\"\naddress = \"0.0.0.0\"\n");
  Outcome refused = run({"--check-config", tls});
  EXPECT_EQ(refused.cl.exit_code, 2);
  EXPECT_EQ(refused.err,
            "sipedge: " + tls +
                ":1: listen[0].tls_certificate: a tls listener needs its certificate chain (PEM "
                "file)\n");

  // A flag can repair what the file lacks, and is checked with it.
  Outcome repaired = run({"--check-config", no_listener, "--listen", "udp:127.0.0.1:5060"});
  EXPECT_EQ(repaired.cl.exit_code, 0) << repaired.err;
}

TEST(CommandLine, CheckConfigAndConfigTogetherIsAnError) {
  std::string good = write_file("both.toml", kFile);
  Outcome r = run({"--config", good, "--check-config", good});
  EXPECT_EQ(r.cl.exit_code, 2);
  EXPECT_EQ(r.err,
            "sipedge: --check-config: give the file to --check-config alone, not with --config\n");
}

TEST(CommandLine, VersionAndHelpExit0) {
  Outcome v = run({"--version"});
  EXPECT_EQ(v.cl.exit_code, 0);
  EXPECT_TRUE(v.cl.show_version);
  EXPECT_EQ(v.out, "sipedge 1.2.3\n");

  Outcome h = run({"--help"});
  EXPECT_EQ(h.cl.exit_code, 0);
  for (const char* flag :
       {"--config", "--check-config", "--version", "--listen", "--dns", "--metrics", "--workers",
        "--record-route", "--iface", "--trusted", "--trusted-downgrade", "--tls-only", "--deny",
        "--route", "--log-level"}) {
    EXPECT_NE(h.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace sipedge::config
