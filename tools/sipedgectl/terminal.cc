#include "terminal.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>

namespace sipedgectl {
namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_resize = 0;

void OnStop(int) { g_stop = 1; }
void OnResize(int) { g_resize = 1; }

constexpr int kCaught[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
struct sigaction g_saved[sizeof(kCaught) / sizeof(kCaught[0])];

// write(2) of the whole string; a terminal that went away is not an error worth reporting.
void WriteAll(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

StopSignals::StopSignals() {
  for (size_t i = 0; i < std::size(kCaught); ++i) {
    struct sigaction sa {};
    sa.sa_handler = kCaught[i] == SIGWINCH ? OnResize : OnStop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR
    sigaction(kCaught[i], &sa, &g_saved[i]);
  }
}

StopSignals::~StopSignals() {
  for (size_t i = 0; i < std::size(kCaught); ++i) sigaction(kCaught[i], &g_saved[i], nullptr);
}

bool StopSignals::stop_requested() { return g_stop != 0; }

WaitEnd StopSignals::wait(int timeout_ms, int key_fd) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (g_stop) return WaitEnd::kQuit;
    if (g_resize) {
      g_resize = 0;
      return WaitEnd::kResize;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return WaitEnd::kTimeout;
    pollfd p{key_fd, POLLIN, 0};
    int n = ::poll(&p, key_fd >= 0 ? 1 : 0, static_cast<int>(left.count()));
    if (n <= 0) continue;  // timeout, or a signal (EINTR): the loop decides
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return WaitEnd::kQuit;  // terminal gone
    char keys[64];
    ssize_t got = ::read(key_fd, keys, sizeof(keys));
    if (got == 0) return WaitEnd::kQuit;
    for (ssize_t i = 0; i < got; ++i)
      if (keys[i] == 'q' || keys[i] == 'Q' || keys[i] == 3) return WaitEnd::kQuit;
  }
}

LiveScreen::LiveScreen() {
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    termios raw = saved_;
    // Keys arrive one at a time and are not echoed; ISIG stays on, so Ctrl-C is SIGINT.
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0) {
      restore_modes_ = true;
      key_fd_ = STDIN_FILENO;
    }
  }
  WriteAll("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");  // alternate screen, no cursor, cleared
}

LiveScreen::~LiveScreen() {
  WriteAll("\x1b[0m\x1b[?25h\x1b[?1049l");  // cursor back, main screen back
  if (restore_modes_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
}

void LiveScreen::draw(const std::vector<std::string>& lines) const {
  // Home, each line then erase-to-end-of-line, then erase below: no blank flash between frames
  // (which a full clear gives over a slow link). No newline after the last line, so a frame as
  // tall as the terminal does not scroll.
  std::string out = "\x1b[H";
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    out += "\x1b[K";
    if (i + 1 < lines.size()) out += "\r\n";
  }
  out += "\x1b[J";
  WriteAll(out);
}

TerminalSize SizeOf(int fd) {
  winsize ws{};
  if (!::isatty(fd) || ::ioctl(fd, TIOCGWINSZ, &ws) != 0) return {};
  return {ws.ws_col, ws.ws_row};
}

}  // namespace sipedgectl
