// sipedgectl policy add | del | list | default.
#include <cstring>
#include <iostream>
#include <optional>

#include "commands.h"
#include "common.h"
#include "xdp/maps.h"
#include "xdp/names.h"
#include "xdp/prefix.h"

namespace sipedgectl {
namespace {

// "sipedgectl: warning: ..." when `text` had host bits set beyond its prefix length.
std::optional<std::string> MaskedWarning(const std::string& text, const sipedge::xdp::Prefix& p) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto whole = sipedge::xdp::ParsePrefix(text.substr(0, slash));  // unmasked host prefix
  if (!whole) return std::nullopt;
  bool same = p.family == 4 ? std::memcmp(whole->v4.addr, p.v4.addr, 4) == 0
                            : std::memcmp(whole->v6.addr, p.v6.addr, 16) == 0;
  if (same) return std::nullopt;
  std::string canonical =
      p.family == 4 ? sipedge::xdp::FormatPrefix(p.v4) : sipedge::xdp::FormatPrefix(p.v6);
  return "sipedgectl: warning: host bits masked off: " + text + " is " + canonical;
}

}  // namespace

int PolicyAdd(const Options& o) {
  auto prefix = sipedge::xdp::ParsePrefix(o.prefix);
  if (!prefix) return Fail(prefix.error());
  auto action = sipedge::xdp::PolicyFromName(o.action);
  if (!action) return Fail("bad policy: " + o.action + " (want deny, allow or tls-only)");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (o.exempt && *action == SIPEDGE_POLICY_DENY) return Fail("a denied prefix cannot be exempt");
  if (auto masked = MaskedWarning(o.prefix, *prefix)) std::cerr << *masked << "\n";
  uint32_t flags = o.exempt ? SIPEDGE_POLICY_F_EXEMPT : 0;
  if (auto s = sipedge::xdp::PolicyAdd(pm->maps(), *prefix, *action, flags); !s)
    return Fail(s.error());
  return 0;
}

int PolicyDel(const Options& o) {
  auto prefix = sipedge::xdp::ParsePrefix(o.prefix);
  if (!prefix) return Fail(prefix.error());
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::PolicyDel(pm->maps(), *prefix); !s) return Fail(s.error());
  return 0;
}

int PolicyList(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto cfg = sipedge::xdp::ReadConfig(pm->maps());
  if (!cfg) return Fail(cfg.error());
  auto list = sipedge::xdp::PolicyList(pm->maps());
  if (!list) return Fail(list.error());
  std::cout << "default " << sipedge::xdp::PolicyName(cfg->default_policy) << "\n";
  for (const auto& e : *list)
    std::cout << e.prefix << " " << sipedge::xdp::PolicyName(e.action)
              << (e.flags & SIPEDGE_POLICY_F_EXEMPT ? " exempt" : "") << "\n";
  return 0;
}

int PolicyDefault(const Options& o) {
  auto action = sipedge::xdp::PolicyFromName(o.action);
  if (!action || *action == SIPEDGE_POLICY_DENY)
    return Fail("bad default policy: " + o.action + " (want allow or tls-only)");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::SetDefaultPolicy(pm->maps(), *action); !s) return Fail(s.error());
  return 0;
}

}  // namespace sipedgectl
