#include "xdp/pins.h"

#include <bpf/bpf.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace sipedge::xdp {
namespace {

int* Slot(MapSet& m, size_t i) {
  int* slots[] = {&m.stats,   &m.ports, &m.policy4, &m.policy6, &m.config,
                  &m.buckets, &m.steer, &m.cpumap,  &m.state};
  return slots[i];
}

void CloseAll(MapSet& m) {
  for (size_t i = 0; i < kMapPinNames.size(); ++i) {
    int* fd = Slot(m, i);
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

}  // namespace

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
