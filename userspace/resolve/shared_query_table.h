// Upstream DNS queries in flight, shared by the router's workers so that concurrent misses
// for one (name, type) on several workers send one query: the first worker to miss owns
// the query and sends it; the others register as waiters and get the owner's reply posted
// to their mailbox, with a wake-up (the worker's eventfd) to come and take it.
//
// Only the miss path comes here (a miss costs a network round trip, so one mutex is
// cheap beside it); a cache hit never does. The one exception is Participant::has_mail(),
// a single atomic load a worker may make every loop turn.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "resolve/dns_upstream.h"

namespace sipedge::resolve {

class SharedQueryTable {
 public:
  // A finished query as a waiter receives it. The reply is immutable and shared by every
  // waiter (each may read it from its own thread).
  struct Outcome {
    std::string key;
    std::shared_ptr<const DnsUpstream::Reply> reply;
  };

  // One worker's membership: created by join(), leaves the table when destroyed (a query
  // it still owns ends for its waiters as a timeout failure, so none of them hangs).
  // Used from one thread at a time (its worker's); movable, not copyable. An empty handle
  // shares with nobody: claim() is always true, publish() false, take() empty.
  class Participant {
   public:
    Participant() = default;
    ~Participant() { reset(); }
    Participant(Participant&& other) noexcept;
    Participant& operator=(Participant&& other) noexcept;
    Participant(const Participant&) = delete;
    Participant& operator=(const Participant&) = delete;

    // True when joined (not default-constructed, moved from or reset).
    explicit operator bool() const { return table_ != nullptr; }

    // True: nobody was asking the upstream for `key`, the caller now owns the query and must
    // send it, then publish() its reply. False: another participant owns it and the caller
    // is registered as a waiter (its outcome will come through take()). Claiming a key the
    // caller already owns returns true, one it already waits for false; nothing changes.
    bool claim(const std::string& key);
    // Ends the caller's query for `key`: posts `reply` to every waiter (waking each whose
    // mailbox was empty) and forgets the key, so the next miss claims afresh. False (and
    // nothing posted) when the caller does not own `key`.
    bool publish(const std::string& key, std::shared_ptr<const DnsUpstream::Reply> reply);
    // Stops waiting for `key` (the caller asks the upstream itself after all); an outcome
    // already posted stays in the mailbox. No effect when not waiting for it.
    void withdraw(const std::string& key);
    // Lock-free: true when outcomes may be waiting in the mailbox (take() would lock).
    bool has_mail() const;
    // Empties the mailbox: every outcome posted since the last take(), oldest first.
    std::vector<Outcome> take();
    // Leaves the table now (see the destructor); afterwards this handle is empty.
    void reset();

   private:
    friend class SharedQueryTable;
    struct Member;
    Participant(SharedQueryTable* table, Member* member) : table_(table), member_(member) {}
    SharedQueryTable* table_ = nullptr;
    Member* member_ = nullptr;  // owned by the table, alive until reset()
  };

  SharedQueryTable();
  // Every participant must have left (their handles must not outlive the table).
  ~SharedQueryTable();
  SharedQueryTable(const SharedQueryTable&) = delete;
  SharedQueryTable& operator=(const SharedQueryTable&) = delete;

  // Adds a participant. `wake` is called, from the publishing participant's thread and under
  // the table's lock, when an outcome lands in an empty mailbox: it must be quick and must
  // not call the table (writing an eventfd is the intended use).
  Participant join(std::function<void()> wake);

  // Queries currently owned (for tests).
  size_t in_flight() const;

 private:
  struct Entry {
    Participant::Member* owner = nullptr;
    std::vector<Participant::Member*> waiters;
  };
  void post_locked(Participant::Member& to, const std::string& key,
                   const std::shared_ptr<const DnsUpstream::Reply>& reply);
  bool publish_locked(Participant::Member& from, const std::string& key,
                      std::shared_ptr<const DnsUpstream::Reply> reply);
  void leave(Participant::Member* member);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // key: what claim() was given
  std::vector<std::unique_ptr<Participant::Member>> members_;
};

}  // namespace sipedge::resolve
