// Policy files for `sipedgectl policy load`: one entry a line, "PREFIX ACTION [exempt]"
// (ACTION deny | allow | tls-only), '#' starts a comment, blank lines are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdp/maps.h"
#include "xdp/prefix.h"
#include "xdp/status.h"

namespace sipedge::xdp {

struct PolicyFile {
  std::vector<PolicyRule> rules;      // in file order, one per prefix (a later line wins)
  std::vector<std::string> warnings;  // "line N: ..." (host bits masked, duplicates)
};

// Parses a policy file's text; the error names the first bad line ("line 3: bad prefix ...").
Result<PolicyFile> ParsePolicyFile(std::string_view text);

// "TEXT is CANONICAL" when `text` had host bits set beyond its prefix length, which parsing
// masked off to give `prefix`; nothing otherwise.
std::optional<std::string> MaskedHostBits(std::string_view text, const Prefix& prefix);

}  // namespace sipedge::xdp
