#include "router/xdp_attachment.h"

#include <set>

#include "log/log.h"
#include "xdp/loader.h"
#include "xdp/maps.h"
#include "xdp/pins.h"
#include "xdp/prefix.h"

namespace sipedge::router {

Expected<std::unique_ptr<XdpAttachment>, std::string> XdpAttachment::attach(
    const config::DaemonConfig& config) {
  const std::string& iface = config.xdp.iface;
  xdp::AttachMode mode = config.xdp.mode == "native"    ? xdp::AttachMode::kNative
                         : config.xdp.mode == "generic" ? xdp::AttachMode::kGeneric
                                                        : xdp::AttachMode::kAuto;
  auto r = xdp::Attach(iface, mode);
  if (!r) return unexpected("xdp: attach to " + iface + ": " + r.error());
  std::unique_ptr<XdpAttachment> a(new XdpAttachment());
  a->iface_ = iface;
  a->keep_pinned_ = config.xdp.keep_pinned_on_exit;
  LOG_INFO("xdp: classifier attached to %s (prog id %u, %s, %s maps)", iface.c_str(), r->prog_id,
           r->mode == 1 ? "native" : "generic", r->fresh_maps ? "new" : "reused pinned");
  auto ok = a->apply(config);
  if (!ok) return unexpected(ok.error());
  return a;
}

Expected<bool, std::string> XdpAttachment::apply(const config::DaemonConfig& config) {
  auto pinned = xdp::PinnedMaps::Open(iface_);
  if (!pinned) return unexpected("xdp: " + pinned.error());
  const xdp::MapSet& maps = pinned->maps();
  for (const config::ListenerConfig& l : config.listeners) {
    bool udp = l.transport == resolve::Transport::kUdp;
    // A TLS port is its own class: TLS-only networks may reach it (R9), plaintext SIP ports
    // they may not.
    int cls = udp                                       ? SIPEDGE_CLASS_SIP_UDP
              : l.transport == resolve::Transport::kTls ? SIPEDGE_CLASS_SIP_TLS
                                                        : SIPEDGE_CLASS_SIP_TCP;
    auto s = xdp::SetPort(maps, udp ? SIPEDGE_L4_UDP : SIPEDGE_L4_TCP, l.endpoint.port, cls);
    if (!s) return unexpected("xdp: port " + std::to_string(l.endpoint.port) + ": " + s.error());
  }
  // The tries hold exactly the configured deny and tls-only networks.
  std::set<std::string> wanted;
  auto add = [&](const std::vector<std::string>& cidrs,
                 unsigned action) -> Expected<bool, std::string> {
    for (const std::string& c : cidrs) {
      auto p = xdp::ParsePrefix(c);
      if (!p) return unexpected("xdp: " + p.error());
      auto s = xdp::PolicyAdd(maps, *p, action);
      if (!s) return unexpected("xdp: policy " + c + ": " + s.error());
      wanted.insert(p->family == 4 ? xdp::FormatPrefix(p->v4) : xdp::FormatPrefix(p->v6));
    }
    return true;
  };
  if (auto s = add(config.policy.deny_networks, SIPEDGE_POLICY_DENY); !s) return s;
  if (auto s = add(config.policy.tls_only_networks, SIPEDGE_POLICY_TLS_ONLY); !s) return s;
  if (auto listed = xdp::PolicyList(maps)) {
    for (const xdp::PolicyEntry& e : *listed) {
      if (wanted.count(e.prefix)) continue;
      if (auto p = xdp::ParsePrefix(e.prefix)) xdp::PolicyDel(maps, *p);
    }
  }
  auto rl = xdp::SetRateLimit(maps, config.xdp.rate_pps, config.xdp.rate_burst, config.xdp.syn_pps,
                              config.xdp.syn_burst);
  if (!rl) return unexpected("xdp: rate limit: " + rl.error());
  return true;
}

XdpAttachment::~XdpAttachment() {
  if (keep_pinned_) {
    LOG_INFO("xdp: classifier left attached to %s (pinned under /sys/fs/bpf/sipedge/%s)",
             iface_.c_str(), iface_.c_str());
    return;
  }
  auto s = xdp::Detach(iface_, false);
  if (!s)
    LOG_WARN("xdp: detach from %s: %s", iface_.c_str(), s.error().c_str());
  else
    LOG_INFO("xdp: classifier detached from %s", iface_.c_str());
}

}  // namespace sipedge::router
