// One line per event on stderr (journald adds the timestamp and the unit), with the level
// as a syslog-style prefix so `journalctl -p` can filter: "<3>sipedge: ...".
#pragma once

#include <atomic>
#include <cstdarg>
#include <cstdint>

namespace sipedge::log {

enum class Level : uint8_t { kError = 3, kWarn = 4, kInfo = 6, kDebug = 7 };

// Sets the most verbose level that is printed (default kInfo).
void set_level(Level level);
// True when a message at `level` would be printed.
bool enabled(Level level);
// Prints one line "<N>sipedge[worker]: message" (printf format); never throws, never blocks
// on anything but the write(2) of the line itself.
void write(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

// A token bucket for refusal logs: an attacker chooses how many refusals we see, so at most
// `per_second` lines (burst the same) are printed and the rest are counted and summarised
// in the next line that is printed. One per worker thread (not thread-safe, no lock).
class RateLimiter {
 public:
  explicit RateLimiter(uint32_t per_second = 10) : per_second_(per_second) {}
  // True when a line may be printed now (`now_ms`: monotonic milliseconds). When it returns
  // true, suppressed() tells how many were held back since the last printed line.
  bool allow(int64_t now_ms);
  uint64_t suppressed() const { return suppressed_report_; }

 private:
  uint32_t per_second_;
  double tokens_ = -1;
  int64_t last_ms_ = 0;
  uint64_t suppressed_ = 0;
  uint64_t suppressed_report_ = 0;
};

// Names the calling thread in log lines ("w0", "main").
void set_thread_name(const char* name);

}  // namespace sipedge::log

#define SIPEDGE_LOG(level, ...)                                                    \
  do {                                                                             \
    if (::sipedge::log::enabled(level)) ::sipedge::log::write(level, __VA_ARGS__); \
  } while (0)
#define LOG_ERROR(...) SIPEDGE_LOG(::sipedge::log::Level::kError, __VA_ARGS__)
#define LOG_WARN(...) SIPEDGE_LOG(::sipedge::log::Level::kWarn, __VA_ARGS__)
#define LOG_INFO(...) SIPEDGE_LOG(::sipedge::log::Level::kInfo, __VA_ARGS__)
#define LOG_DEBUG(...) SIPEDGE_LOG(::sipedge::log::Level::kDebug, __VA_ARGS__)
