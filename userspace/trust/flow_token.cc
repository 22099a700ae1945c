#include "trust/flow_token.h"

namespace sipedge::trust {
namespace {
constexpr char kHex[] = "0123456789abcdef";
}

uint64_t pack(const FlowToken& t) {
  return (static_cast<uint64_t>(static_cast<uint8_t>(t.kind) & 0xf) << 60) |
         (static_cast<uint64_t>(t.worker) << 52) |
         (static_cast<uint64_t>(t.slot & kMaxFlowSlot) << 24) |
         static_cast<uint64_t>(t.generation & kFlowGenerationMask);
}

std::optional<FlowToken> unpack(uint64_t v) {
  uint8_t kind = static_cast<uint8_t>(v >> 60);
  if (kind < static_cast<uint8_t>(FlowKind::kUdp) || kind > static_cast<uint8_t>(FlowKind::kWss))
    return std::nullopt;
  FlowToken t;
  t.kind = static_cast<FlowKind>(kind);
  t.worker = static_cast<uint8_t>(v >> 52);
  t.slot = static_cast<uint32_t>(v >> 24) & kMaxFlowSlot;
  t.generation = static_cast<uint32_t>(v) & kFlowGenerationMask;
  return t;
}

void put_hex64(uint64_t v, std::span<char, 16> out) {
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[v & 0xf];
    v >>= 4;
  }
}

std::optional<uint64_t> parse_hex64(std::span<const char, 16> in) {
  uint64_t v = 0;
  for (char c : in) {
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}

}  // namespace sipedge::trust
