#include "config/toml_reader.h"

#include "config/value_parsers.h"

namespace sipedge::config {

std::string TomlReader::join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  std::string s(prefix);
  s += '.';
  s += key;
  return s;
}

std::string TomlReader::where(const toml::source_region& at) const {
  if (at.begin.line == 0) return path_;
  return path_ + ":" + std::to_string(at.begin.line);
}

void TomlReader::fail(const toml::source_region& at, std::string_view key, std::string_view what) {
  if (error_) return;
  error_ = where(at) + ": " + std::string(key) + ": " + std::string(what);
}

void TomlReader::note(const toml::source_region& at, const std::string& key) {
  (*origins_)[key] = where(at);
}

bool TomlReader::only_keys(const toml::table& table, std::string_view prefix,
                           std::initializer_list<std::string_view> allowed) {
  for (auto&& [k, v] : table) {
    bool known = false;
    for (std::string_view a : allowed) known = known || k.str() == a;
    if (known) continue;
    std::string hint = "unknown key (known here: ";
    bool first = true;
    for (std::string_view a : allowed) {
      if (!first) hint += ", ";
      hint += a;
      first = false;
    }
    hint += ")";
    fail(k.source().begin.line ? k.source() : v.source(), join(prefix, k.str()), hint);
    return false;
  }
  return true;
}

const toml::table* TomlReader::table(const toml::table& parent, std::string_view key) {
  const toml::node* n = parent.get(key);
  if (!n) return nullptr;
  if (const toml::table* t = n->as_table()) {
    note(t->source(), std::string(key));
    return t;
  }
  fail(n->source(), key, "must be a table ([" + std::string(key) + "])");
  return nullptr;
}

const toml::array* TomlReader::table_array(const toml::table& parent, std::string_view key) {
  const toml::node* n = parent.get(key);
  if (!n) return nullptr;
  const toml::array* a = n->as_array();
  if (a && (a->empty() || a->is_array_of_tables())) return a;
  fail(n->source(), key, "must be an array of tables ([[" + std::string(key) + "]])");
  return nullptr;
}

bool TomlReader::read_string(const toml::table& table, std::string_view prefix,
                             std::string_view key, std::string* out) {
  const toml::node* n = table.get(key);
  if (!n) return false;
  std::string dotted = join(prefix, key);
  const toml::value<std::string>* s = n->as_string();
  if (!s) {
    fail(n->source(), dotted, "must be a string");
    return false;
  }
  note(n->source(), dotted);
  *out = s->get();
  return true;
}

bool TomlReader::read_bool(const toml::table& table, std::string_view prefix, std::string_view key,
                           bool* out) {
  const toml::node* n = table.get(key);
  if (!n) return false;
  std::string dotted = join(prefix, key);
  const toml::value<bool>* b = n->as_boolean();
  if (!b) {
    fail(n->source(), dotted, "must be true or false");
    return false;
  }
  note(n->source(), dotted);
  *out = b->get();
  return true;
}

bool TomlReader::read_integer(const toml::table& table, std::string_view prefix,
                              std::string_view key, int64_t min, int64_t max, int64_t* out) {
  const toml::node* n = table.get(key);
  if (!n) return false;
  std::string dotted = join(prefix, key);
  const toml::value<int64_t>* i = n->as_integer();
  if (!i) {
    fail(n->source(), dotted, "must be an integer");
    return false;
  }
  if (i->get() < min || i->get() > max) {
    fail(n->source(), dotted, range_message(min, max, i->get()));
    return false;
  }
  note(n->source(), dotted);
  *out = i->get();
  return true;
}

bool TomlReader::read_string_array(const toml::table& table, std::string_view prefix,
                                   std::string_view key, std::vector<Item>* out) {
  const toml::node* n = table.get(key);
  if (!n) return false;
  std::string dotted = join(prefix, key);
  const toml::array* a = n->as_array();
  if (!a) {
    fail(n->source(), dotted, "must be an array of strings");
    return false;
  }
  out->clear();
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::node& el = *a->get(i);
    const toml::value<std::string>* s = el.as_string();
    if (!s) {
      fail(el.source(), dotted + "[" + std::to_string(i) + "]", "must be a string");
      return false;
    }
    out->push_back(Item{s->get(), el.source()});
  }
  note(n->source(), dotted);
  return true;
}

}  // namespace sipedge::config
