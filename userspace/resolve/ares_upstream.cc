#include "resolve/ares_upstream.h"

#include <algorithm>
#include <limits>
#include <memory>

#include "resolve/dns_message.h"

namespace sipedge::resolve {

// The state of one lookup across its CNAME follow-ups.
struct AresUpstream::Chase {
  std::string original;
  std::string current;
  RrType type;
  int links = 0;
  uint32_t chain_ttl = std::numeric_limits<uint32_t>::max();
  Reply reply;
  Callback done;
};

void AresUpstream::query(const std::string& name, RrType type, Callback done) {
  auto chase = std::make_shared<Chase>();
  chase->original = name;
  chase->current = name;
  chase->type = type;
  chase->done = std::move(done);
  send(std::move(chase));
}

void AresUpstream::send(std::shared_ptr<Chase> chase) {
  const std::string name = chase->current;
  driver_.query(name, chase->type, [this, chase](int status, const unsigned char* abuf, int alen) {
    ParsedResponse parsed = parse_dns_response(status, abuf, alen, chase->current, chase->type);
    DnsStep step;
    step.name = chase->current;
    step.type = chase->type;
    step.status = parsed.answer.status;
    step.answers = static_cast<uint32_t>(parsed.answer.record_count());
    chase->reply.steps.push_back(step);
    for (const std::string& link : parsed.cname_links) {
      chase->reply.steps.push_back(
          DnsStep{link, RrType::kCname, DnsStatus::kNoError, 1, false, false});
    }
    chase->links += static_cast<int>(parsed.cname_links.size());
    if (!parsed.follow_cname.empty()) {
      chase->chain_ttl = std::min(chase->chain_ttl, parsed.answer.ttl);
      if (chase->links >= kMaxCnameDepth) {
        parsed.answer = DnsAnswer{};
        parsed.answer.status = DnsStatus::kServFail;  // chain too long
      } else {
        chase->current = parsed.follow_cname;
        return send(chase);
      }
    }
    DnsAnswer& answer = parsed.answer;
    if (answer.has_ttl) answer.ttl = std::min(answer.ttl, chase->chain_ttl);
    chase->reply.answer = std::move(answer);
    chase->done(std::move(chase->reply));
  });
}

}  // namespace sipedge::resolve
