// Cache hits per second per reader thread: the RCU cache (lock-free slot index, liburcu QSBR
// reclamation) beside a std::shared_mutex-guarded std::unordered_map holding the same entries,
// measured in the same run, at several sizes, with 1 and 2 readers, without and with a writer
// replacing entries, with uniform keys and with Zipf-skewed keys (s = 1.0: a few carrier
// domains take most requests). Beside each size, the memory-latency floor for the same
// footprint: one dependent random load per step over an array of that many bytes (pointer
// chasing over a random cyclic permutation, one node per cache line), so the reader sees how
// many dependent cache misses a hit costs.
//
// What a hit touches: the key's 128-byte slot in the index (two adjacent cache lines,
// fetched together: sequence, key, expiry, addresses; the name's first 64 bytes), on
// transparent huge pages. The entry itself is not read for a name of up to 64 bytes whose
// addresses fit the slot (4 IPv4 or 2 IPv6). So 1 dependent miss when nothing is cached;
// the floor's chase pays 1 too, over an array as large as the whole cache (slot array plus
// entries, as the issue defines the floor), also on huge pages (the floor the hardware
// allows). The "chained" rows measure exactly that ratio.
// (Before the slots held the hot fields, a hit cost the 16-byte slot, then the entry: 2.25 floors.)
//
// The keys a reader asks for are laid out inline, in lookup order, in one sequential stream
// (as a router has the name in the packet it just read): the bench's own key fetches do not
// add misses that the cache would be blamed for.
//
// usage: resolve_cache_hit_bench [--seconds S] [--entries N[,N...]] [--writer-rate PER_SEC]
//                                [--repeats R]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "resolve/dns_cache.h"
#include "resolve/huge_page_memory.h"
#include "resolve/rcu_thread.h"

namespace {

using sipedge::resolve::CacheLookup;
using sipedge::resolve::CacheState;
using sipedge::resolve::DnsAnswer;
using sipedge::resolve::DnsCache;
using sipedge::resolve::DnsCacheConfig;
using sipedge::resolve::DnsStatus;
using sipedge::resolve::IpAddress;
using sipedge::resolve::RcuThread;
using sipedge::resolve::RrType;
using Clock = std::chrono::steady_clock;

constexpr int64_t kNowMs = 1'000'000;
constexpr int kBatch = 1024;  // lookups between clock checks / quiescent states

struct Options {
  double seconds = 0.2;
  std::vector<int> entries = {1024, 16384, 65536, 262144};
  int writer_rate = 10'000;  // replacements per second
  int repeats = 3;
};

DnsAnswer make_answer(int i, uint32_t version) {
  DnsAnswer a;
  a.status = DnsStatus::kNoError;
  a.ttl = 3600;
  a.has_ttl = true;
  for (int r = 0; r < 2; ++r) {
    IpAddress ip;
    ip.bytes = {192, 0, static_cast<uint8_t>(i), static_cast<uint8_t>(version + r)};
    a.addresses.push_back(ip);
  }
  return a;
}

// The baseline: what a cache guarded by a reader-writer lock looks like.
class MutexMap {
 public:
  struct Key {
    std::string name;
    RrType type;
    bool operator==(const Key&) const = default;
  };
  struct KeyView {
    std::string_view name;
    RrType type;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(const Key& k) const {
      return sipedge::resolve::dns_cache_key_hash(k.name, k.type);
    }
    size_t operator()(const KeyView& k) const {
      return sipedge::resolve::dns_cache_key_hash(k.name, k.type);
    }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a == b; }
    bool operator()(const KeyView& a, const Key& b) const {
      return a.type == b.type && a.name == b.name;
    }
    bool operator()(const Key& a, const KeyView& b) const {
      return b.type == a.type && b.name == a.name;
    }
  };

  void insert(const std::string& name, RrType type, DnsAnswer answer) {
    std::unique_lock lock(mu_);
    map_[Key{name, type}] = std::move(answer);
  }
  // Reads the same fields a router reads on a hit, under the shared lock.
  uint32_t lookup(std::string_view name, RrType type) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(KeyView{name, type});
    if (it == map_.end()) return 0;
    return it->second.addresses[0].bytes[3] + static_cast<uint32_t>(it->second.addresses.size());
  }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, DnsAnswer, Hash, Eq> map_;
};

// One key as a reader meets it: the name inline, so a stream of them is read sequentially.
struct KeyRecord {
  char name[31];
  uint8_t len;
  std::string_view view() const { return {name, len}; }
};
static_assert(sizeof(KeyRecord) == 32);

struct Xorshift {
  uint64_t x;
  uint64_t next() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
};

struct Setup {
  std::vector<std::string> names;
  std::vector<KeyRecord> stream;  // lookups in order (size a power of two)
  DnsCache* rcu = nullptr;
  MutexMap* mutex_map = nullptr;
};

size_t round_pow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Key indices for `count` lookups: uniform over the keys, or Zipf (s = 1) over ranks that a
// random permutation scatters across the keys (the hot names are not neighbours in memory).
std::vector<uint32_t> key_sequence(size_t keys, size_t count, bool zipf, uint64_t seed) {
  Xorshift rng{seed};
  std::vector<uint32_t> out(count);
  if (!zipf) {
    for (uint32_t& k : out) k = static_cast<uint32_t>(rng.next() % keys);
    return out;
  }
  std::vector<double> cdf(keys);
  double sum = 0;
  for (size_t r = 0; r < keys; ++r) cdf[r] = (sum += 1.0 / static_cast<double>(r + 1));
  std::vector<uint32_t> rank_to_key(keys);
  for (size_t i = 0; i < keys; ++i) rank_to_key[i] = static_cast<uint32_t>(i);
  for (size_t i = keys - 1; i > 0; --i)
    std::swap(rank_to_key[i], rank_to_key[rng.next() % (i + 1)]);
  for (uint32_t& k : out) {
    const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53 * sum;
    const size_t r = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    k = rank_to_key[std::min(r, keys - 1)];
  }
  return out;
}

// Share of lookups that go to the 10 hottest keys (how skewed the Zipf stream is).
double top10_share(size_t keys) {
  double sum = 0, top = 0;
  for (size_t r = 0; r < keys; ++r) {
    sum += 1.0 / static_cast<double>(r + 1);
    if (r < 10) top = sum;
  }
  return top / sum;
}

// The memory-latency floor of a footprint: a random cyclic permutation (Sattolo) of
// cache-line-sized nodes over `bytes`, each holding the index of the next, so every step is
// one dependent load to a random line.
class FloorChase {
 public:
  // On transparent huge pages where the kernel grants them, as the cache's slot array:
  // otherwise the floor would count page walks that the cache does not pay.
  explicit FloorChase(size_t bytes)
      : n_(std::max<size_t>(2, bytes / sizeof(Node))),
        memory_(n_ * sizeof(Node)),
        nodes_(static_cast<Node*>(memory_.data())) {
    std::vector<uint32_t> perm(n_);
    for (size_t i = 0; i < n_; ++i) perm[i] = static_cast<uint32_t>(i);
    Xorshift rng{0x9E3779B97F4A7C15ULL};
    for (size_t i = n_ - 1; i > 0; --i) std::swap(perm[i], perm[rng.next() % i]);  // one cycle
    for (size_t i = 0; i < n_; ++i) nodes_[perm[i]].next = perm[(i + 1) % n_];
    for (size_t i = 0; i < n_; ++i) p_ = nodes_[p_].next;  // warm, as the cache is
  }

  // ns per dependent load, best of `runs` runs of `seconds` each (the machine is shared).
  double ns(double seconds, int runs) {
    double best = 1e30;
    for (int rep = 0; rep < runs; ++rep) {
      uint64_t steps = 0;
      const auto start = Clock::now();
      const auto end = start + std::chrono::duration<double>(seconds);
      auto now = start;
      while (now < end) {
        for (int i = 0; i < kBatch; ++i) p_ = nodes_[p_].next;
        steps += kBatch;
        now = Clock::now();
      }
      best = std::min(best, std::chrono::duration<double>(now - start).count() * 1e9 /
                                static_cast<double>(steps));
    }
    if (p_ == n_) std::puts("");  // keeps the chase alive
    return best;
  }

 private:
  struct alignas(64) Node {
    uint64_t next;
    char pad[56];
  };
  size_t n_;
  sipedge::resolve::HugePageMemory memory_;
  Node* nodes_;  // in memory_ (zero-filled: the constructor writes every node's next)
  uint64_t p_ = 0;
};

volatile uint32_t g_zero = 0;  // a zero the compiler cannot see through

// One reader: lookups for `seconds`; returns hits per second. kChained makes each lookup's
// key depend on the previous lookup's result (a data dependency, no branch to predict), so
// lookups cannot overlap: ns per hit is then the latency of one hit, comparable with the
// floor's one dependent load. Unchained, the core overlaps independent lookups.
template <bool kChained = false, typename Lookup>
double reader_rate(const Setup& s, double seconds, int seed, Lookup lookup) {
  const size_t mask = s.stream.size() - 1;
  const uint32_t zero = g_zero;
  size_t k = static_cast<size_t>(seed) * 7919;
  uint64_t hits = 0;
  uint64_t sink = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < end) {
    for (int i = 0; i < kBatch; ++i) {
      const uint32_t v = lookup(s.stream[k++ & mask].view());
      if constexpr (kChained) k += v & zero;
      sink += v;
      hits += v != 0;
    }
    now = Clock::now();
  }
  if (sink == 42) std::puts("");  // keeps the reads alive
  return static_cast<double>(hits) / std::chrono::duration<double>(now - start).count();
}

template <bool kChained = false>
double rcu_lookup_rate(const Setup& s, double seconds, int seed) {
  RcuThread rcu;
  int until_quiescent = kBatch;
  return reader_rate<kChained>(s, seconds, seed, [&](std::string_view name) -> uint32_t {
    CacheLookup hit = s.rcu->lookup(name, RrType::kA, kNowMs);
    if (--until_quiescent == 0) {
      // The router reports a quiescent state once per event-loop iteration.
      RcuThread::quiescent();
      until_quiescent = kBatch;
    }
    if (hit.state != CacheState::kFresh) return 0;
    return hit.address(0).bytes[3] + static_cast<uint32_t>(hit.address_count());
  });
}

double mutex_lookup_rate(const Setup& s, double seconds, int seed) {
  return reader_rate(s, seconds, seed,
                     [&](std::string_view name) { return s.mutex_map->lookup(name, RrType::kA); });
}

// Runs `readers` reader threads (plus a paced writer when `writer`) and returns the mean
// hits/s per reader thread.
template <typename ReaderFn, typename WriteFn>
double run_phase(const Setup& s, const Options& o, int readers, bool writer, ReaderFn reader,
                 WriteFn write) {
  std::vector<double> rates(static_cast<size_t>(readers));
  std::atomic<bool> stop{false};
  std::thread w;
  if (writer) {
    w = std::thread([&] {
      RcuThread rcu;
      uint32_t version = 0;
      const int per_tick = std::max(1, o.writer_rate / 1000);  // paced in 1 ms ticks
      auto next = Clock::now();
      size_t k = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < per_tick; ++i) {
          k = (k + 7919) % s.names.size();
          write(s.names[k], static_cast<int>(k), ++version);
        }
        RcuThread::quiescent();
        next += std::chrono::milliseconds(1);
        RcuThread::offline();
        std::this_thread::sleep_until(next);
        RcuThread::online();
      }
    });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < readers; ++t) {
    threads.emplace_back([&, t] { rates[static_cast<size_t>(t)] = reader(s, o.seconds, t + 1); });
  }
  for (auto& t : threads) t.join();
  stop.store(true);
  if (w.joinable()) w.join();
  double sum = 0;
  for (double r : rates) sum += r;
  return sum / readers;
}

// What one (size, key distribution) run found, for the targets at the end.
struct Row {
  int entries;
  bool zipf;
  double lowest_rcu;       // hits/s per thread, lowest over the four phases
  double one_reader;       // hits/s, 1 reader, no writer
  double chained_ns;       // ns per hit, 1 reader, each lookup waiting for the previous
  double floor_ns;         // ns per dependent load, same footprint
  double ratio_2r_writer;  // rcu / mutex, 2 readers + writer
};

std::vector<Row> bench_size(const Options& o, int entries) {
  RcuThread main_rcu;
  DnsCacheConfig config;
  config.max_entries = static_cast<size_t>(entries) * 2;
  config.max_bytes = size_t{1} << 30;  // the entry bound, not the byte bound, is under test
  DnsCache cache(config);
  MutexMap mutex_map;
  Setup s;
  for (int i = 0; i < entries; ++i) {
    s.names.push_back("host" + std::to_string(i) + ".pbx.example.test");
    cache.insert(s.names.back(), RrType::kA, make_answer(i, 0), kNowMs);
    mutex_map.insert(s.names.back(), RrType::kA, make_answer(i, 0));
  }
  if (cache.size() != static_cast<size_t>(entries))
    std::printf("(warning: the cache holds %zu of %d entries)\n", cache.size(), entries);
  s.rcu = &cache;
  s.mutex_map = &mutex_map;
  // The cache's footprint: its slot array plus its entries. A hit reads only its slot; the
  // slots in use are fewer bytes (128 per entry), printed beside.
  const size_t footprint = cache.slot_bytes() + cache.bytes();
  const size_t slots_in_use = cache.size() * sipedge::resolve::DnsCacheIndex::kSlotBytes;
  RcuThread::offline();  // main only coordinates from here on
  FloorChase chase(footprint);
  const double floor_ns = chase.ns(0.1, 5);
  std::printf(
      "\n%d entries: footprint %.2f MB (slot array %.2f MB + entries %.2f MB; a hit reads only "
      "its slot, one of %.2f MB in use); memory-latency floor %.1f ns per dependent load = %.1f M "
      "loads/s\n",
      entries, static_cast<double>(footprint) / 1e6, static_cast<double>(cache.slot_bytes()) / 1e6,
      static_cast<double>(cache.bytes()) / 1e6, static_cast<double>(slots_in_use) / 1e6, floor_ns,
      1e3 / floor_ns);
  std::printf("  %-8s %-18s %11s %14s %7s %8s %10s\n", "keys", "threads", "rcu cache",
              "shared_mutex", "ratio", "ns/hit", "floors/hit");

  auto rcu_write = [&](const std::string& name, int i, uint32_t v) {
    cache.insert(name, RrType::kA, make_answer(i, v), kNowMs);
  };
  auto mutex_write = [&](const std::string& name, int i, uint32_t v) {
    mutex_map.insert(name, RrType::kA, make_answer(i, v));
  };
  std::vector<Row> rows;
  const size_t stream_len =
      std::clamp<size_t>(round_pow2(static_cast<size_t>(entries) * 4), 1 << 16, 1 << 20);
  for (bool zipf : {false, true}) {
    const std::vector<uint32_t> seq =
        key_sequence(s.names.size(), stream_len, zipf, 88172645463325252ULL);
    s.stream.assign(stream_len, KeyRecord{});
    for (size_t i = 0; i < stream_len; ++i) {
      const std::string& n = s.names[seq[i]];
      std::memcpy(s.stream[i].name, n.data(), n.size());
      s.stream[i].len = static_cast<uint8_t>(n.size());
    }
    Row row{entries, zipf, 1e30, 0, 0, floor_ns, 0};
    for (bool writer : {false, true}) {
      for (int readers : {1, 2}) {
        // Best of `repeats`, alternating the two caches so both meet the same background load
        // (this machine is shared; the best run is the closest to an idle one).
        double rcu = 0, mtx = 0;
        for (int rep = 0; rep < o.repeats; ++rep) {
          rcu = std::max(rcu, run_phase(s, o, readers, writer, rcu_lookup_rate<>, rcu_write));
          mtx = std::max(mtx, run_phase(s, o, readers, writer, mutex_lookup_rate, mutex_write));
        }
        char label[32];
        std::snprintf(label, sizeof label, "%d reader%s%s", readers, readers > 1 ? "s" : "",
                      writer ? " + writer" : "");
        const double ns = 1e9 / rcu;
        std::printf("  %-8s %-18s %9.1f M %12.1f M %6.1fx %8.1f %10.2f\n",
                    zipf ? "zipf" : "uniform", label, rcu / 1e6, mtx / 1e6, rcu / mtx, ns,
                    ns / floor_ns);
        row.lowest_rcu = std::min(row.lowest_rcu, rcu);
        if (readers == 1 && !writer) row.one_reader = rcu;
        if (readers == 2 && writer) row.ratio_2r_writer = rcu / mtx;
      }
    }
    // Each chained run sits between two floor runs, so the pair meets the same background
    // load (on a shared machine the last-level cache comes and goes); the median ratio of
    // the pairs is reported, and their range.
    std::vector<double> ratios, chained_ns, floors;
    for (int rep = 0; rep < std::max(3, o.repeats); ++rep) {
      const double before = chase.ns(0.05, 1);
      const double rate = run_phase(s, o, 1, false, rcu_lookup_rate<true>, rcu_write);
      const double pair_floor = std::min(before, chase.ns(0.05, 1));
      chained_ns.push_back(1e9 / rate);
      floors.push_back(pair_floor);
      ratios.push_back(1e9 / rate / pair_floor);
    }
    std::vector<size_t> by_ratio(ratios.size());
    for (size_t i = 0; i < by_ratio.size(); ++i) by_ratio[i] = i;
    std::sort(by_ratio.begin(), by_ratio.end(),
              [&](size_t x, size_t y) { return ratios[x] < ratios[y]; });
    const size_t median = by_ratio[by_ratio.size() / 2];
    row.chained_ns = chained_ns[median];
    row.floor_ns = floors[median];
    std::printf(
        "  %-8s %-18s %9.1f M %12s %6s %8.1f %10.2f  <- dependent misses per hit, beside a "
        "floor of %.1f ns (range %.2f-%.2f)\n",
        zipf ? "zipf" : "uniform", "1 reader, chained", 1e3 / row.chained_ns, "", "",
        row.chained_ns, ratios[median], row.floor_ns, ratios[by_ratio.front()],
        ratios[by_ratio.back()]);
    rows.push_back(row);
  }
  RcuThread::online();
  return rows;
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) o.seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--writer-rate")) o.writer_rate = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) o.repeats = std::max(1, std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--entries")) {
      o.entries.clear();
      for (const char* p = argv[i + 1]; *p;) {
        o.entries.push_back(std::atoi(p));
        p = std::strchr(p, ',');
        if (!p) break;
        ++p;
      }
    }
  }

  std::printf(
      "DNS cache hits per second per reader thread, RCU cache beside a shared_mutex-guarded "
      "unordered_map\n(%u cores, best of %d runs of %.1f s; writer: %d replacements/s; zipf: "
      "s = 1.0, the 10 hottest names take %.0f%% of lookups at 1,024 entries, %.0f%% at 262,144)\n",
      std::thread::hardware_concurrency(), o.repeats, o.seconds, o.writer_rate,
      100 * top10_share(1024), 100 * top10_share(262144));
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    double load = 0;
    if (std::fscanf(f, "%lf", &load) == 1)
      std::printf(
          "(1-minute load average at start: %.2f; the machine is shared, figures are "
          "noisy)\n",
          load);
    std::fclose(f);
  }
  std::printf(
      "floors/hit: ns per hit over ns per dependent random load at the same footprint. In the "
      "\"chained\" row each\nlookup waits for the previous one, like the floor's loads: its "
      "floors/hit is the number of dependent\ncache misses a hit takes. The other rows let the "
      "core overlap independent lookups (throughput). When the footprint fits in the "
      "core's caches the floor is a cache hit and the ratio counts the hash and compare work, not "
      "misses.\n");

  std::vector<Row> rows;
  for (int n : o.entries) {
    std::vector<Row> r = bench_size(o, n);
    rows.insert(rows.end(), r.begin(), r.end());
  }

  std::printf("\ntargets:\n");
  for (const Row& r : rows) {
    if (r.entries == 1024 || r.zipf)
      std::printf(
          "  >= 20 M hits/s per thread, %d entries, %s keys: lowest of the 4 phases %.1f M "
          "(1 reader alone %.1f M) -> %s\n",
          r.entries, r.zipf ? "zipf" : "uniform", r.lowest_rcu / 1e6, r.one_reader / 1e6,
          verdict(r.lowest_rcu >= 20e6));
  }
  // When the slots in use fit the core's own cache the floor is a cache hit: the ratio then
  // counts the hash and compare work, not misses, and the target does not apply.
  const long l2_bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  for (const Row& r : rows) {
    if (r.zipf) continue;
    const size_t footprint =
        static_cast<size_t>(r.entries) * sipedge::resolve::DnsCacheIndex::kSlotBytes;
    const bool applies = l2_bytes <= 0 || footprint > static_cast<size_t>(l2_bytes);
    std::printf(
        "  <= 2 dependent misses per hit (within 2x of the floor), %d entries, uniform: "
        "%.1f ns vs %.1f ns = %.2fx -> %s\n",
        r.entries, r.chained_ns, r.floor_ns, r.chained_ns / r.floor_ns,
        applies ? verdict(r.chained_ns <= 2 * r.floor_ns)
                : "n/a (the slots in use fit the core's L2: the floor is a cache hit)");
  }
  for (const Row& r : rows) {
    std::printf("  >= 5x the mutex map, 2 readers + writer, %d entries, %s keys: %.1fx -> %s\n",
                r.entries, r.zipf ? "zipf" : "uniform", r.ratio_2r_writer,
                verdict(r.ratio_2r_writer >= 5));
  }
  return 0;
}
