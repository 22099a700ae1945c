#include "resolve/poll_loop.h"

#include <poll.h>

#include <cerrno>
#include <vector>

#include "resolve/rcu_thread.h"

namespace sipedge::resolve {

void run_poll_loop(AresDriver& driver, const std::function<bool()>& finished) {
  constexpr int kMaxWaitMs = 1000;
  const bool rcu = RcuThread::is_online();
  std::vector<pollfd> fds;
  while (!finished() && driver.in_flight() > 0) {
    fds.clear();
    for (const auto& s : driver.sockets()) {
      const short events =
          static_cast<short>((s.readable ? POLLIN : 0) | (s.writable ? POLLOUT : 0));
      fds.push_back(pollfd{s.fd, events, 0});
    }
    const int wait_ms = driver.next_timeout_ms(kMaxWaitMs);
    if (rcu) RcuThread::offline();
    const int n = poll(fds.data(), fds.size(), wait_ms);
    if (rcu) RcuThread::online();
    if (n < 0 && errno != EINTR) break;
    if (n > 0) {
      for (const pollfd& p : fds) {
        if (p.revents == 0) continue;
        const bool rd = (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
        const bool wr = (p.revents & POLLOUT) != 0;
        driver.process_fd(rd ? p.fd : -1, wr ? p.fd : -1);
      }
    }
    driver.process_timeouts();
    if (rcu) RcuThread::quiescent();
  }
}

}  // namespace sipedge::resolve
