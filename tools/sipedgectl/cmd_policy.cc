// sipedgectl policy add | del | list | default.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "xdp/maps.h"
#include "xdp/names.h"
#include "xdp/prefix.h"

namespace sipedgectl {

int PolicyAdd(const Options& o) {
  auto prefix = sipedge::xdp::ParsePrefix(o.prefix);
  if (!prefix) return Fail(prefix.error());
  auto action = sipedge::xdp::PolicyFromName(o.action);
  if (!action) return Fail("bad policy: " + o.action + " (want deny, allow or tls-only)");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::PolicyAdd(pm->maps(), *prefix, *action); !s) return Fail(s.error());
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
    std::cout << e.prefix << " " << sipedge::xdp::PolicyName(e.action) << "\n";
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
