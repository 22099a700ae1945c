// sipedgectl's commands. Each returns the process exit code: 0 done, 1 a fault (already
// printed as one line "sipedgectl: <problem>"). Usage errors (2) are CLI11's, in main.cc.
#pragma once

#include <cstdint>
#include <string>

namespace sipedgectl {

struct Options {
  std::string iface;
  std::string mode;  // attach: "", "native", "generic"
  bool json = false;
  bool keep_maps = false;
  std::string prefix, action;            // policy
  bool exempt = false;                   // policy add: exempt from rate limits
  std::string proto, port, kind;         // ports
  int64_t pps = -1, burst = -1;          // ratelimit (-1: keep)
  int64_t syn_pps = -1, syn_burst = -1;  // ratelimit (-1: keep)
  int64_t new_pps = -1, new_burst = -1;  // ratelimit: new-source budget (-1: keep)
  std::string file;                      // policy load
  bool dry_run = false;                  // policy load: check only
  double window_s = 10;                  // ratelimit limited, top
  double interval_s = 1;                 // top: seconds between screens
  int iterations = 0;                    // top: screens to show (0: until q)
  bool once = false;                     // top: one plain screen
  std::string cls, target;               // steer
};

int Attach(const Options& o);
int Detach(const Options& o);
int Stats(const Options& o);
int PolicyAdd(const Options& o);
int PolicyDel(const Options& o);
int PolicyList(const Options& o);
int PolicyLoad(const Options& o);
int Status(const Options& o);
int RateLimitLimited(const Options& o);
int PolicyDefault(const Options& o);
int PortsSet(const Options& o);
int PortsDel(const Options& o);
int PortsList(const Options& o);
int RateLimitSet(const Options& o);
int RateLimitShow(const Options& o);
int SteerSet(const Options& o);
int Top(const Options& o);

// Prints "sipedgectl: <message>" to stderr and returns 1.
int Fail(const std::string& message);

}  // namespace sipedgectl
