#include "xdp/pins.h"

#include <bpf/bpf.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <utility>

namespace sipedge::xdp {
namespace {

int* Slot(MapSet& m, size_t i) {
  int* slots[] = {&m.stats,  &m.ports, &m.policy4, &m.policy6,  &m.config,   &m.buckets, &m.steer,
                  &m.cpumap, &m.state, &m.newsrc,  &m.policy4b, &m.policy6b, &m.buckets6};
  static_assert(std::size(slots) == kMapPinNames.size());
  return slots[i];
}

void CloseAll(MapSet& m) {
  for (size_t i = 0; i < kMapPinNames.size(); ++i) {
    int* fd = Slot(m, i);
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

// Key and value sizes of each map in kMapPinNames order, as this build defines them.
struct MapShape {
  uint32_t key, value;
};
constexpr MapShape kShapes[] = {{4, sizeof(sipedge_stats)},
                                {4, sizeof(sipedge_port_classes)},
                                {sizeof(sipedge_lpm4_key), sizeof(sipedge_policy_value)},
                                {sizeof(sipedge_lpm6_key), sizeof(sipedge_policy_value)},
                                {4, sizeof(sipedge_config)},
                                {sizeof(sipedge_bucket4_key), sizeof(sipedge_bucket)},
                                {4, sizeof(sipedge_steer)},
                                {4, sizeof(bpf_cpumap_val)},
                                {4, sizeof(sipedge_state)},
                                {4, sizeof(sipedge_newsrc)},
                                {sizeof(sipedge_lpm4_key), sizeof(sipedge_policy_value)},
                                {sizeof(sipedge_lpm6_key), sizeof(sipedge_policy_value)},
                                {sizeof(sipedge_bucket6_key), sizeof(sipedge_bucket)}};
static_assert(std::size(kShapes) == kMapPinNames.size());

std::string Incompatible(const std::string& ifname, const std::string& detail) {
  return "the maps pinned under " + PinDir(ifname) + " come from an incompatible sipedge build (" +
         detail + "); run 'sipedgectl detach --iface " + ifname +
         "' (this drops their counters and policy) and attach again";
}

}  // namespace

Status CheckPinsCompatible(const std::string& ifname) {
  for (size_t i = 0; i < kMapPinNames.size(); ++i) {
    std::string path = PinPath(ifname, kMapPinNames[i]);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
      if (errno == ENOENT)
        return sipedge::unexpected(
            Incompatible(ifname, std::string("no ") + kMapPinNames[i] + " map"));
      return sipedge::unexpected(ErrnoMessage("cannot open " + path, errno));
    }
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    int rc = bpf_obj_get_info_by_fd(fd, &info, &len);
    close(fd);
    if (rc != 0) return sipedge::unexpected(ErrnoMessage("cannot inspect " + path, errno));
    if (info.key_size != kShapes[i].key || info.value_size != kShapes[i].value)
      return sipedge::unexpected(Incompatible(
          ifname, std::string(kMapPinNames[i]) + " entries are " + std::to_string(info.key_size) +
                      "+" + std::to_string(info.value_size) + " bytes, this build's " +
                      std::to_string(kShapes[i].key) + "+" + std::to_string(kShapes[i].value)));
  }
  return Ok{};
}

std::string PinDir(const std::string& ifname) {
  return std::string(kBpffsRoot) + "/sipedge/" + ifname;
}

std::string PinPath(const std::string& ifname, const std::string& name) {
  return PinDir(ifname) + "/" + name;
}

Status EnsureBpffs() {
  struct statfs fs {};
  if (statfs(kBpffsRoot, &fs) == 0 && fs.f_type == BPF_FS_MAGIC) return Ok{};
  if (mount("bpf", kBpffsRoot, "bpf", 0, "mode=0700") != 0)
    return sipedge::unexpected(
        ErrnoMessage("BPF unavailable: cannot mount bpffs on /sys/fs/bpf", errno));
  return Ok{};
}

Result<PinnedMaps> PinnedMaps::Open(const std::string& ifname) {
  if (access(PinPath(ifname, kMapPinNames[0]).c_str(), F_OK) != 0)
    return sipedge::unexpected("nothing attached on " + ifname);
  if (auto s = CheckPinsCompatible(ifname); !s) return sipedge::unexpected(s.error());
  PinnedMaps pm;
  for (size_t i = 0; i < kMapPinNames.size(); ++i) {
    std::string path = PinPath(ifname, kMapPinNames[i]);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
      if (errno == ENOENT) return sipedge::unexpected("nothing attached on " + ifname);
      return sipedge::unexpected(ErrnoMessage("cannot open " + path, errno));
    }
    *Slot(pm.maps_, i) = fd;
  }
  return pm;
}

PinnedMaps::PinnedMaps(PinnedMaps&& other) noexcept : maps_(std::exchange(other.maps_, {})) {}

PinnedMaps& PinnedMaps::operator=(PinnedMaps&& other) noexcept {
  if (this != &other) {
    CloseAll(maps_);
    maps_ = std::exchange(other.maps_, {});
  }
  return *this;
}

PinnedMaps::~PinnedMaps() { CloseAll(maps_); }

Status RemovePins(const std::string& ifname) {
  for (const char* name : kMapPinNames) unlink(PinPath(ifname, name).c_str());
  unlink(PinPath(ifname, "link").c_str());
  if (rmdir(PinDir(ifname).c_str()) != 0 && errno != ENOENT)
    return sipedge::unexpected(ErrnoMessage("cannot remove " + PinDir(ifname), errno));
  return Ok{};
}

}  // namespace sipedge::xdp
