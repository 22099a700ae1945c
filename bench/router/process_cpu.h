// CPU time of a forwarder under load: utime + stime of a process and all its descendants
// (every thread of each), read from /proc, so multi-process Kamailio and multi-threaded
// sipedge are charged the same way.
#pragma once

#include <sys/types.h>

#include <vector>

namespace sipedge::bench {

// The process root and every live descendant of it (a /proc scan); empty if root is gone.
std::vector<pid_t> process_tree(pid_t root);

// Sum of utime + stime, in seconds, over the given processes (all threads of each);
// processes that have exited count zero.
double cpu_seconds(const std::vector<pid_t>& pids);

}  // namespace sipedge::bench
