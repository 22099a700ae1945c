// Canned DNS for resolver unit tests: answers from a table, either at once or held until
// flush() so a test can see which queries a resolution sends together (one "wave").
#pragma once

#include <arpa/inet.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "resolve/dns_source.h"

namespace sipedge::resolve::testing {

inline IpAddress ip(const char* text) {
  IpAddress a;
  a.family = std::string(text).find(':') == std::string::npos ? 4 : 6;
  inet_pton(a.family == 6 ? AF_INET6 : AF_INET, text, a.bytes.data());
  return a;
}

inline DnsAnswer addresses(std::vector<const char*> list, uint32_t ttl = 300) {
  DnsAnswer a;
  a.status = DnsStatus::kNoError;
  a.ttl = ttl;
  a.has_ttl = true;
  for (const char* t : list) a.addresses.push_back(ip(t));
  return a;
}

inline DnsAnswer srv(std::vector<SrvRecord> records, uint32_t ttl = 300) {
  DnsAnswer a;
  a.status = DnsStatus::kNoError;
  a.ttl = ttl;
  a.has_ttl = true;
  a.srv = std::move(records);
  return a;
}

inline NaptrRecord naptr_rec(uint16_t order, uint16_t pref, const char* flags, const char* service,
                             const char* replacement) {
  return NaptrRecord{order, pref, flags, service, "", replacement};
}

inline DnsAnswer naptr(std::vector<NaptrRecord> records) {
  DnsAnswer a;
  a.status = DnsStatus::kNoError;
  a.ttl = 300;
  a.has_ttl = true;
  a.naptr = std::move(records);
  return a;
}

inline DnsAnswer status_only(DnsStatus s) {
  DnsAnswer a;
  a.status = s;
  return a;
}

class FakeDnsSource : public DnsSource {
 public:
  struct Asked {
    std::string name;
    RrType type;
    int wave;
  };

  // Answers (name, type) with `answer`; anything not set is NXDOMAIN.
  void set(const std::string& name, RrType type, DnsAnswer answer) {
    table_[{name, type}] = std::move(answer);
  }

  // When deferred, lookups wait for flush(); otherwise they answer before returning.
  void set_deferred(bool deferred) { deferred_ = deferred; }

  void lookup(const std::string& name, RrType type, Callback done) override {
    asked_.push_back(Asked{name, type, wave_});
    if (deferred_) {
      pending_.emplace_back(std::make_pair(name, type), std::move(done));
    } else {
      answer(name, type, done);
    }
  }

  // Answers every held lookup (which may send the next wave); returns how many.
  size_t flush() {
    auto batch = std::move(pending_);
    pending_.clear();
    ++wave_;
    for (auto& [key, done] : batch) answer(key.first, key.second, done);
    return batch.size();
  }

  size_t pending() const { return pending_.size(); }

  // Timers the resolver asks for (its deadline); they run only when fire_timers() says.
  TimerId schedule(int64_t /*delay_ms*/, std::function<void()> fn) override {
    timers_.emplace_back(next_timer_, std::move(fn));
    ++scheduled_;
    return next_timer_++;
  }
  void cancel(TimerId id) override {
    std::erase_if(timers_, [id](const auto& t) { return t.first == id; });
  }
  // Runs every timer not cancelled; returns how many ran.
  size_t fire_timers() {
    auto due = std::move(timers_);
    timers_.clear();
    for (auto& t : due) t.second();
    return due.size();
  }
  size_t timers() const { return timers_.size(); }
  size_t scheduled() const { return scheduled_; }  // timers ever asked for
  const std::vector<Asked>& asked() const { return asked_; }
  bool was_asked(const std::string& name, RrType type) const {
    for (const Asked& a : asked_) {
      if (a.name == name && a.type == type) return true;
    }
    return false;
  }

 private:
  void answer(const std::string& name, RrType type, const Callback& done) {
    auto it = table_.find({name, type});
    const DnsAnswer a = it != table_.end() ? it->second : status_only(DnsStatus::kNxDomain);
    done(a, {DnsStep{name, type, a.status, static_cast<uint32_t>(a.record_count()), false, false}},
         true);
  }

  std::map<std::pair<std::string, RrType>, DnsAnswer> table_;
  std::vector<Asked> asked_;
  std::vector<std::pair<std::pair<std::string, RrType>, Callback>> pending_;
  bool deferred_ = false;
  int wave_ = 0;
  std::vector<std::pair<TimerId, std::function<void()>>> timers_;
  TimerId next_timer_ = 1;
  size_t scheduled_ = 0;
};

}  // namespace sipedge::resolve::testing
