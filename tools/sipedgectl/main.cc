// sipedgectl: attach/detach the sipedge XDP classifier and inspect or edit its pinned maps.
// Exit codes: 0 done, 1 a fault (one line naming it), 2 bad usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "help_text.h"
#include "sipedge/bpf_abi.h"

namespace {

using sipedgectl::Options;

constexpr const char* kDescription =
    "sipedgectl - control and watch the sipedge XDP classifier\n\n"
    "sipedgectl attaches the sipedge XDP program (sipedge_xdp) to a network interface, detaches\n"
    "it, and reads or edits its maps, which are pinned under /sys/fs/bpf/sipedge/IFNAME/ so that\n"
    "they outlive the sipedge daemon and the tool: the per-class and per-drop-reason counters,\n"
    "the source policy (deny, allow, tls-only prefixes), the SIP port table, the per-source\n"
    "rate limits and the per-class CPU steering. Every command names its interface with\n"
    "--iface. Run it as root (CAP_BPF and CAP_NET_ADMIN).\n";

constexpr const char* kFooter =
    "Top:\n"
    "  sipedgectl top draws one screen per --interval with packets/s and bits/s per class,\n"
    "  drops/s per reason and the sources being rate-limited (busiest first, with their drops/s).\n"
    "  On a terminal it uses the alternate screen and redraws in place with plain ANSI codes,\n"
    "  fits the terminal's width and height, and quits on q or Ctrl-C, restoring the terminal.\n"
    "  Piped, or with --once, it prints plain frames for scripts.\n"
    "\n"
    "Exit status:\n"
    "  0 done; 1 a fault (no such interface, not root, BPF unavailable, nothing attached,\n"
    "  a bad prefix, port or limit), printed as one line 'sipedgectl: PROBLEM' on stderr;\n"
    "  2 bad usage.\n"
    "\n"
    "Files:\n"
    "  /sys/fs/bpf/sipedge/IFNAME/\n"
    "      the pinned link and maps of one interface (stats, ports, policy4, policy6, config,\n"
    "      buckets, buckets6, steer, cpumap, state, newsrc, policy4b, policy6b);\n"
    "      'bpftool map dump pinned /sys/fs/bpf/sipedge/IFNAME/stats' prints the counters\n"
    "      per CPU with field names.\n"
    "\n"
    "Examples:\n"
    "  sipedgectl attach --iface eth0\n"
    "  sipedgectl ratelimit set --iface eth0 --pps 50 --burst 100 --syn-pps 10 --syn-burst 20\n"
    "  sipedgectl policy add --iface eth0 198.51.100.0/24 deny\n"
    "  sipedgectl policy add --iface eth0 192.0.2.10 allow --exempt\n"
    "  sipedgectl top --iface eth0\n"
    "  sipedgectl top --iface eth0 --once --interval 5\n"
    "  sipedgectl stats --iface eth0 --json | jq .drops\n"
    "\n"
    "See also:\n"
    "  sipedge(8), sipedge.toml(5), bpftool(8), xdp-loader(8)\n";

CLI::App* Command(CLI::App& parent, const char* name, const char* help, Options& o,
                  std::function<int(const Options&)> run, std::function<int(const Options&)>& out) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("--iface", o.iface, "network interface")->required()->type_name("IF");
  cmd->callback([&out, run] { out = run; });
  return cmd;
}

void JsonFlag(CLI::App* cmd, Options& o) { cmd->add_flag("--json", o.json, "print JSON"); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "sipedgectl"};
  app.formatter(std::make_shared<sipedgectl::ManFormatter>());
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sipedgectl ") + SIPEDGE_VERSION + " (map ABI " +
                                        std::to_string(SIPEDGE_ABI_VERSION) + ")");
  Options o;
  std::function<int(const Options&)> run;

  auto* attach =
      Command(app, "attach",
              "Attach sipedge_xdp: native mode, falling back to generic; attaching again "
              "replaces the program atomically and keeps the maps.",
              o, sipedgectl::Attach, run);
  attach->add_option("--mode", o.mode, "force native or generic mode")
      ->check(CLI::IsMember({"native", "generic"}).description(""))
      ->type_name("native|generic");
  auto* detach =
      Command(app, "detach", "Detach sipedge_xdp and remove its pins.", o, sipedgectl::Detach, run);
  detach->add_flag("--keep-maps", o.keep_maps, "keep the pinned maps (counters, policy)");
  auto* stats = Command(app, "stats",
                        "Counters per class and per drop reason, summed over CPUs (also after "
                        "detach --keep-maps).",
                        o, sipedgectl::Stats, run);
  JsonFlag(stats, o);
  auto* status = Command(app, "status",
                         "Where and how sipedge_xdp is attached: program id and tag, maps, policy "
                         "and limits.",
                         o, sipedgectl::Status, run);
  JsonFlag(status, o);
  auto* top = Command(app, "top",
                      "Live view of the counters: packets/s per class, drops/s per reason, the "
                      "sources being rate-limited; q or Ctrl-C quits.",
                      o, sipedgectl::Top, run);
  top->add_option("--interval", o.interval_s, "seconds between screens (default 1)")
      ->type_name("S");
  top->add_option("--iterations", o.iterations, "stop after N screens (default 0: until q)")
      ->type_name("N");
  top->add_flag("--once", o.once,
                "print one plain screen (rates over one interval) and exit, for scripts");
  top->add_option("--window", o.window_s,
                  "also list sources refused within this many seconds (default 10)")
      ->type_name("S");

  auto* policy = app.add_subcommand("policy", "source policy (deny, allow, tls-only)");
  policy->require_subcommand(1);
  auto* padd = Command(*policy, "add",
                       "Add or replace a prefix; its hit counter is kept. Warns when host bits "
                       "are masked off.",
                       o, sipedgectl::PolicyAdd, run);
  padd->add_option("prefix", o.prefix, "IPv4 or IPv6 prefix (a bare address is a host)")
      ->required()
      ->type_name("PREFIX");
  padd->add_option("action", o.action,
                   "deny: drop all SIP from it; allow: plaintext allowed; tls-only: drop its "
                   "plaintext SIP")
      ->required()
      ->type_name("deny|allow|tls-only");
  padd->add_flag("--exempt", o.exempt, "exempt the prefix from rate limits");
  auto* pdel = Command(*policy, "del", "Remove a prefix.", o, sipedgectl::PolicyDel, run);
  pdel->add_option("prefix", o.prefix, "IPv4 or IPv6 prefix")->required()->type_name("PREFIX");
  pdel->add_option("action", o.action, "ignored (accepted for symmetry with add)")
      ->type_name("ACTION");
  auto* plist = Command(*policy, "list", "List prefixes with their hit counts, and the default.", o,
                        sipedgectl::PolicyList, run);
  JsonFlag(plist, o);
  auto* pload = Command(*policy, "load",
                        "Replace the whole policy with a file's entries, atomically (every "
                        "packet sees the old policy or the new one, complete).",
                        o, sipedgectl::PolicyLoad, run);
  pload
      ->add_option("file", o.file,
                   "lines 'PREFIX deny|allow|tls-only [exempt]', # comments; - for stdin")
      ->required()
      ->type_name("FILE");
  pload->add_flag("--dry-run", o.dry_run, "check the file, load nothing");
  auto* pdef = Command(*policy, "default", "Set the policy for unlisted sources.", o,
                       sipedgectl::PolicyDefault, run);
  pdef->add_option("action", o.action, "plaintext SIP allowed or not")
      ->required()
      ->type_name("allow|tls-only");

  auto* ports = app.add_subcommand("ports", "which ports carry SIP, and how");
  ports->require_subcommand(1);
  auto* pset = Command(*ports, "set", "Set a port's class.", o, sipedgectl::PortsSet, run);
  pset->add_option("proto", o.proto, "transport protocol")->required()->type_name("udp|tcp|sctp");
  pset->add_option("port", o.port, "1-65535")->required()->type_name("PORT");
  pset->add_option("kind", o.kind, "what the port carries (tls, ws, wss: TCP only)")
      ->required()
      ->type_name("sip|tls|ws|wss");
  auto* pdelp = Command(*ports, "del", "Make a port non-SIP.", o, sipedgectl::PortsDel, run);
  pdelp->add_option("proto", o.proto, "transport protocol")->required()->type_name("udp|tcp|sctp");
  pdelp->add_option("port", o.port, "1-65535")->required()->type_name("PORT");
  pdelp->add_option("kind", o.kind, "ignored (accepted for symmetry with set)")->type_name("KIND");
  auto* plistp = Command(*ports, "list", "List the SIP ports.", o, sipedgectl::PortsList, run);
  JsonFlag(plistp, o);

  auto* rl = app.add_subcommand("ratelimit", "per-source token buckets");
  rl->require_subcommand(1);
  auto* rset = Command(*rl, "set",
                       "Change the per-source limits (GCRA per IPv4 address or IPv6 /64); only "
                       "the values named change; 0 pps turns a limit off.",
                       o, sipedgectl::RateLimitSet, run);
  rset->add_option("--pps", o.pps, "SIP datagrams per second per source")->type_name("N");
  rset->add_option("--burst", o.burst, "bucket depth in datagrams")->type_name("N");
  rset->add_option("--syn-pps", o.syn_pps, "TCP SYNs to SIP ports per second per source")
      ->type_name("N");
  rset->add_option("--syn-burst", o.syn_burst, "bucket depth in SYNs")->type_name("N");
  rset->add_option("--new-pps", o.new_pps, "new sources per second per CPU (0: unbounded)")
      ->type_name("N");
  rset->add_option("--new-burst", o.new_burst, "burst of new sources per CPU")->type_name("N");
  auto* rshow = Command(*rl, "show", "Print the limits.", o, sipedgectl::RateLimitShow, run);
  JsonFlag(rshow, o);
  auto* rlim = Command(*rl, "limited", "List the sources being rate-limited now.", o,
                       sipedgectl::RateLimitLimited, run);
  rlim->add_option("--window", o.window_s,
                   "also list sources refused within this many seconds (default 10)")
      ->type_name("S");
  JsonFlag(rlim, o);

  auto* steer = app.add_subcommand("steer", "per-class steering to CPUs (CPUMAP)");
  steer->require_subcommand(1);
  auto* sset = Command(*steer, "set", "Pass a class up the stack, or redirect it to a CPU.", o,
                       sipedgectl::SteerSet, run);
  sset->add_option("class", o.cls,
                   "sip_udp, sip_tcp, sip_tls, sip_sctp, sip_ws, sip_wss or keepalive")
      ->required()
      ->type_name("CLASS");
  sset->add_option("target", o.target, "pass, or the CPU number to redirect to")
      ->required()
      ->type_name("pass|CPU");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!run) return 2;
  if (geteuid() != 0) return sipedgectl::Fail("must run as root (needs CAP_BPF and CAP_NET_ADMIN)");
  return run(o);
}
