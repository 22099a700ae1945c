// The XDP classifier as the daemon runs it: attached to the configured interface through
// userspace/xdp, its port map filled from the listeners, its deny and tls-only tries from
// the policy (R9: plaintext SIP from tls-only networks dropped before userspace), and
// detached or left pinned on exit as the config says.
#pragma once

#include <memory>
#include <string>

#include "config/daemon_config.h"
#include "sipedge/expected.h"

namespace sipedge::router {

class XdpAttachment {
 public:
  // Attaches (or atomically replaces) the program on config.xdp.iface and applies the config.
  static Expected<std::unique_ptr<XdpAttachment>, std::string> attach(
      const config::DaemonConfig& config);
  // Re-applies ports, policy prefixes and rate limits (SIGHUP); prefixes no longer
  // configured are removed.
  Expected<bool, std::string> apply(const config::DaemonConfig& config);
  // Detaches unless keep_pinned_on_exit; then the data plane keeps running without us.
  ~XdpAttachment();
  XdpAttachment(const XdpAttachment&) = delete;
  XdpAttachment& operator=(const XdpAttachment&) = delete;

  const std::string& iface() const { return iface_; }

 private:
  XdpAttachment() = default;
  std::string iface_;
  bool keep_pinned_ = true;
};

}  // namespace sipedge::router
