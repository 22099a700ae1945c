// The one secret every MAC of the edge is keyed from ([daemon] secret_file). Every node behind
// one SRV set and every restart must use the same file, so the branches and flow tokens one
// node made are accepted by the others and after a restart; without a file the secret is
// random per start (fine for one node that may lose responses in flight on restart).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sipedge/expected.h"

namespace sipedge::trust {

inline constexpr size_t kMinSecretBytes = 32;
inline constexpr size_t kMaxSecretBytes = 4096;

class EdgeSecret {
 public:
  // Reads `path`: a regular file of kMinSecretBytes..kMaxSecretBytes bytes (trailing CR/LF not
  // counted, so an editor's newline does not change the key), readable by its owner only
  // (group/world read or write bits refuse it). The error names the path and the fault.
  static Expected<EdgeSecret, std::string> from_file(const std::string& path);
  // 32 random bytes from getrandom(); the error says why there were none.
  static Expected<EdgeSecret, std::string> random();
  // Secret bytes given directly (tests, benchmarks); at least kMinSecretBytes.
  static Expected<EdgeSecret, std::string> from_bytes(std::string_view bytes);

  // A 16-byte key for one purpose: the first half of HMAC-SHA-256(secret, label). Distinct
  // labels give independent keys, so a key leaked from one use says nothing of another.
  std::array<uint8_t, 16> derive(std::string_view label) const;
  bool loaded_from_file() const { return from_file_; }

 private:
  EdgeSecret() = default;
  std::vector<uint8_t> bytes_;
  bool from_file_ = false;
};

}  // namespace sipedge::trust
