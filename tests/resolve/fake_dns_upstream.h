// A DnsUpstream for CachingDnsSource tests: answers with `next`, at once or (deferred) when
// answer_all() says; timers run when fire_timers() says, so tests control "1.8 s passed"
// without waiting. One per worker (thread); not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fake_dns_source.h"
#include "resolve/dns_upstream.h"

namespace sipedge::resolve::testing {

class FakeUpstream : public DnsUpstream {
 public:
  struct Timer {
    TimerId id;
    int64_t delay_ms;
    std::function<void()> fn;
  };

  void query(const std::string& name, RrType type, Callback done) override {
    ++queries;
    if (deferred) {
      held.emplace_back(name, type, std::move(done));
      return;
    }
    answer(name, type, done);
  }
  TimerId schedule(int64_t delay_ms, std::function<void()> fn) override {
    timers.push_back(Timer{next_timer, delay_ms, std::move(fn)});
    last_delay_ms = delay_ms;
    return next_timer++;
  }
  void cancel(TimerId id) override {
    std::erase_if(timers, [id](const Timer& t) { return t.id == id; });
  }
  // Runs every timer scheduled with a delay of at most `max_delay_ms` ("that long passed").
  void fire_timers(int64_t max_delay_ms = INT64_MAX) {
    std::vector<Timer> due;
    std::erase_if(timers, [&](Timer& t) {
      if (t.delay_ms > max_delay_ms) return false;
      due.push_back(std::move(t));
      return true;
    });
    for (Timer& t : due) t.fn();
  }
  void answer_all() {
    auto batch = std::move(held);
    held.clear();
    for (auto& [name, type, done] : batch) answer(name, type, done);
  }
  void answer(const std::string& name, RrType type, const Callback& done) {
    Reply reply;
    reply.answer = answer_for ? answer_for(name) : next;
    reply.steps.push_back(DnsStep{name, type, reply.answer.status,
                                  static_cast<uint32_t>(reply.answer.record_count()), false,
                                  false});
    done(std::move(reply));
  }
  DnsAnswer next = status_only(DnsStatus::kTimeout);
  std::function<DnsAnswer(const std::string& name)> answer_for;  // when set, instead of next
  int queries = 0;
  bool deferred = false;
  std::vector<std::tuple<std::string, RrType, Callback>> held;
  std::vector<Timer> timers;
  TimerId next_timer = 1;
  int64_t last_delay_ms = 0;
};

}  // namespace sipedge::resolve::testing
