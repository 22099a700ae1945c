#include "top_view.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "xdp/names.h"

namespace sipedgectl {
namespace {

// Columns of the wide layout (>= kWide columns); narrower terminals drop the totals.
constexpr int kWide = 72;

// 1234567 -> "1.23M"; keeps rates readable in a fixed column.
std::string Human(double v) {
  char buf[32];
  const char* unit = "";
  if (v >= 1e9) {
    v /= 1e9;
    unit = "G";
  } else if (v >= 1e6) {
    v /= 1e6;
    unit = "M";
  } else if (v >= 1e4) {
    v /= 1e3;
    unit = "k";
  }
  std::snprintf(buf, sizeof(buf), v >= 100 || *unit == 0 ? "%.0f%s" : "%.2f%s", v, unit);
  if (*unit == 0 && v > 0 && v < 10) std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string Fit(std::string line, int width) {
  if (static_cast<int>(line.size()) > width) line.resize(static_cast<size_t>(width));
  return line;
}

std::string Row(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), fmt, args...);
  return buf;
}

double PerSecond(uint64_t before, uint64_t after, double seconds) {
  return after >= before ? static_cast<double>(after - before) / seconds : 0;  // reset: 0
}

struct SourceRow {
  const sipedge::xdp::LimitedSource* source;
  double drops_per_s;  // < 0: not limited in the previous reading, rate unknown
};

const char* KindName(sipedge_bucket_kind k) { return k == SIPEDGE_BUCKET_SYN ? "syn" : "dgram"; }

}  // namespace

std::vector<std::string> RenderTop(const TopHeader& header, const TopSample& before,
                                   const TopSample& after, int width, int height) {
  width = std::max(width, 20);
  const bool wide = width >= kWide;
  const double seconds = static_cast<double>(after.taken_ns - before.taken_ns) / 1e9;
  std::vector<std::string> lines;

  std::string title = "sipedgectl top  " + header.iface + "  " +
                      (header.attached ? header.mode + " mode" : std::string("detached")) +
                      Row("  every %.1f s  ", header.interval_s) + header.clock;
  if (header.interactive) {
    const std::string keys = "q quits";
    int pad = width - static_cast<int>(title.size()) - static_cast<int>(keys.size());
    title += pad >= 2 ? std::string(static_cast<size_t>(pad), ' ') + keys : "  " + keys;
  }
  lines.push_back(title);
  lines.emplace_back();

  lines.push_back(wide ? Row("%-14s %12s %12s %18s", "CLASS", "PACKETS/S", "BITS/S", "PACKETS")
                       : Row("%-14s %12s", "CLASS", "PACKETS/S"));
  for (unsigned c = 0; c < SIPEDGE_CLASS_MAX; ++c) {
    const auto& b = before.totals.classes[c];
    const auto& a = after.totals.classes[c];
    std::string name(sipedge::xdp::ClassName(c));
    double pps = PerSecond(b.packets, a.packets, seconds);
    double bps = PerSecond(b.bytes, a.bytes, seconds) * 8;
    lines.push_back(wide ? Row("%-14s %12s %12s %18llu", name.c_str(), Human(pps).c_str(),
                               Human(bps).c_str(), static_cast<unsigned long long>(a.packets))
                         : Row("%-14s %12s", name.c_str(), Human(pps).c_str()));
  }
  lines.emplace_back();

  lines.push_back(wide ? Row("%-14s %12s %12s %18s", "DROP", "DROPS/S", "", "DROPPED")
                       : Row("%-14s %12s", "DROP", "DROPS/S"));
  for (unsigned d = 0; d < SIPEDGE_DROP_MAX; ++d) {
    std::string name(sipedge::xdp::DropName(d));
    double rate = PerSecond(before.totals.drops[d], after.totals.drops[d], seconds);
    lines.push_back(wide ? Row("%-14s %12s %12s %18llu", name.c_str(), Human(rate).c_str(), "",
                               static_cast<unsigned long long>(after.totals.drops[d]))
                         : Row("%-14s %12s", name.c_str(), Human(rate).c_str()));
  }
  lines.emplace_back();

  // Sources: the drop rate comes from the same source's count in the previous reading.
  std::map<std::pair<std::string, int>, uint64_t> previous;
  for (const auto& l : before.limited) previous[{l.source, l.kind}] = l.dropped;
  std::vector<SourceRow> rows;
  for (const auto& l : after.limited) {
    auto it = previous.find({l.source, l.kind});
    rows.push_back({&l, it == previous.end() ? -1.0 : PerSecond(it->second, l.dropped, seconds)});
  }
  std::sort(rows.begin(), rows.end(), [](const SourceRow& x, const SourceRow& y) {
    if (x.drops_per_s != y.drops_per_s) return x.drops_per_s > y.drops_per_s;
    return x.source->dropped > y.source->dropped;
  });
  lines.push_back(Row("RATE-LIMITED SOURCES  %zu", rows.size()));
  lines.push_back(
      wide ? Row("%-28s %-5s %9s %13s %10s", "SOURCE", "KIND", "DROPS/S", "DROPPED", "LAST DROP")
           : Row("%-28s %9s", "SOURCE", "DROPS/S"));
  size_t room = rows.size();
  if (height > 0) {
    int left = height - static_cast<int>(lines.size());
    room = left <= 0 ? 0 : std::min(rows.size(), static_cast<size_t>(left));
    if (room < rows.size() && room > 0) --room;  // keep a line for "... N more"
  }
  for (size_t i = 0; i < room; ++i) {
    const auto& l = *rows[i].source;
    std::string rate = rows[i].drops_per_s < 0 ? "new" : Human(rows[i].drops_per_s);
    lines.push_back(wide ? Row("%-28s %-5s %9s %13llu %8.1f s", l.source.c_str(), KindName(l.kind),
                               rate.c_str(), static_cast<unsigned long long>(l.dropped),
                               static_cast<double>(l.since_last_drop_ns) / 1e9)
                         : Row("%-28s %9s", l.source.c_str(), rate.c_str()));
  }
  if (room < rows.size()) lines.push_back(Row("... %zu more", rows.size() - room));

  if (height > 0 && static_cast<int>(lines.size()) > height)
    lines.resize(static_cast<size_t>(height));
  for (auto& line : lines) line = Fit(std::move(line), width);
  return lines;
}

}  // namespace sipedgectl
