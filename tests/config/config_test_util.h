// Helpers shared by the config tests: parse a document and get its error text or value.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/daemon_config.h"

namespace sipedge::config::testing {

// The error parse_config() gives for `text` (named "t.toml"), or "<parsed>" when it parses.
inline std::string parse_error_of(std::string_view text) {
  auto c = parse_config(text, "t.toml");
  return c ? "<parsed>" : c.error().message;
}

// The error validate() gives after a successful parse, or "<valid>".
inline std::string validate_error_of(std::string_view text) {
  auto c = parse_config(text, "t.toml");
  if (!c) return "parse failed: " + c.error().message;
  auto v = validate(*c);
  return v ? "<valid>" : v.error().message;
}

inline DaemonConfig parse_or_die(std::string_view text) {
  auto c = parse_config(text, "t.toml");
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : DaemonConfig{};
}

}  // namespace sipedge::config::testing
