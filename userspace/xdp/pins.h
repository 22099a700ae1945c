// Where an instance lives in bpffs (/sys/fs/bpf/sipedge/<ifname>/), mounting bpffs when it is
// missing, and opening the pinned maps of an attached instance.
#pragma once

#include <string>

#include "xdp/maps.h"
#include "xdp/status.h"

namespace sipedge::xdp {

inline constexpr const char* kBpffsRoot = "/sys/fs/bpf";

// "/sys/fs/bpf/sipedge/<ifname>".
std::string PinDir(const std::string& ifname);
// "/sys/fs/bpf/sipedge/<ifname>/<name>".
std::string PinPath(const std::string& ifname, const std::string& name);

// Whether the maps pinned for `ifname` have this build's layout; the error says what differs
// and what to do. Call only when pins exist.
Status CheckPinsCompatible(const std::string& ifname);

// Mounts bpffs on /sys/fs/bpf unless one is there already.
Status EnsureBpffs();

// Owns fds of the maps pinned for one interface; closes them on destruction.
class PinnedMaps {
 public:
  // Opens every pinned map of `ifname`; errors "nothing attached on <ifname>" when the
  // instance has no pins, and names the mismatch when they come from an incompatible build.
  static Result<PinnedMaps> Open(const std::string& ifname);

  PinnedMaps() = default;
  PinnedMaps(PinnedMaps&& other) noexcept;
  PinnedMaps& operator=(PinnedMaps&& other) noexcept;
  PinnedMaps(const PinnedMaps&) = delete;
  PinnedMaps& operator=(const PinnedMaps&) = delete;
  ~PinnedMaps();

  const MapSet& maps() const { return maps_; }

 private:
  MapSet maps_;
};

// Removes every pin of `ifname` (maps and link) and its directory; missing pins are fine.
Status RemovePins(const std::string& ifname);

}  // namespace sipedge::xdp
