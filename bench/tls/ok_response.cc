#include "ok_response.h"

#include <strings.h>

#include <cstring>

namespace sipedge::bench {
namespace {

enum class Copy { kNone, kVia, kFrom, kTo, kCallId, kCSeq };

bool name_is(std::string_view name, std::string_view full, char compact) {
  if (name.size() == 1) return compact != 0 && (name[0] | 0x20) == compact;
  return name.size() == full.size() && strncasecmp(name.data(), full.data(), full.size()) == 0;
}

Copy kind_of(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name_is(name, "Via", 'v')) return Copy::kVia;
  if (name_is(name, "From", 'f')) return Copy::kFrom;
  if (name_is(name, "To", 't')) return Copy::kTo;
  if (name_is(name, "Call-ID", 'i')) return Copy::kCallId;
  if (name_is(name, "CSeq", 0)) return Copy::kCSeq;
  return Copy::kNone;
}

// Appends text at *at within out; false when it does not fit.
bool put(std::span<char> out, size_t* at, std::string_view text) {
  if (*at + text.size() > out.size()) return false;
  std::memcpy(out.data() + *at, text.data(), text.size());
  *at += text.size();
  return true;
}

}  // namespace

size_t build_ok_response(std::string_view request, std::span<char> out) {
  size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return 0;
  std::string_view head = request.substr(0, head_end + 2);
  size_t line_end = head.find("\r\n");
  size_t at = 0;
  if (!put(out, &at, "SIP/2.0 200 OK\r\n")) return 0;
  unsigned seen = 0;  // one bit per Copy kind
  for (size_t pos = line_end + 2; pos < head.size(); pos = line_end + 2) {
    line_end = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, line_end - pos);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    Copy kind = kind_of(line.substr(0, colon));
    if (kind == Copy::kNone) continue;
    seen |= 1u << static_cast<unsigned>(kind);
    if (!put(out, &at, line)) return 0;
    // A request's To has no tag yet; the response must add one (RFC 3261 §8.2.6.2).
    if (kind == Copy::kTo && line.find(";tag=") == std::string_view::npos &&
        !put(out, &at, ";tag=tlsbench")) {
      return 0;
    }
    if (!put(out, &at, "\r\n")) return 0;
  }
  constexpr unsigned kAll =
      (1u << static_cast<unsigned>(Copy::kVia)) | (1u << static_cast<unsigned>(Copy::kFrom)) |
      (1u << static_cast<unsigned>(Copy::kTo)) | (1u << static_cast<unsigned>(Copy::kCallId)) |
      (1u << static_cast<unsigned>(Copy::kCSeq));
  if ((seen & kAll) != kAll) return 0;
  if (!put(out, &at, "Content-Length: 0\r\n\r\n")) return 0;
  return at;
}

}  // namespace sipedge::bench
