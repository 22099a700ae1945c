#include "resolve/srv_ordering.h"

#include <algorithm>
#include <cstdint>

namespace sipedge::resolve {

bool srv_service_unavailable(const std::vector<SrvRecord>& records) {
  return records.size() == 1 && records.front().target == ".";
}

namespace {

// Orders one priority group in place per RFC 2782 §"Usage rules".
void order_priority_group(std::vector<SrvRecord>* group, std::mt19937_64& rng) {
  // "Arrange all SRV RRs in any order, except that all those with weight 0 are placed at
  // the beginning": shuffle first so equal candidates get no positional bias.
  std::shuffle(group->begin(), group->end(), rng);
  std::stable_partition(group->begin(), group->end(),
                        [](const SrvRecord& r) { return r.weight == 0; });
  std::vector<SrvRecord> ordered;
  ordered.reserve(group->size());
  while (!group->empty()) {
    uint64_t sum = 0;
    for (const SrvRecord& r : *group) sum += r.weight;
    std::uniform_int_distribution<uint64_t> pick(0, sum);
    const uint64_t draw = pick(rng);
    uint64_t running = 0;
    size_t chosen = 0;
    for (size_t i = 0; i < group->size(); ++i) {
      running += (*group)[i].weight;
      if (running >= draw) {
        chosen = i;
        break;
      }
    }
    ordered.push_back(std::move((*group)[chosen]));
    group->erase(group->begin() + static_cast<std::ptrdiff_t>(chosen));
  }
  *group = std::move(ordered);
}

}  // namespace

std::vector<SrvRecord> order_srv_records(const std::vector<SrvRecord>& records,
                                         std::mt19937_64& rng) {
  std::vector<SrvRecord> usable;
  usable.reserve(records.size());
  for (const SrvRecord& r : records) {
    if (r.target != "." && !r.target.empty()) usable.push_back(r);
  }
  std::stable_sort(usable.begin(), usable.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  out.reserve(usable.size());
  size_t i = 0;
  while (i < usable.size()) {
    size_t j = i;
    while (j < usable.size() && usable[j].priority == usable[i].priority) ++j;
    std::vector<SrvRecord> group(usable.begin() + static_cast<std::ptrdiff_t>(i),
                                 usable.begin() + static_cast<std::ptrdiff_t>(j));
    order_priority_group(&group, rng);
    for (SrvRecord& r : group) out.push_back(std::move(r));
    i = j;
  }
  return out;
}

}  // namespace sipedge::resolve
