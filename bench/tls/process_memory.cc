#include "process_memory.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace sipedge::bench {

ProcessMemory process_memory(const std::vector<pid_t>& pids) {
  ProcessMemory total;
  for (pid_t pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);) {
      // "Pss:     1234 kB"
      uint64_t* field = line.starts_with("Pss:")   ? &total.pss_kib
                        : line.starts_with("Rss:") ? &total.rss_kib
                                                   : nullptr;
      if (field) *field += std::strtoull(line.c_str() + 4, nullptr, 10);
    }
  }
  return total;
}

}  // namespace sipedge::bench
