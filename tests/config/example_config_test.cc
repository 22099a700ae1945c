// The example config shipped in etc/ parses and validates, and it and docs/config.md mention
// every key the loader knows, so neither can fall behind the code.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config_test_util.h"

namespace sipedge::config {
namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every "section.key" to_toml() writes for a config that sets everything.
std::vector<std::string> every_key() {
  DaemonConfig c;
  ListenerConfig l;
  l.transport = resolve::Transport::kTls;
  l.tls_certificate = l.tls_key = l.tls_ca = l.tls_ciphers = l.tls_ciphersuites = "x";
  c.listeners.push_back(l);
  c.tls.ca = c.tls.certificate = c.tls.key = c.tls.ciphers = c.tls.ciphersuites = "x";
  c.routes.push_back(StaticRoute{"a", "sip:a"});
  c.metrics = net::Endpoint{};
  c.xdp.iface = "eth0";
  std::vector<std::string> keys;
  std::string section;
  std::istringstream lines(to_toml(c));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("[", 0) == 0) {
      section = line.substr(line.find_first_not_of('['));
      section = section.substr(0, section.find(']'));
    } else if (size_t eq = line.find(" = "); eq != std::string::npos) {
      keys.push_back(section + "." + line.substr(0, eq));
    }
  }
  return keys;
}

TEST(ExampleConfig, ParsesAndValidates) {
  auto c = load_config_file(SIPEDGE_EXAMPLE_CONFIG);
  ASSERT_TRUE(c) << c.error().message;
  auto v = validate(*c);
  EXPECT_TRUE(v) << v.error().message;
  EXPECT_FALSE(c->listeners.empty());
  EXPECT_FALSE(c->routes.empty());
}

TEST(ExampleConfig, MentionsEveryKey) {
  std::string text = read_text(SIPEDGE_EXAMPLE_CONFIG);
  std::vector<std::string> keys = every_key();
  ASSERT_EQ(keys.size(), 55u);  // a new key must be added here, the example and the doc
  for (const std::string& dotted : keys) {
    std::string key = dotted.substr(dotted.find('.') + 1);
    EXPECT_NE(text.find(key + " = "), std::string::npos) << dotted;
  }
}

TEST(ConfigReference, DocumentsEveryKey) {
  std::string text = read_text(SIPEDGE_CONFIG_DOC);
  ASSERT_FALSE(text.empty()) << SIPEDGE_CONFIG_DOC;
  for (const std::string& dotted : every_key()) {
    std::string section = dotted.substr(0, dotted.find('.'));
    std::string key = dotted.substr(dotted.find('.') + 1);
    EXPECT_NE(text.find("`" + key + "`"), std::string::npos) << dotted;
    EXPECT_NE(text.find(section), std::string::npos) << dotted;
  }
}

}  // namespace
}  // namespace sipedge::config
