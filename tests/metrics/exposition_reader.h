// Reads Prometheus text exposition back into samples, so tests check what a scraper would
// see (names, labels, values, HELP/TYPE) rather than the registry's internals.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace sipedge::metrics::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> help;  // family -> HELP text
  std::map<std::string, std::string> type;  // family -> TYPE
  std::vector<std::string> errors;          // lines that did not parse

  // The value of the one sample with exactly these labels.
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const Sample& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nullopt;
  }
  std::vector<Sample> all(const std::string& name) const {
    std::vector<Sample> out;
    for (const Sample& s : samples)
      if (s.name == name) out.push_back(s);
    return out;
  }
};

inline double parse_value(const std::string& text) {
  if (text == "+Inf") return 1.0 / 0.0;
  return std::stod(text);
}

inline Exposition read_exposition(const std::string& text) {
  Exposition out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::string rest = line.substr(7);
      size_t sp = rest.find(' ');
      auto& table = line[2] == 'H' ? out.help : out.type;
      table[rest.substr(0, sp)] = sp == std::string::npos ? "" : rest.substr(sp + 1);
      continue;
    }
    if (line[0] == '#') continue;
    Sample s;
    size_t i = line.find_first_of("{ ");
    if (i == std::string::npos) {
      out.errors.push_back(line);
      continue;
    }
    s.name = line.substr(0, i);
    if (line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find("=\"", i);
        if (eq == std::string::npos) break;
        std::string key = line.substr(i, eq - i);
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) ++j;
          value += line[j];
        }
        s.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) {
        out.errors.push_back(line);
        continue;
      }
      ++i;  // '}'
    }
    try {
      s.value = parse_value(line.substr(line.find_first_not_of(' ', i)));
    } catch (...) {
      out.errors.push_back(line);
      continue;
    }
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace sipedge::metrics::testing
