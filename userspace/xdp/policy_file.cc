#include "xdp/policy_file.h"

#include <cstring>
#include <map>
#include <sstream>

#include "xdp/names.h"

namespace sipedge::xdp {
namespace {

std::string Canonical(const Prefix& p) {
  return p.family == 4 ? FormatPrefix(p.v4) : FormatPrefix(p.v6);
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::optional<std::string> MaskedHostBits(std::string_view text, const Prefix& prefix) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto whole = ParsePrefix(text.substr(0, slash));  // the address as a host prefix, unmasked
  if (!whole) return std::nullopt;
  bool same = prefix.family == 4 ? std::memcmp(whole->v4.addr, prefix.v4.addr, 4) == 0
                                 : std::memcmp(whole->v6.addr, prefix.v6.addr, 16) == 0;
  if (same) return std::nullopt;
  return std::string(text) + " is " + Canonical(prefix);
}

Result<PolicyFile> ParsePolicyFile(std::string_view text) {
  PolicyFile out;
  std::map<std::string, size_t> seen;  // canonical prefix -> index in out.rules
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto words = Words(line);
    if (words.empty()) continue;
    std::string where = "line " + std::to_string(line_no) + ": ";
    if (words.size() < 2 || words.size() > 3)
      return sipedge::unexpected(where + "want PREFIX deny|allow|tls-only [exempt]");
    auto prefix = ParsePrefix(words[0]);
    if (!prefix) return sipedge::unexpected(where + prefix.error());
    auto action = PolicyFromName(words[1]);
    if (!action) return sipedge::unexpected(where + "bad policy: " + std::string(words[1]));
    uint32_t flags = 0;
    if (words.size() == 3) {
      if (words[2] != "exempt")
        return sipedge::unexpected(where + "unknown flag: " + std::string(words[2]) +
                                   " (want exempt)");
      if (*action == SIPEDGE_POLICY_DENY)
        return sipedge::unexpected(where + "a denied prefix cannot be exempt");
      flags = SIPEDGE_POLICY_F_EXEMPT;
    }
    if (auto masked = MaskedHostBits(words[0], *prefix))
      out.warnings.push_back(where + "host bits masked off: " + *masked);
    PolicyRule rule{*prefix, *action, flags};
    std::string key = Canonical(*prefix);
    if (auto it = seen.find(key); it != seen.end()) {
      out.warnings.push_back(where + key + " listed again; this line wins");
      out.rules[it->second] = rule;
    } else {
      seen.emplace(key, out.rules.size());
      out.rules.push_back(rule);
    }
  }
  return out;
}

}  // namespace sipedge::xdp
