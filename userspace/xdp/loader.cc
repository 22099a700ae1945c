#include "xdp/loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <vector>

#include "xdp/pins.h"
#include "xdp/skeleton.h"

namespace sipedge::xdp {
namespace {

constexpr const char* kProgName = "sipedge_xdp";

// Closes an fd on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct XdpProgramCloser {
  void operator()(xdp_program* p) const { xdp_program__close(p); }
};
struct MultiprogCloser {
  void operator()(xdp_multiprog* mp) const { xdp_multiprog__close(mp); }
};

Result<int> IfIndex(const std::string& ifname) {
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) return sipedge::unexpected("no such interface: " + ifname);
  return static_cast<int>(idx);
}

uint32_t ProgId(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return 0;
  return info.id;
}

unsigned ModeOf(xdp_attach_mode m) {
  return m == XDP_MODE_SKB ? SIPEDGE_MODE_GENERIC : SIPEDGE_MODE_NATIVE;
}

// The pinned state of a previous attach, if the maps are pinned.
std::optional<sipedge_state> PinnedState(const std::string& ifname) {
  Fd fd(bpf_obj_get(PinPath(ifname, "state").c_str()));
  if (fd.get() < 0) return std::nullopt;
  sipedge_state st{};
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(fd.get(), &zero, &st) != 0) return std::nullopt;
  return st;
}

Status PinMapsAt(const sipedge_xdp_bpf& skel, const std::string& ifname) {
  for (const auto& nm : NamedMaps(skel)) {
    if (int rc = bpf_map__set_pin_path(nm.map, PinPath(ifname, nm.pin_name).c_str()); rc != 0)
      return sipedge::unexpected(ErrnoMessage("cannot set pin path", rc));
  }
  return Ok{};
}

// Replaces the program behind our pinned bpf_link in one step (BPF_LINK_UPDATE).
Result<AttachResult> ReplaceLinked(sipedge_xdp_bpf* skel, int link_fd, sipedge_state state,
                                   AttachMode mode) {
  unsigned want = state.mode;
  if (mode == AttachMode::kNative) want = SIPEDGE_MODE_NATIVE;
  if (mode == AttachMode::kGeneric) want = SIPEDGE_MODE_GENERIC;
  if (want != state.mode)
    return sipedge::unexpected(std::string("already attached in another mode; detach first"));
  if (int rc = sipedge_xdp_bpf__load(skel); rc != 0)
    return sipedge::unexpected(ErrnoMessage("BPF unavailable: cannot load sipedge_xdp", rc));
  int prog_fd = bpf_program__fd(skel->progs.sipedge_xdp);
  if (bpf_link_update(link_fd, prog_fd, nullptr) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot update the bpf_link", errno));
  state.prog_id = ProgId(prog_fd);
  state.abi_version = SIPEDGE_ABI_VERSION;
  if (auto s = WriteState(MapsOf(*skel), state); !s) return sipedge::unexpected(s.error());
  return AttachResult{state.mode, state.backend, state.prog_id, true, false};
}

// Whether the pinned XDP link still holds `ifindex` (a link whose interface went away is
// defunct: it reports ifindex 0 and cannot be updated).
bool LinkHolds(int link_fd, int ifindex) {
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(link_fd, &info, &len) != 0) return false;
  return info.type == BPF_LINK_TYPE_XDP && static_cast<int>(info.xdp.ifindex) == ifindex;
}

// The XDP_FLAGS_* of a libxdp attach mode (native or generic).
uint32_t NetlinkModeFlags(xdp_attach_mode m) {
  return m == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

// Takes our program off `ifindex` when it is attached there through netlink, and only then
// (the kernel compares the attached program with ours). Needs no program lookup by id, so
// it works without CAP_SYS_ADMIN, unlike libxdp's detach.
int DetachLegacy(int prog_fd, int ifindex, xdp_attach_mode m) {
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = prog_fd);
  return bpf_xdp_detach(ifindex, NetlinkModeFlags(m), &opts) == 0 ? 0 : -errno;
}

// libxdp could not build a dispatcher and attached our program alone: trade that netlink
// attachment for a bpf_link we pin, so the next attach can replace the program atomically.
Status ConvertToLink(xdp_program* prog, int ifindex, xdp_attach_mode m, const std::string& ifname) {
  int prog_fd = xdp_program__fd(prog);
  if (int rc = DetachLegacy(prog_fd, ifindex, m); rc != 0)
    return sipedge::unexpected(ErrnoMessage("cannot detach legacy attachment", rc));
  LIBBPF_OPTS(bpf_link_create_opts, opts);
  opts.flags = NetlinkModeFlags(m);
  Fd link(bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts));
  if (link.get() < 0) return sipedge::unexpected(ErrnoMessage("cannot create bpf_link", errno));
  if (bpf_obj_pin(link.get(), PinPath(ifname, "link").c_str()) != 0)
    return sipedge::unexpected(ErrnoMessage("cannot pin bpf_link", errno));
  return Ok{};
}

// Our program in the dispatcher on `ifindex`, if it is there.
xdp_program* FindInDispatcher(xdp_multiprog* mp, uint32_t prog_id) {
  for (xdp_program* p = xdp_multiprog__next_prog(nullptr, mp); p;
       p = xdp_multiprog__next_prog(p, mp)) {
    if ((prog_id && xdp_program__id(p) == prog_id) ||
        (!prog_id && std::string(xdp_program__name(p)) == kProgName))
      return p;
  }
  return nullptr;
}

// Attach with the pin directory in place; `previous` is the pinned state, if any.
Result<AttachResult> AttachPinned(const std::string& ifname, int ifindex, AttachMode mode,
                                  const std::optional<sipedge_state>& previous) {
  auto skel = OpenSkeleton();
  if (!skel) return sipedge::unexpected(skel.error());
  if (auto s = PinMapsAt(**skel, ifname); !s) return sipedge::unexpected(s.error());

  Fd link(bpf_obj_get(PinPath(ifname, "link").c_str()));
  if (link.get() >= 0 && previous && LinkHolds(link.get(), ifindex))
    return ReplaceLinked(skel->get(), link.get(), *previous, mode);
  if (link.get() >= 0) unlink(PinPath(ifname, "link").c_str());  // defunct: start over

  std::unique_ptr<xdp_multiprog, MultiprogCloser> old_mp(xdp_multiprog__get_from_ifindex(ifindex));
  if (libxdp_get_error(old_mp.get())) old_mp.release();
  xdp_program* old_prog = nullptr;
  if (old_mp && previous && previous->backend == SIPEDGE_BACKEND_DISPATCHER &&
      !xdp_multiprog__is_legacy(old_mp.get()))
    old_prog = FindInDispatcher(old_mp.get(), previous->prog_id);

  std::unique_ptr<xdp_program, XdpProgramCloser> prog(
      xdp_program__from_bpf_obj((*skel)->obj, "xdp.frags"));
  if (libxdp_get_error(prog.get())) {
    int err = static_cast<int>(libxdp_get_error(prog.get()));
    prog.release();
    return sipedge::unexpected(ErrnoMessage("cannot wrap BPF object for libxdp", err));
  }

  std::vector<xdp_attach_mode> tries;
  if (mode != AttachMode::kGeneric) tries.push_back(XDP_MODE_NATIVE);
  if (mode != AttachMode::kNative) tries.push_back(XDP_MODE_SKB);
  if (old_prog) tries = {xdp_multiprog__attach_mode(old_mp.get())};
  int rc = -EINVAL;
  xdp_attach_mode used = tries.front();
  for (xdp_attach_mode m : tries) {
    rc = xdp_program__attach(prog.get(), ifindex, m, 0);
    if (rc == 0) {
      used = m;
      break;
    }
  }
  if (rc != 0) {
    char buf[256];
    libxdp_strerror(rc, buf, sizeof(buf));
    return sipedge::unexpected("cannot attach to " + ifname + " in " +
                               (tries.size() > 1
                                    ? std::string("native or generic")
                                    : std::string(used == XDP_MODE_SKB ? "generic" : "native")) +
                               " mode: " + buf);
  }

  // From here on our program is attached: any failure below takes it off again, so a failed
  // attach never leaves a program behind that nothing owns (the caller removes the pins).
  struct UndoAttach {
    xdp_program* prog;
    int ifindex;
    xdp_attach_mode mode;
    bool armed = true;
    ~UndoAttach() {
      if (!armed) return;
      // Attached alone through netlink, or into a dispatcher: whichever it is goes.
      if (DetachLegacy(xdp_program__fd(prog), ifindex, mode) != 0)
        xdp_program__detach(prog, ifindex, mode, 0);
    }
  } undo{prog.get(), ifindex, used};

  AttachResult result;
  result.mode = ModeOf(used);
  result.fresh_maps = !previous;
  std::unique_ptr<xdp_multiprog, MultiprogCloser> mp(xdp_multiprog__get_from_ifindex(ifindex));
  bool legacy = libxdp_get_error(mp.get()) ? true : xdp_multiprog__is_legacy(mp.get());
  if (libxdp_get_error(mp.get())) mp.release();
  if (legacy) {
    if (auto s = ConvertToLink(prog.get(), ifindex, used, ifname); !s) {
      // The netlink attachment may already be gone; a bpf_link made before the failure is
      // released with its fd (not pinned). Either way nothing of ours may stay attached.
      return sipedge::unexpected(s.error());
    }
    result.backend = SIPEDGE_BACKEND_LINK;
  } else {
    result.backend = SIPEDGE_BACKEND_DISPATCHER;
    if (old_prog) {
      // libxdp has no single "swap" call: the new instance joined the dispatcher first (one
      // atomic dispatcher replacement), now the old one leaves (another). No packet misses
      // sipedge; for a moment a packet may be counted by both instances.
      xdp_program__detach(old_prog, ifindex, used, 0);
      result.replaced = true;
    }
  }
  result.prog_id = ProgId(xdp_program__fd(prog.get()));

  MapSet maps = MapsOf(**skel);
  if (result.fresh_maps) {
    if (auto s = WriteDefaults(maps); !s) return sipedge::unexpected(s.error());
  }
  sipedge_state state{static_cast<uint32_t>(ifindex),
                      result.mode,
                      result.backend,
                      result.prog_id,
                      SIPEDGE_ABI_VERSION,
                      0};
  if (auto s = WriteState(maps, state); !s) return sipedge::unexpected(s.error());
  // A pinned bpf_link now holds the program (or the dispatcher does): keep it attached.
  undo.armed = false;
  return result;
}

}  // namespace

Result<AttachResult> Attach(const std::string& ifname, AttachMode mode) {
  QuietLibraries();
  auto ifindex = IfIndex(ifname);
  if (!ifindex) return sipedge::unexpected(ifindex.error());
  if (auto s = EnsureBpffs(); !s) return sipedge::unexpected(s.error());
  std::string base = std::string(kBpffsRoot) + "/sipedge";
  mkdir(base.c_str(), 0700);
  if (mkdir(PinDir(ifname).c_str(), 0700) != 0 && errno != EEXIST)
    return sipedge::unexpected(ErrnoMessage("cannot create " + PinDir(ifname), errno));
  if (access(PinPath(ifname, kMapPinNames[0]).c_str(), F_OK) == 0) {
    if (auto s = CheckPinsCompatible(ifname); !s) return sipedge::unexpected(s.error());
  }
  auto previous = PinnedState(ifname);
  auto result = AttachPinned(ifname, *ifindex, mode, previous);
  // A failed first attach leaves nothing behind; a failed re-attach keeps what was there.
  if (!result && !previous) RemovePins(ifname);
  return result;
}

Status Detach(const std::string& ifname, bool keep_maps) {
  QuietLibraries();
  auto state = PinnedState(ifname);
  auto ifindex = IfIndex(ifname);
  if (!ifindex) {
    if (state) RemovePins(ifname);
    return sipedge::unexpected(ifindex.error());
  }
  if (!state) return sipedge::unexpected("nothing attached on " + ifname);
  if (state->backend == SIPEDGE_BACKEND_NONE) {
    // Detached earlier with --keep-maps: a plain detach now removes the kept maps.
    if (keep_maps) return sipedge::unexpected("nothing attached on " + ifname + " (maps kept)");
    return RemovePins(ifname);
  }

  Fd link(bpf_obj_get(PinPath(ifname, "link").c_str()));
  if (link.get() >= 0) {
    if (bpf_link_detach(link.get()) != 0 && errno != ENOLINK)
      return sipedge::unexpected(ErrnoMessage("cannot detach bpf_link", errno));
  } else if (state->backend == SIPEDGE_BACKEND_DISPATCHER) {
    std::unique_ptr<xdp_multiprog, MultiprogCloser> mp(xdp_multiprog__get_from_ifindex(*ifindex));
    if (libxdp_get_error(mp.get())) {
      mp.release();
    } else if (xdp_program* p = FindInDispatcher(mp.get(), state->prog_id)) {
      if (int rc = xdp_program__detach(p, *ifindex, xdp_multiprog__attach_mode(mp.get()), 0);
          rc != 0)
        return sipedge::unexpected(ErrnoMessage("cannot detach from dispatcher", rc));
    }
  }

  if (keep_maps) {
    unlink(PinPath(ifname, "link").c_str());
    sipedge_state detached = *state;
    detached.backend = SIPEDGE_BACKEND_NONE;
    detached.mode = SIPEDGE_MODE_NONE;
    detached.prog_id = 0;
    auto maps = PinnedMaps::Open(ifname);
    if (!maps) return sipedge::unexpected(maps.error());
    return WriteState(maps->maps(), detached);
  }
  return RemovePins(ifname);
}

}  // namespace sipedge::xdp
