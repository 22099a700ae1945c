#include "xdp/introspect.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sipedge::xdp {
namespace {

std::vector<std::pair<const char*, int>> Fds(const MapSet& m) {
  int fds[] = {m.stats,  m.ports, m.policy4, m.policy6,  m.config,   m.buckets, m.steer,
               m.cpumap, m.state, m.newsrc,  m.policy4b, m.policy6b, m.buckets6};
  static_assert(std::size(fds) == kMapPinNames.size());
  std::vector<std::pair<const char*, int>> out;
  for (size_t i = 0; i < kMapPinNames.size(); ++i) out.emplace_back(kMapPinNames[i], fds[i]);
  return out;
}

bool Countable(uint32_t type) {
  return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH ||
         type == BPF_MAP_TYPE_LPM_TRIE || type == BPF_MAP_TYPE_PERCPU_HASH ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int64_t CountEntries(int fd, uint32_t key_size) {
  std::vector<unsigned char> key(key_size), next(key_size);
  int64_t n = 0;
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    ++n;
    key.swap(next);
    prev = key.data();
  }
  return n;
}

}  // namespace

Result<ProgramInfo> ReadProgramInfo(uint32_t prog_id) {
  int fd = bpf_prog_get_fd_by_id(prog_id);
  if (fd < 0) return sipedge::unexpected(ErrnoMessage("program " + std::to_string(prog_id), errno));
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  int rc = bpf_obj_get_info_by_fd(fd, &info, &len);
  int err = errno;
  close(fd);
  if (rc != 0) return sipedge::unexpected(ErrnoMessage("cannot inspect program", err));
  ProgramInfo p;
  p.id = info.id;
  p.name = info.name;
  char hex[2 * BPF_TAG_SIZE + 1];
  for (int i = 0; i < BPF_TAG_SIZE; ++i) std::snprintf(hex + 2 * i, 3, "%02x", info.tag[i]);
  p.tag = hex;
  p.xlated_bytes = info.xlated_prog_len;
  p.jited_bytes = info.jited_prog_len;
  p.load_time_ns = info.load_time;
  return p;
}

Result<std::vector<MapInfo>> ReadMapInfo(const MapSet& maps) {
  std::vector<MapInfo> out;
  for (auto [name, fd] : Fds(maps)) {
    if (fd < 0) continue;
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
      return sipedge::unexpected(ErrnoMessage(std::string("cannot inspect map ") + name, errno));
    MapInfo m;
    m.pin_name = name;
    m.id = info.id;
    const char* type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(info.type));
    m.type = type ? type : "unknown";
    m.key_size = info.key_size;
    m.value_size = info.value_size;
    m.max_entries = info.max_entries;
    if (Countable(info.type)) m.entries = CountEntries(fd, info.key_size);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace sipedge::xdp
