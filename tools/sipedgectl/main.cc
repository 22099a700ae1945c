// sipedgectl: attach/detach the sipedge XDP classifier and inspect or edit its pinned maps.
// Exit codes: 0 done, 1 a fault (one line naming it), 2 bad usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>

#include "commands.h"
#include "sipedge/bpf_abi.h"

namespace {

using sipedgectl::Options;

CLI::App* Command(CLI::App& parent, const char* name, const char* help, Options& o,
                  std::function<int(const Options&)> run, std::function<int(const Options&)>& out) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("--iface", o.iface, "network interface")->required();
  cmd->callback([&out, run] { out = run; });
  return cmd;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sipedgectl: control the sipedge XDP classifier (maps pinned under "
      "/sys/fs/bpf/sipedge/<ifname>/)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sipedgectl ") + SIPEDGE_VERSION + " (map ABI " +
                                        std::to_string(SIPEDGE_ABI_VERSION) + ")");
  Options o;
  std::function<int(const Options&)> run;

  auto* attach = Command(app, "attach", "attach sipedge_xdp (native, falling back to generic)", o,
                         sipedgectl::Attach, run);
  attach->add_option("--mode", o.mode, "force native or generic mode")
      ->check(CLI::IsMember({"native", "generic"}));
  auto* detach =
      Command(app, "detach", "detach sipedge_xdp and remove its pins", o, sipedgectl::Detach, run);
  detach->add_flag("--keep-maps", o.keep_maps, "keep the pinned maps (counters, policy)");
  auto* stats = Command(app, "stats", "counters per class and drop reason, summed over CPUs", o,
                        sipedgectl::Stats, run);
  stats->add_flag("--json", o.json, "print JSON");
  auto* status =
      Command(app, "status", "where and how sipedge_xdp is attached: program, maps, policy, limits",
              o, sipedgectl::Status, run);
  status->add_flag("--json", o.json, "print JSON");

  auto* policy = app.add_subcommand("policy", "source policy (deny, allow, tls-only)");
  policy->require_subcommand(1);
  auto* padd = Command(*policy, "add", "add or replace a prefix", o, sipedgectl::PolicyAdd, run);
  padd->add_option("prefix", o.prefix, "IPv4 or IPv6 prefix")->required();
  padd->add_option("action", o.action, "deny | allow | tls-only")->required();
  padd->add_flag("--exempt", o.exempt,
                 "exempt the prefix from rate limits (allow alone means plaintext allowed)");
  auto* pdel = Command(*policy, "del", "remove a prefix", o, sipedgectl::PolicyDel, run);
  pdel->add_option("prefix", o.prefix, "IPv4 or IPv6 prefix")->required();
  pdel->add_option("action", o.action, "ignored (accepted for symmetry with add)");
  auto* plist = Command(*policy, "list", "list prefixes (with hit counts) and the default", o,
                        sipedgectl::PolicyList, run);
  plist->add_flag("--json", o.json, "print JSON");
  auto* pload =
      Command(*policy, "load", "replace the whole policy with a file's entries, atomically", o,
              sipedgectl::PolicyLoad, run);
  pload->add_option("file", o.file, "lines 'PREFIX deny|allow|tls-only [exempt]'; - for stdin")
      ->required();
  pload->add_flag("--dry-run", o.dry_run, "check the file, load nothing");
  auto* pdef =
      Command(*policy, "default", "policy for unlisted sources", o, sipedgectl::PolicyDefault, run);
  pdef->add_option("action", o.action, "allow | tls-only")->required();

  auto* ports = app.add_subcommand("ports", "which ports carry SIP, and how");
  ports->require_subcommand(1);
  auto* pset = Command(*ports, "set", "set a port's class", o, sipedgectl::PortsSet, run);
  pset->add_option("proto", o.proto, "udp | tcp | sctp")->required();
  pset->add_option("port", o.port, "1-65535")->required();
  pset->add_option("kind", o.kind, "sip | tls | ws | wss")->required();
  auto* pdelp = Command(*ports, "del", "make a port non-SIP", o, sipedgectl::PortsDel, run);
  pdelp->add_option("proto", o.proto, "udp | tcp | sctp")->required();
  pdelp->add_option("port", o.port, "1-65535")->required();
  pdelp->add_option("kind", o.kind, "ignored (accepted for symmetry with set)");
  auto* plistp = Command(*ports, "list", "list SIP ports", o, sipedgectl::PortsList, run);
  plistp->add_flag("--json", o.json, "print JSON");

  auto* rl = app.add_subcommand("ratelimit", "per-source token buckets");
  rl->require_subcommand(1);
  auto* rset = Command(*rl, "set", "change limits (0 pps disables; unnamed limits are kept)", o,
                       sipedgectl::RateLimitSet, run);
  rset->add_option("--pps", o.pps, "SIP datagrams per second per source");
  rset->add_option("--burst", o.burst, "bucket depth in datagrams");
  rset->add_option("--syn-pps", o.syn_pps, "TCP SYNs to SIP ports per second per source");
  rset->add_option("--syn-burst", o.syn_burst, "bucket depth in SYNs");
  rset->add_option("--new-pps", o.new_pps, "new sources per second per CPU (0: unbounded)");
  rset->add_option("--new-burst", o.new_burst, "burst of new sources per CPU");
  auto* rshow = Command(*rl, "show", "print the limits", o, sipedgectl::RateLimitShow, run);
  rshow->add_flag("--json", o.json, "print JSON");
  auto* rlim = Command(*rl, "limited", "sources being rate-limited now", o,
                       sipedgectl::RateLimitLimited, run);
  rlim->add_option("--window", o.window_s,
                   "also list sources refused within this many seconds (default 10)");
  rlim->add_flag("--json", o.json, "print JSON");

  auto* steer = app.add_subcommand("steer", "per-class steering to CPUs (CPUMAP)");
  steer->require_subcommand(1);
  auto* sset = Command(*steer, "set", "pass a class up the stack, or redirect it to a CPU", o,
                       sipedgectl::SteerSet, run);
  sset->add_option("class", o.cls, "sip_udp | sip_tcp | sip_tls | ... | keepalive")->required();
  sset->add_option("target", o.target, "pass | CPU number")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!run) return 2;
  if (geteuid() != 0) return sipedgectl::Fail("must run as root (needs CAP_BPF and CAP_NET_ADMIN)");
  return run(o);
}
