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
  uint32_t pps = 0, burst = 0;           // ratelimit
  int64_t syn_pps = -1, syn_burst = -1;  // ratelimit (-1: keep)
  std::string cls, target;               // steer
};

int Attach(const Options& o);
int Detach(const Options& o);
int Stats(const Options& o);
int PolicyAdd(const Options& o);
int PolicyDel(const Options& o);
int PolicyList(const Options& o);
int PolicyDefault(const Options& o);
int PortsSet(const Options& o);
int PortsDel(const Options& o);
int PortsList(const Options& o);
int RateLimitSet(const Options& o);
int RateLimitShow(const Options& o);
int SteerSet(const Options& o);

// Prints "sipedgectl: <message>" to stderr and returns 1.
int Fail(const std::string& message);

}  // namespace sipedgectl
