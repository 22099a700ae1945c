// DnsUpstream over one AresDriver: sends the query, parses and checks the answer, and
// asks again for a CNAME target that lives outside the answering server's data.
#pragma once

#include "resolve/ares_driver.h"
#include "resolve/dns_upstream.h"

namespace sipedge::resolve {

class AresUpstream : public DnsUpstream {
 public:
  explicit AresUpstream(AresDriver& driver) : driver_(driver) {}

  // See DnsUpstream::query. CNAME follow-ups count toward kMaxCnameDepth links in total.
  void query(const std::string& name, RrType type, Callback done) override;
  // The driver's timers (see AresDriver::schedule).
  TimerId schedule(int64_t delay_ms, std::function<void()> fn) override {
    return driver_.schedule(delay_ms, std::move(fn));
  }
  void cancel(TimerId id) override { driver_.cancel(id); }

 private:
  struct Chase;
  void send(std::shared_ptr<Chase> chase);

  AresDriver& driver_;
};

}  // namespace sipedge::resolve
