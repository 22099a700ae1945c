#include "resolve/shared_query_table.h"

#include <algorithm>
#include <utility>

namespace sipedge::resolve {

struct SharedQueryTable::Participant::Member {
  std::function<void()> wake;
  std::vector<Outcome> mailbox;       // under the table's lock
  std::atomic<bool> has_mail{false};  // mailbox non-empty; read without the lock
};

SharedQueryTable::Participant::Participant(Participant&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)),
      member_(std::exchange(other.member_, nullptr)) {}

SharedQueryTable::Participant& SharedQueryTable::Participant::operator=(
    Participant&& other) noexcept {
  if (this != &other) {
    reset();
    table_ = std::exchange(other.table_, nullptr);
    member_ = std::exchange(other.member_, nullptr);
  }
  return *this;
}

void SharedQueryTable::Participant::reset() {
  if (table_ == nullptr) return;
  table_->leave(member_);
  table_ = nullptr;
  member_ = nullptr;
}

bool SharedQueryTable::Participant::claim(const std::string& key) {
  if (table_ == nullptr) return true;  // sharing with nobody
  std::lock_guard lock(table_->mu_);
  auto [it, inserted] = table_->entries_.try_emplace(key);
  Entry& e = it->second;
  if (inserted) {
    e.owner = member_;
    return true;
  }
  if (e.owner == member_) return true;
  if (std::find(e.waiters.begin(), e.waiters.end(), member_) == e.waiters.end())
    e.waiters.push_back(member_);
  return false;
}

bool SharedQueryTable::Participant::publish(const std::string& key,
                                            std::shared_ptr<const DnsUpstream::Reply> reply) {
  if (table_ == nullptr) return false;
  std::lock_guard lock(table_->mu_);
  return table_->publish_locked(*member_, key, std::move(reply));
}

void SharedQueryTable::Participant::withdraw(const std::string& key) {
  if (table_ == nullptr) return;
  std::lock_guard lock(table_->mu_);
  auto it = table_->entries_.find(key);
  if (it == table_->entries_.end()) return;
  std::erase(it->second.waiters, member_);
}

bool SharedQueryTable::Participant::has_mail() const {
  return member_ != nullptr && member_->has_mail.load(std::memory_order_acquire);
}

std::vector<SharedQueryTable::Outcome> SharedQueryTable::Participant::take() {
  std::vector<Outcome> out;
  if (!has_mail()) return out;
  std::lock_guard lock(table_->mu_);
  out.swap(member_->mailbox);
  member_->has_mail.store(false, std::memory_order_relaxed);
  return out;
}

SharedQueryTable::SharedQueryTable() = default;
SharedQueryTable::~SharedQueryTable() = default;

SharedQueryTable::Participant SharedQueryTable::join(std::function<void()> wake) {
  auto member = std::make_unique<Participant::Member>();
  member->wake = std::move(wake);
  Participant::Member* raw = member.get();
  std::lock_guard lock(mu_);
  members_.push_back(std::move(member));
  return Participant(this, raw);
}

size_t SharedQueryTable::in_flight() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SharedQueryTable::post_locked(Participant::Member& to, const std::string& key,
                                   const std::shared_ptr<const DnsUpstream::Reply>& reply) {
  const bool was_empty = to.mailbox.empty();
  to.mailbox.push_back(Outcome{key, reply});
  // Release: a taker that sees the flag also sees the reply it points to (the lock
  // orders the rest).
  to.has_mail.store(true, std::memory_order_release);
  // One wake per empty-to-non-empty transition: the waiter takes the whole mailbox.
  if (was_empty && to.wake) to.wake();
}

bool SharedQueryTable::publish_locked(Participant::Member& from, const std::string& key,
                                      std::shared_ptr<const DnsUpstream::Reply> reply) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.owner != &from) return false;
  for (Participant::Member* w : it->second.waiters) post_locked(*w, key, reply);
  entries_.erase(it);
  return true;
}

void SharedQueryTable::leave(Participant::Member* member) {
  std::lock_guard lock(mu_);
  std::vector<std::string> owned;
  for (auto& [key, e] : entries_) {
    if (e.owner == member) {
      owned.push_back(key);
    } else {
      std::erase(e.waiters, member);
    }
  }
  if (!owned.empty()) {
    // Nobody will send these replies now: the waiters see the query time out.
    auto failed = std::make_shared<DnsUpstream::Reply>();
    failed->answer.status = DnsStatus::kTimeout;
    for (const std::string& key : owned) publish_locked(*member, key, failed);
  }
  std::erase_if(members_, [member](const auto& m) { return m.get() == member; });
}

}  // namespace sipedge::resolve
