// A flow token names what a message arrived on and what its answer must leave on (DESIGN.md,
// flows): a UDP listener, or a stream connection (worker, slot, generation). It travels in
// our Via branch under the branch MAC, so a response can only name a flow the edge made.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace sipedge::trust {

enum class FlowKind : uint8_t { kUdp = 1, kTcp = 2, kTls = 3, kWs = 4, kWss = 5 };

struct FlowToken {
  FlowKind kind = FlowKind::kUdp;
  // Streams: the worker owning the connection; UDP: 0 (any worker's socket bound to the
  // listener serves, they share the address).
  uint8_t worker = 0;
  uint32_t slot = 0;        // streams: connection slot (< 2^28); UDP: listener index
  uint32_t generation = 0;  // streams: the slot's generation (< 2^24); UDP: 0

  bool is_stream() const { return kind != FlowKind::kUdp; }
  bool operator==(const FlowToken&) const = default;
};

inline constexpr uint32_t kMaxFlowSlot = (1u << 28) - 1;
inline constexpr uint32_t kFlowGenerationMask = (1u << 24) - 1;

// Packs a token into 64 bits: kind (4) | worker (8) | slot (28) | generation (24). Slots
// and generations beyond their widths are masked.
uint64_t pack(const FlowToken& t);
// The token packed in `v`, or nullopt when its kind is not one we make.
std::optional<FlowToken> unpack(uint64_t v);

// 16 lower-case hex digits of `v` into out; the parse of exactly 16 hex digits (either case
// is refused but lower: we only ever write lower case).
void put_hex64(uint64_t v, std::span<char, 16> out);
std::optional<uint64_t> parse_hex64(std::span<const char, 16> in);

}  // namespace sipedge::trust
