// Typed, located reads from a toml++ table: every read checks the value's type and range,
// records where the key was written (DaemonConfig::origins), and the first problem becomes the
// error "FILE:LINE: dotted.key: what is wrong". Internal to the config library.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipedge::config {

class TomlReader {
 public:
  TomlReader(std::string path, std::map<std::string, std::string>* origins)
      : path_(std::move(path)), origins_(origins) {}

  bool failed() const { return error_.has_value(); }
  const std::string& error() const { return *error_; }

  // Records the first error: "PATH:LINE: key: what" (the line of `at`).
  void fail(const toml::source_region& at, std::string_view key, std::string_view what);
  // "PATH:LINE" for `at` ("PATH" when toml++ knows no line).
  std::string where(const toml::source_region& at) const;
  // Remembers that `key` was written at `at`.
  void note(const toml::source_region& at, const std::string& key);

  // Fails on the first key of `table` outside `allowed` (a typo must not be ignored).
  bool only_keys(const toml::table& table, std::string_view prefix,
                 std::initializer_list<std::string_view> allowed);

  // The sub-table `key` of `parent` (nullptr when absent or not a table; the latter fails).
  const toml::table* table(const toml::table& parent, std::string_view key);
  // The array of tables `key` ([[key]]); nullptr when absent or of another type (fails).
  const toml::array* table_array(const toml::table& parent, std::string_view key);

  // Each reads `key` of `table` into *out when present; `prefix` names the table
  // ("daemon", "listen[1]"). Return false when absent or wrong (then failed()).
  bool read_string(const toml::table& table, std::string_view prefix, std::string_view key,
                   std::string* out);
  bool read_bool(const toml::table& table, std::string_view prefix, std::string_view key,
                 bool* out);
  bool read_integer(const toml::table& table, std::string_view prefix, std::string_view key,
                    int64_t min, int64_t max, int64_t* out);
  // An array of strings, each with its own source region (for per-element errors).
  struct Item {
    std::string text;
    toml::source_region at;
  };
  bool read_string_array(const toml::table& table, std::string_view prefix, std::string_view key,
                         std::vector<Item>* out);

  // read_integer into any integral field type, range given in that type.
  template <typename T>
  bool read_number(const toml::table& table, std::string_view prefix, std::string_view key, T min,
                   T max, T* out) {
    int64_t v = 0;
    if (!read_integer(table, prefix, key, static_cast<int64_t>(min), static_cast<int64_t>(max), &v))
      return false;
    *out = static_cast<T>(v);
    return true;
  }

  static std::string join(std::string_view prefix, std::string_view key);

 private:
  std::string path_;
  std::map<std::string, std::string>* origins_;
  std::optional<std::string> error_;
};

}  // namespace sipedge::config
