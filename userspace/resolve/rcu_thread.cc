#include "resolve/rcu_thread.h"

#include <urcu-qsbr.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace sipedge::resolve {

namespace rcu_internal {

const char kQuiescentToken = 0;

void annotate_release(const void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

void annotate_acquire(const void* addr) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

}  // namespace rcu_internal

RcuThread::RcuThread() { rcu_register_thread(); }

RcuThread::~RcuThread() {
  rcu_internal::annotate_release(&rcu_internal::kQuiescentToken);
  rcu_unregister_thread();
}

void RcuThread::quiescent() {
  rcu_internal::annotate_release(&rcu_internal::kQuiescentToken);
  rcu_quiescent_state();
}

void RcuThread::offline() {
  rcu_internal::annotate_release(&rcu_internal::kQuiescentToken);
  rcu_thread_offline();
}

void RcuThread::online() { rcu_thread_online(); }

bool RcuThread::is_online() { return rcu_read_ongoing() != 0; }

}  // namespace sipedge::resolve
