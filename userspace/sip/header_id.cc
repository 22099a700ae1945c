#include "sip/header_id.h"

#include <array>
#include <cstring>

#include "sip/char_class.h"

namespace sipedge::sip {
namespace {

struct NameEntry {
  std::string_view name;  // lower case
  HeaderId id;
};

// Full names first (canonical), compact forms after.
constexpr NameEntry kNames[] = {
    {"via", HeaderId::kVia},
    {"from", HeaderId::kFrom},
    {"to", HeaderId::kTo},
    {"call-id", HeaderId::kCallId},
    {"cseq", HeaderId::kCSeq},
    {"max-forwards", HeaderId::kMaxForwards},
    {"content-length", HeaderId::kContentLength},
    {"content-type", HeaderId::kContentType},
    {"content-encoding", HeaderId::kContentEncoding},
    {"contact", HeaderId::kContact},
    {"route", HeaderId::kRoute},
    {"record-route", HeaderId::kRecordRoute},
    {"date", HeaderId::kDate},
    {"expires", HeaderId::kExpires},
    {"min-expires", HeaderId::kMinExpires},
    {"retry-after", HeaderId::kRetryAfter},
    {"warning", HeaderId::kWarning},
    {"require", HeaderId::kRequire},
    {"proxy-require", HeaderId::kProxyRequire},
    {"supported", HeaderId::kSupported},
    {"unsupported", HeaderId::kUnsupported},
    {"allow", HeaderId::kAllow},
    {"subject", HeaderId::kSubject},
    {"event", HeaderId::kEvent},
    {"allow-events", HeaderId::kAllowEvents},
    {"accept", HeaderId::kAccept},
    {"refer-to", HeaderId::kReferTo},
    {"referred-by", HeaderId::kReferredBy},
    {"session-expires", HeaderId::kSessionExpires},
    {"accept-contact", HeaderId::kAcceptContact},
    {"reject-contact", HeaderId::kRejectContact},
    {"request-disposition", HeaderId::kRequestDisposition},
    {"identity", HeaderId::kIdentity},
    {"identity-info", HeaderId::kIdentityInfo},
    {"authorization", HeaderId::kAuthorization},
    {"proxy-authorization", HeaderId::kProxyAuthorization},
    {"www-authenticate", HeaderId::kWwwAuthenticate},
    {"proxy-authenticate", HeaderId::kProxyAuthenticate},
    {"user-agent", HeaderId::kUserAgent},
    {"server", HeaderId::kServer},
    // compact forms: RFC 3261 §7.3.3, RFC 3265 (o, u), RFC 3515 (r), RFC 4028 (x),
    // RFC 3841 (a, j, d), RFC 3892 (b), RFC 4474 (y, n), RFC 3261 (e).
    {"i", HeaderId::kCallId},
    {"m", HeaderId::kContact},
    {"e", HeaderId::kContentEncoding},
    {"l", HeaderId::kContentLength},
    {"c", HeaderId::kContentType},
    {"f", HeaderId::kFrom},
    {"s", HeaderId::kSubject},
    {"k", HeaderId::kSupported},
    {"t", HeaderId::kTo},
    {"v", HeaderId::kVia},
    {"o", HeaderId::kEvent},
    {"u", HeaderId::kAllowEvents},
    {"r", HeaderId::kReferTo},
    {"x", HeaderId::kSessionExpires},
    {"a", HeaderId::kAcceptContact},
    {"j", HeaderId::kRejectContact},
    {"d", HeaderId::kRequestDisposition},
    {"b", HeaderId::kReferredBy},
    {"y", HeaderId::kIdentity},
    {"n", HeaderId::kIdentityInfo},
};
constexpr size_t kNameCount = sizeof(kNames) / sizeof(kNames[0]);

constexpr size_t kMaxNameLength = 24;
constexpr size_t kMaxPerLength = 8;

// Full names grouped by length (then told apart by first letter and a word compare), and
// the one-letter compact forms indexed directly by their letter.
struct Index {
  std::array<std::array<uint8_t, kMaxPerLength>, kMaxNameLength + 1> by_length{};  // idx+1
  std::array<HeaderId, 26> compact{};
};

constexpr Index make_index() {
  Index idx{};
  for (size_t i = 0; i < kNameCount; ++i) {
    std::string_view n = kNames[i].name;
    if (n.size() == 1) {
      idx.compact[static_cast<size_t>(n[0] - 'a')] = kNames[i].id;
      continue;
    }
    auto& b = idx.by_length[n.size()];
    size_t s = 0;
    while (s < kMaxPerLength && b[s] != 0) ++s;
    if (s == kMaxPerLength) throw "too many header names of one length";  // compile error
    b[s] = static_cast<uint8_t>(i + 1);
  }
  return idx;
}

constexpr Index kIndex = make_index();

template <typename T>
inline T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Compares a token with a lower-case table name a word at a time (overlapping loads cover
// the tail). OR-ing 0x20 folds A-Z onto a-z; the one other byte it could turn into a table
// byte is CR (into '-'), and a token never holds CR. Table bytes all have 0x20 set already.
inline bool token_equals_lower(std::string_view lower, std::string_view token) {
  const size_t n = token.size();
  if (lower.size() != n) return false;
  const char* t = token.data();
  const char* l = lower.data();
  if (n >= 8) {
    constexpr uint64_t kFold = 0x2020202020202020ull;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      if ((load<uint64_t>(t + i) | kFold) != load<uint64_t>(l + i)) return false;
    }
    return (load<uint64_t>(t + n - 8) | kFold) == load<uint64_t>(l + n - 8);
  }
  if (n >= 4) {
    constexpr uint32_t kFold = 0x20202020u;
    return (load<uint32_t>(t) | kFold) == load<uint32_t>(l) &&
           (load<uint32_t>(t + n - 4) | kFold) == load<uint32_t>(l + n - 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<char>(t[i] | 0x20) != l[i]) return false;
  }
  return true;
}

}  // namespace

HeaderId lookup_header_id(std::string_view name) {
  const size_t n = name.size();
  if (n == 1) {
    char c = static_cast<char>(name[0] | 0x20);
    return (c >= 'a' && c <= 'z') ? kIndex.compact[static_cast<size_t>(c - 'a')]
                                  : HeaderId::kUnknown;
  }
  if (n == 0 || n > kMaxNameLength) return HeaderId::kUnknown;
  const char first = static_cast<char>(name[0] | 0x20);
  for (uint8_t slot : kIndex.by_length[n]) {
    if (slot == 0) break;
    const NameEntry& e = kNames[slot - 1];
    if (e.name[0] == first && token_equals_lower(e.name, name)) return e.id;
  }
  return HeaderId::kUnknown;
}

std::string_view header_canonical_name(HeaderId id) {
  static constexpr std::string_view kCanonical[] = {
      "",
      "Via",
      "From",
      "To",
      "Call-ID",
      "CSeq",
      "Max-Forwards",
      "Content-Length",
      "Content-Type",
      "Content-Encoding",
      "Contact",
      "Route",
      "Record-Route",
      "Date",
      "Expires",
      "Min-Expires",
      "Retry-After",
      "Warning",
      "Require",
      "Proxy-Require",
      "Supported",
      "Unsupported",
      "Allow",
      "Subject",
      "Event",
      "Allow-Events",
      "Accept",
      "Refer-To",
      "Referred-By",
      "Session-Expires",
      "Accept-Contact",
      "Reject-Contact",
      "Request-Disposition",
      "Identity",
      "Identity-Info",
      "Authorization",
      "Proxy-Authorization",
      "WWW-Authenticate",
      "Proxy-Authenticate",
      "User-Agent",
      "Server",
  };
  static_assert(sizeof(kCanonical) / sizeof(kCanonical[0]) == kHeaderIdCount);
  return kCanonical[static_cast<int>(id)];
}

}  // namespace sipedge::sip
