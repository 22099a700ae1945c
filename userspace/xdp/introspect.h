// What the kernel says about an attached instance: the program (id, tag, size) and each
// pinned map (id, type, sizes, entries), for `sipedgectl status`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xdp/maps.h"
#include "xdp/status.h"

namespace sipedge::xdp {

struct ProgramInfo {
  uint32_t id = 0;
  std::string name;
  std::string tag;            // 16 hex digits, as bpftool prints it
  uint32_t xlated_bytes = 0;  // verified instructions, 8 bytes each
  uint32_t jited_bytes = 0;
  uint64_t load_time_ns = 0;  // since boot
};

struct MapInfo {
  std::string pin_name;  // kMapPinNames entry
  uint32_t id = 0;
  std::string type;  // "percpu_array", "lpm_trie", ...
  uint32_t key_size = 0, value_size = 0, max_entries = 0;
  int64_t entries = -1;  // counted for hash and trie maps; -1 for arrays (always full)
};

// The loaded program with id `prog_id`; errors when it is gone.
Result<ProgramInfo> ReadProgramInfo(uint32_t prog_id);
// One MapInfo per map of `maps` in kMapPinNames order (maps whose fd is -1 are skipped).
Result<std::vector<MapInfo>> ReadMapInfo(const MapSet& maps);

}  // namespace sipedge::xdp
