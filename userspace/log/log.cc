#include "log/log.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sipedge::log {
namespace {

std::atomic<uint8_t> g_level{static_cast<uint8_t>(Level::kInfo)};
thread_local char t_name[16] = "main";

}  // namespace

void set_level(Level level) { g_level.store(static_cast<uint8_t>(level)); }

bool enabled(Level level) {
  return static_cast<uint8_t>(level) <= g_level.load(std::memory_order_relaxed);
}

void set_thread_name(const char* name) { std::snprintf(t_name, sizeof(t_name), "%s", name); }

void write(Level level, const char* format, ...) {
  // One write(2) per line so lines from several workers never interleave.
  char line[1024];
  int n = std::snprintf(line, sizeof(line), "<%d>sipedge[%s]: ", static_cast<int>(level), t_name);
  va_list ap;
  va_start(ap, format);
  int m = std::vsnprintf(line + n, sizeof(line) - static_cast<size_t>(n) - 1, format, ap);
  va_end(ap);
  size_t len = static_cast<size_t>(n) + static_cast<size_t>(std::max(m, 0));
  len = std::min(len, sizeof(line) - 2);
  // Control bytes from the network never reach the log as such (no forged lines).
  for (size_t i = static_cast<size_t>(n); i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7f) line[i] = '?';
  }
  line[len++] = '\n';
  ssize_t rc = ::write(STDERR_FILENO, line, len);
  (void)rc;
}

bool RateLimiter::allow(int64_t now_ms) {
  if (tokens_ < 0) {
    tokens_ = per_second_;
    last_ms_ = now_ms;
  }
  tokens_ = std::min<double>(per_second_, tokens_ + (now_ms - last_ms_) * per_second_ / 1000.0);
  last_ms_ = now_ms;
  if (tokens_ < 1) {
    ++suppressed_;
    return false;
  }
  tokens_ -= 1;
  suppressed_report_ = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace sipedge::log
