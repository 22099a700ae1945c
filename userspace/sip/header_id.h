// Known SIP header names, their compact forms (RFC 3261 §7.3.3 and later RFCs), and a
// case-insensitive lookup that costs a hash and at most a few compares per header.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipedge::sip {

enum class HeaderId : uint8_t {
  kUnknown = 0,
  kVia,
  kFrom,
  kTo,
  kCallId,
  kCSeq,
  kMaxForwards,
  kContentLength,
  kContentType,
  kContentEncoding,
  kContact,
  kRoute,
  kRecordRoute,
  kDate,
  kExpires,
  kMinExpires,
  kRetryAfter,
  kWarning,
  kRequire,
  kProxyRequire,
  kSupported,
  kUnsupported,
  kAllow,
  kSubject,
  kEvent,
  kAllowEvents,
  kAccept,
  kReferTo,
  kReferredBy,
  kSessionExpires,
  kAcceptContact,
  kRejectContact,
  kRequestDisposition,
  kIdentity,
  kIdentityInfo,
  kAuthorization,
  kProxyAuthorization,
  kWwwAuthenticate,
  kProxyAuthenticate,
  kUserAgent,
  kServer,
  kCount,  // number of ids; not a header
};

inline constexpr int kHeaderIdCount = static_cast<int>(HeaderId::kCount);

// Maps a header field name (full or compact form, any case) to its id; kUnknown otherwise.
HeaderId lookup_header_id(std::string_view name);

// The canonical full name of a known header ("Call-ID"); "" for kUnknown.
std::string_view header_canonical_name(HeaderId id);

}  // namespace sipedge::sip
