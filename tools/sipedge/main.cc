// sipedge: the SIP edge daemon. `sipedge --listen udp:127.0.0.1:5060 --dns 127.0.0.1:53` is
// a working stateless proxy; `--config FILE` reads the TOML configuration (flags win).
// Exit: 0 after SIGTERM/SIGINT (drained), 2 for a bad configuration or flag, 1 when
// something could not start (bind, io_uring, XDP).
#include <sstream>

#include "config/daemon_config.h"
#include "log/log.h"
#include "router/daemon.h"

#ifndef SIPEDGE_VERSION
#define SIPEDGE_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace sipedge;
  config::CommandLine cl = config::parse_command_line(argc, argv, SIPEDGE_VERSION);
  if (cl.exit_code >= 0) return cl.exit_code;

  // SIGHUP re-reads the file and applies the same command-line overrides again.
  std::vector<std::string> args(argv, argv + argc);
  auto reload = [args]() -> Expected<config::DaemonConfig, std::string> {
    std::vector<char*> av;
    for (const std::string& a : args) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    std::ostringstream out, err;
    config::CommandLine again = config::parse_command_line(static_cast<int>(args.size()), av.data(),
                                                           SIPEDGE_VERSION, out, err);
    if (again.exit_code >= 0) {
      std::string e = err.str();
      while (!e.empty() && (e.back() == '\n' || e.back() == '\r')) e.pop_back();
      if (e.rfind("sipedge: ", 0) == 0) e.erase(0, 9);
      return unexpected(e.empty() ? std::string("configuration refused") : e);
    }
    return again.config;
  };

  router::Daemon::block_signals();
  auto daemon = router::Daemon::start(cl.config, reload);
  if (!daemon) {
    LOG_ERROR("cannot start: %s", daemon.error().c_str());
    return 1;
  }
  return (*daemon)->run();
}
