#include "process_cpu.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sipedge::bench {
namespace {

// Fields after the ")" that closes the command name (which may hold spaces) of /proc/PID/stat.
bool read_stat_fields(pid_t pid, std::vector<std::string>* fields) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 1));
  fields->clear();
  for (std::string f; rest >> f;) fields->push_back(f);
  return true;
}

// After ")": [0]=state [1]=ppid ... [11]=utime [12]=stime (fields 14 and 15 of proc(5)).
constexpr size_t kPpid = 1;
constexpr size_t kUtime = 11;
constexpr size_t kStime = 12;

}  // namespace

std::vector<pid_t> process_tree(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return {};
  std::vector<std::string> fields;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    if (read_stat_fields(static_cast<pid_t>(pid), &fields) && fields.size() > kPpid) {
      children.emplace(static_cast<pid_t>(std::atol(fields[kPpid].c_str())),
                       static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  std::vector<pid_t> tree;
  if (!read_stat_fields(root, &fields)) return tree;
  tree.push_back(root);
  for (size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

double cpu_seconds(const std::vector<pid_t>& pids) {
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::vector<std::string> fields;
  unsigned long long ticks = 0;
  for (pid_t pid : pids) {
    // /proc/PID/stat of a thread-group leader already sums all of its threads.
    if (!read_stat_fields(pid, &fields) || fields.size() <= kStime) continue;
    ticks += std::strtoull(fields[kUtime].c_str(), nullptr, 10) +
             std::strtoull(fields[kStime].c_str(), nullptr, 10);
  }
  return static_cast<double>(ticks) / ticks_per_second;
}

}  // namespace sipedge::bench
