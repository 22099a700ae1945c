// sipedgectl top: a live view of the pinned XDP counters, refreshed every --interval seconds.
// On a terminal it owns the screen until q, Ctrl-C or the last of --iterations; piped or with
// --once it prints plain frames (one after --once), separated by a blank line, for scripts.
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>

#include "commands.h"
#include "common.h"
#include "sipedge/monotonic_clock.h"
#include "terminal.h"
#include "top_view.h"
#include "xdp/maps.h"
#include "xdp/names.h"

namespace sipedgectl {
namespace {

using sipedge::xdp::MapSet;

sipedge::xdp::Result<TopSample> Sample(const MapSet& maps, uint64_t window_ns) {
  TopSample s;
  auto totals = sipedge::xdp::ReadStats(maps);
  if (!totals) return sipedge::unexpected(totals.error());
  auto limited = sipedge::xdp::ListLimited(maps, window_ns);
  if (!limited) return sipedge::unexpected(limited.error());
  s.totals = *totals;
  s.limited = std::move(*limited);
  s.taken_ns = static_cast<uint64_t>(sipedge::monotonic_us()) * 1000;
  return s;
}

std::string WallClock() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

// Width for plain output: the terminal's, else $COLUMNS, else wide enough for every column.
int PlainWidth() {
  if (int c = SizeOf(STDOUT_FILENO).columns; c > 0) return c;
  if (const char* env = std::getenv("COLUMNS"); env && std::atoi(env) > 0) return std::atoi(env);
  return 100;
}

}  // namespace

int Top(const Options& o) {
  if (!(o.interval_s >= 0.1) || o.interval_s > 3600) return Fail("bad interval: 0.1 .. 3600 s");
  if (o.iterations < 0) return Fail("bad iterations: 0 (until q) or more");
  if (!(o.window_s >= 0) || o.window_s > 86400) return Fail("bad window: 0 .. 86400 seconds");
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  const MapSet& maps = pm->maps();
  auto state = sipedge::xdp::ReadState(maps);
  if (!state) return Fail(state.error());
  const auto window_ns = static_cast<uint64_t>(o.window_s * 1e9);
  const int frames = o.once ? 1 : o.iterations;  // 0: until quit
  const int interval_ms = static_cast<int>(o.interval_s * 1000);

  TopHeader header;
  header.iface = o.iface;
  header.mode = std::string(sipedge::xdp::ModeName(state->mode));
  header.attached = state->backend != SIPEDGE_BACKEND_NONE;
  header.interval_s = o.interval_s;

  StopSignals signals;
  std::optional<LiveScreen> screen;
  if (!o.once && ::isatty(STDOUT_FILENO)) screen.emplace();
  header.interactive = screen && screen->key_fd() >= 0;
  const int key_fd = screen ? screen->key_fd() : -1;

  auto first = Sample(maps, window_ns);
  if (!first) return Fail(first.error());
  TopSample before = std::move(*first);
  std::optional<TopSample> after;
  std::string error;
  // A frame needs two readings, so the first one comes one interval after the start.
  for (int shown = 0; frames == 0 || shown < frames;) {
    WaitEnd end = StopSignals::wait(interval_ms, key_fd);
    if (end == WaitEnd::kQuit) break;
    if (end == WaitEnd::kTimeout) {
      if (after) before = std::move(*after);
      auto next = Sample(maps, window_ns);
      if (!next) {
        error = next.error();
        break;
      }
      after = std::move(*next);
      header.clock = WallClock();
    }
    if (!after) continue;  // resized before the first frame: nothing to redraw yet
    if (screen) {
      TerminalSize size = SizeOf(STDOUT_FILENO);
      screen->draw(RenderTop(header, before, *after, size.columns > 0 ? size.columns : 80,
                             size.rows > 0 ? size.rows : 24));
    } else {
      if (shown > 0) std::cout << "\n";
      for (const auto& line : RenderTop(header, before, *after, PlainWidth(), 0))
        std::cout << line << "\n";
      std::cout.flush();
    }
    if (end == WaitEnd::kTimeout) ++shown;
  }
  screen.reset();  // the main screen back before any message
  if (!error.empty()) return Fail(error);
  return 0;
}

}  // namespace sipedgectl
