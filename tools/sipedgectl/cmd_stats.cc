// sipedgectl stats [--json]. The JSON shape is a contract (see the README of tools/sipedgectl):
// {"iface", "mode", "attached", "classes": {name: {"packets", "bytes"}}, "drops": {name: N},
// "details": {name: N}}.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "sipedge/json_writer.h"
#include "common.h"
#include "xdp/maps.h"
#include "xdp/names.h"

namespace sipedgectl {

int Stats(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto state = sipedge::xdp::ReadState(pm->maps());
  if (!state) return Fail(state.error());
  // After `detach --keep-maps` the counters are still there (mode "none", attached false).
  bool attached = state->backend != SIPEDGE_BACKEND_NONE;
  auto t = sipedge::xdp::ReadStats(pm->maps());
  if (!t) return Fail(t.error());
  std::string mode(sipedge::xdp::ModeName(state->mode));

  std::ostringstream out;
  if (o.json) {
    sipedge::JsonWriter j;
    j.begin_object().key("iface").value(o.iface).key("mode").value(mode);
    j.key("attached").value(attached);
    j.key("classes").begin_object();
    for (unsigned c = 0; c < SIPEDGE_CLASS_MAX; ++c) {
      j.key(sipedge::xdp::ClassName(c)).begin_object();
      j.key("packets").value(static_cast<uint64_t>(t->classes[c].packets));
      j.key("bytes").value(static_cast<uint64_t>(t->classes[c].bytes));
      j.end_object();
    }
    j.end_object().key("drops").begin_object();
    for (unsigned d = 0; d < SIPEDGE_DROP_MAX; ++d) {
      j.key(sipedge::xdp::DropName(d)).value(static_cast<uint64_t>(t->drops[d]));
    }
    j.end_object().key("details").begin_object();
    j.key("keepalive_stun").value(t->keepalive_stun);
    j.key("rate_limited_new").value(t->rate_limited_new);
    j.end_object().end_object();
    out << j.str() << "\n";
  } else {
    out << "iface " << o.iface << " mode " << mode << (attached ? "" : " (detached, maps kept)")
        << "\n";
    char line[96];
    std::snprintf(line, sizeof(line), "%-14s %16s %20s\n", "class", "packets", "bytes");
    out << line;
    for (unsigned c = 0; c < SIPEDGE_CLASS_MAX; ++c) {
      std::snprintf(line, sizeof(line), "%-14s %16llu %20llu\n",
                    std::string(sipedge::xdp::ClassName(c)).c_str(),
                    static_cast<unsigned long long>(t->classes[c].packets),
                    static_cast<unsigned long long>(t->classes[c].bytes));
      out << line;
    }
    std::snprintf(line, sizeof(line), "%-14s %16s\n", "drop", "packets");
    out << line;
    for (unsigned d = 0; d < SIPEDGE_DROP_MAX; ++d) {
      std::snprintf(line, sizeof(line), "%-14s %16llu\n",
                    std::string(sipedge::xdp::DropName(d)).c_str(),
                    static_cast<unsigned long long>(t->drops[d]));
      out << line;
    }
  }
  std::cout << out.str();
  return 0;
}

}  // namespace sipedgectl
