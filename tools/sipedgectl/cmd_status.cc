// sipedgectl status [--json]: where the classifier is attached and how, its program (id, tag,
// size), its maps and its limits. The JSON shape:
// {"iface", "ifindex", "attached", "mode", "backend", "abi_version", "program": {"id", "name",
//  "tag", "xlated_insns", "jited_bytes"} | null, "policy": {"default", "set", "entries"},
//  "limits": {"datagrams" | "syn" | "new_sources_per_cpu": {"pps", "burst"}},
//  "maps": [{"name", "id", "type", "key_size", "value_size", "max_entries", "entries"}]}.
#include <cstdio>
#include <iostream>
#include <optional>

#include "commands.h"
#include "common.h"
#include "sipedge/json_writer.h"
#include "xdp/introspect.h"
#include "xdp/maps.h"
#include "xdp/names.h"
#include "xdp/pins.h"

namespace sipedgectl {
namespace {

const char* BackendName(unsigned b) {
  return b == SIPEDGE_BACKEND_LINK         ? "bpf_link"
         : b == SIPEDGE_BACKEND_DISPATCHER ? "libxdp dispatcher"
                                           : "none";
}

}  // namespace

int Status(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  const auto& maps = pm->maps();
  auto state = sipedge::xdp::ReadState(maps);
  if (!state) return Fail(state.error());
  auto cfg = sipedge::xdp::ReadConfig(maps);
  if (!cfg) return Fail(cfg.error());
  auto map_info = sipedge::xdp::ReadMapInfo(maps);
  if (!map_info) return Fail(map_info.error());
  auto policy = sipedge::xdp::PolicyList(maps);
  if (!policy) return Fail(policy.error());
  bool attached = state->backend != SIPEDGE_BACKEND_NONE;
  std::optional<sipedge::xdp::ProgramInfo> prog;
  std::string prog_error;
  if (attached) {
    auto p = sipedge::xdp::ReadProgramInfo(state->prog_id);
    if (p)
      prog = *p;
    else
      prog_error = p.error();
  }
  std::string mode(sipedge::xdp::ModeName(state->mode));
  const char* set = cfg->policy_families & SIPEDGE_POLICY_SET_B ? "b" : "a";

  if (o.json) {
    sipedge::JsonWriter j;
    j.begin_object().key("iface").value(o.iface).key("ifindex").value(state->ifindex);
    j.key("attached").value(attached).key("mode").value(mode);
    j.key("backend").value(BackendName(state->backend));
    j.key("abi_version").value(state->abi_version);
    j.key("program");
    if (prog) {
      j.begin_object().key("id").value(prog->id).key("name").value(prog->name);
      j.key("tag").value(prog->tag).key("xlated_insns").value(prog->xlated_bytes / 8);
      j.key("jited_bytes").value(prog->jited_bytes).end_object();
    } else {
      j.null();
    }
    j.key("policy").begin_object();
    j.key("default").value(sipedge::xdp::PolicyName(cfg->default_policy));
    j.key("set").value(set).key("entries").value(static_cast<uint64_t>(policy->size()));
    j.end_object();
    auto pair = [&j](const char* name, uint32_t pps, uint32_t burst) {
      j.key(name).begin_object().key("pps").value(pps).key("burst").value(burst).end_object();
    };
    j.key("limits").begin_object();
    pair("datagrams", cfg->dgram_pps, cfg->dgram_burst);
    pair("syn", cfg->syn_pps, cfg->syn_burst);
    pair("new_sources_per_cpu", cfg->newsrc_pps, cfg->newsrc_burst);
    j.end_object().key("maps").begin_array();
    for (const auto& m : *map_info) {
      j.begin_object().key("name").value(m.pin_name).key("id").value(m.id);
      j.key("type").value(m.type).key("key_size").value(m.key_size);
      j.key("value_size").value(m.value_size).key("max_entries").value(m.max_entries);
      j.key("entries");
      if (m.entries >= 0)
        j.value(m.entries);
      else
        j.null();
      j.end_object();
    }
    j.end_array().end_object();
    std::cout << j.str() << "\n";
    return 0;
  }

  std::cout << "iface      " << o.iface << " (ifindex " << state->ifindex << ")\n";
  if (attached)
    std::cout << "attached   " << mode << " mode, " << BackendName(state->backend) << "\n";
  else
    std::cout << "attached   no (detached with --keep-maps: counters and policy kept)\n";
  if (prog)
    std::cout << "program    " << prog->name << " id " << prog->id << " tag " << prog->tag << ", "
              << prog->xlated_bytes / 8 << " insns, " << prog->jited_bytes << " bytes jited\n";
  else if (attached)
    std::cout << "program    id " << state->prog_id << " (" << prog_error << ")\n";
  std::cout << "abi        " << state->abi_version << " (this build " << SIPEDGE_ABI_VERSION
            << ")\n";
  std::cout << "pins       " << sipedge::xdp::PinDir(o.iface) << "\n";
  std::cout << "policy     default " << sipedge::xdp::PolicyName(cfg->default_policy) << ", "
            << policy->size() << " entries (set " << set << ")\n";
  std::cout << "ratelimit  datagrams " << cfg->dgram_pps << "/s burst " << cfg->dgram_burst
            << ", syn " << cfg->syn_pps << "/s burst " << cfg->syn_burst << ", new sources "
            << cfg->newsrc_pps << "/s burst " << cfg->newsrc_burst << " per cpu\n";
  std::printf("%-10s %6s %-14s %5s %6s %8s %8s\n", "map", "id", "type", "key", "value", "max",
              "entries");
  for (const auto& m : *map_info) {
    std::string entries = m.entries >= 0 ? std::to_string(m.entries) : "-";
    std::printf("%-10s %6u %-14s %5u %6u %8u %8s\n", m.pin_name.c_str(), m.id, m.type.c_str(),
                m.key_size, m.value_size, m.max_entries, entries.c_str());
  }
  return 0;
}

}  // namespace sipedgectl
