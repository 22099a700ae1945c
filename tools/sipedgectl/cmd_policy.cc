// sipedgectl policy add | del | list | load | default.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "xdp/maps.h"
#include "sipedge/json_writer.h"
#include "xdp/names.h"
#include "xdp/policy_file.h"
#include "xdp/prefix.h"

namespace sipedgectl {
int PolicyAdd(const Options& o) {
  auto prefix = sipedge::xdp::ParsePrefix(o.prefix);
  if (!prefix) return Fail(prefix.error());
  auto action = sipedge::xdp::PolicyFromName(o.action);
  if (!action) return Fail("bad policy: " + o.action + " (want deny, allow or tls-only)");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (o.exempt && *action == SIPEDGE_POLICY_DENY) return Fail("a denied prefix cannot be exempt");
  if (auto masked = sipedge::xdp::MaskedHostBits(o.prefix, *prefix))
    std::cerr << "sipedgectl: warning: host bits masked off: " << *masked << "\n";
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
  if (o.json) {
    sipedge::JsonWriter j;
    j.begin_object().key("default").value(sipedge::xdp::PolicyName(cfg->default_policy));
    j.key("entries").begin_array();
    for (const auto& e : *list) {
      j.begin_object().key("prefix").value(e.prefix);
      j.key("action").value(sipedge::xdp::PolicyName(e.action));
      j.key("exempt").value((e.flags & SIPEDGE_POLICY_F_EXEMPT) != 0);
      j.key("hits").value(e.hits).end_object();
    }
    j.end_array().end_object();
    std::cout << j.str() << "\n";
    return 0;
  }
  std::cout << "default " << sipedge::xdp::PolicyName(cfg->default_policy) << "\n";
  for (const auto& e : *list)
    std::cout << e.prefix << " " << sipedge::xdp::PolicyName(e.action)
              << (e.flags & SIPEDGE_POLICY_F_EXEMPT ? " exempt" : "") << " hits " << e.hits << "\n";
  return 0;
}

int PolicyLoad(const Options& o) {
  std::ostringstream text;
  if (o.file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(o.file);
    if (!in) return Fail("cannot read " + o.file);
    text << in.rdbuf();
  }
  auto parsed = sipedge::xdp::ParsePolicyFile(text.str());
  if (!parsed) return Fail(o.file + ": " + parsed.error());
  for (const auto& w : parsed->warnings)
    std::cerr << "sipedgectl: warning: " << o.file << ": " << w << "\n";
  if (o.dry_run) {
    std::cout << parsed->rules.size() << " entries in " << o.file << " (not loaded)\n";
    return 0;
  }
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto n = sipedge::xdp::PolicyReplace(pm->maps(), parsed->rules);
  if (!n) return Fail(n.error());
  std::cout << "loaded " << *n << " entries (replacing the whole policy at once)\n";
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
