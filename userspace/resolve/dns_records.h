// Parsed DNS data as the resolver and the cache hold it: record types, the outcome of one
// query (kept distinct: NOERROR, NODATA, NXDOMAIN, SERVFAIL, TIMEOUT) and the records.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipedge::resolve {

enum class RrType : uint16_t {
  kA = 1,
  kCname = 5,
  kSoa = 6,
  kAaaa = 28,
  kSrv = 33,
  kNaptr = 35,
};

// "A", "AAAA", "SRV", ... as printed in steps and JSON.
std::string_view rr_type_name(RrType type);

enum class DnsStatus : uint8_t {
  kNoError,   // records of the asked type exist (possibly after a CNAME chain)
  kNoData,    // the name exists, no records of that type (NOERROR, empty answer)
  kNxDomain,  // the name does not exist
  kServFail,  // the server failed or refused (SERVFAIL, REFUSED, NOTIMP, FORMERR, bad answer)
  kTimeout,   // no server answered (timeout, connection refused)
  kBadName,   // the name cannot be asked (a label over 63 octets, a name over 255): not sent
};

// The JSON contract's rcode: NODATA is NOERROR with zero answers.
std::string_view dns_status_rcode(DnsStatus status);

// True for outcomes that say nothing about the data (the upstream failed): these are not
// cached and are the trigger for serve-stale.
inline bool is_upstream_failure(DnsStatus s) {
  return s == DnsStatus::kServFail || s == DnsStatus::kTimeout;
}

struct IpAddress {
  uint8_t family = 4;  // 4 or 6
  std::array<uint8_t, 16> bytes{};

  // Dotted quad or RFC 5952 text (no brackets).
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  // lower-case, no trailing dot; "." means "not available here"
  bool operator==(const SrvRecord&) const = default;
};

struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;    // as on the wire
  std::string service;  // e.g. "SIPS+D2T"
  std::string regexp;
  std::string replacement;  // lower-case, no trailing dot
};

// The outcome of one (name, type) lookup after any CNAME chain: what the cache stores.
struct DnsAnswer {
  DnsStatus status = DnsStatus::kTimeout;
  // Seconds this answer may be cached: the smallest TTL on the chain (positive answers) or
  // min(SOA TTL, SOA minimum) (RFC 2308, negative answers). 0 with has_ttl=false: uncachable.
  uint32_t ttl = 0;
  bool has_ttl = false;
  std::string canonical_name;  // the name the records belong to (after CNAMEs)
  std::vector<NaptrRecord> naptr;
  std::vector<SrvRecord> srv;
  std::vector<IpAddress> addresses;
  // The response held more records of the asked type than kMaxAnswerRecords: the first
  // ones were kept (a bounded entry), the rest dropped.
  bool truncated = false;

  // Number of records of the asked type.
  size_t record_count() const { return naptr.size() + srv.size() + addresses.size(); }
};

// True when `name` (normalised) can be sent as a query: non-empty labels of at most 63
// octets, at most 253 characters in total (255 octets on the wire).
bool is_valid_dns_name(std::string_view name);

// Lower-cases an ASCII DNS name and drops one trailing dot.
std::string normalize_dns_name(std::string_view name);

}  // namespace sipedge::resolve
