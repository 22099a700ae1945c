// Memory in use by a server under test: proportional set size (Pss) summed over a process
// and its descendants, so a multi-process server (Kamailio's shared memory mapped by every
// child) is counted once, the same way as a multi-threaded one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace sipedge::bench {

struct ProcessMemory {
  uint64_t pss_kib = 0;  // Pss from /proc/PID/smaps_rollup, summed
  uint64_t rss_kib = 0;  // Rss from the same file, summed (counts shared pages once per process)
};

// Memory of the given processes; those that have exited count zero.
ProcessMemory process_memory(const std::vector<pid_t>& pids);

}  // namespace sipedge::bench
