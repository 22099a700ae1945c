// RCU (liburcu QSBR flavour) membership of a thread that reads or writes the DnsCache.
//
// QSBR readers pay nothing per read; in exchange each registered thread must regularly say
// "I hold no cache pointers now" (a quiescent state). The router's worker does it once per
// event-loop iteration (after handling a batch of completions) and goes offline around the
// blocking io_uring wait; the tool's poll loop does the same around poll().
#pragma once

namespace sipedge::resolve {

class RcuThread {
 public:
  // Registers the calling thread as an RCU reader (online).
  RcuThread();
  // Unregisters it; the thread must hold no cache pointers.
  ~RcuThread();
  RcuThread(const RcuThread&) = delete;
  RcuThread& operator=(const RcuThread&) = delete;

  // Reports a quiescent state: every cache pointer obtained before this call is dropped.
  static void quiescent();
  // Marks the thread offline before it blocks (poll, io_uring wait); no pointers held.
  static void offline();
  // Marks the thread online again after blocking.
  static void online();
  // True when the calling thread is registered and online.
  static bool is_online();
};

namespace rcu_internal {
// ThreadSanitizer cannot see liburcu's grace periods (the library is not instrumented), so
// quiescent states "release" this token and the reclaimer "acquires" it before freeing:
// exactly the happens-before edge a grace period guarantees. No-ops outside TSan builds.
void annotate_release(const void* addr);
void annotate_acquire(const void* addr);
extern const char kQuiescentToken;
}  // namespace rcu_internal

}  // namespace sipedge::resolve
