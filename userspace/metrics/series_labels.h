// The label dimensions of the router's metrics (method, direction, parse failure, resolve
// outcome, drop reason) and the label text each value has in the exposition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipedge::metrics {

enum class Method : uint8_t {
  kInvite,
  kAck,
  kBye,
  kCancel,
  kOptions,
  kRegister,
  kSubscribe,
  kNotify,
  kMessage,
  kInfo,
  kUpdate,
  kPrack,
  kRefer,
  kPublish,
  kOther,
  kCount
};

enum class Direction : uint8_t { kIn, kOut, kCount };

enum class ParseFailure : uint8_t {
  kTruncated,
  kTooLarge,
  kBadStartLine,
  kBadVersion,
  kBadHeader,
  kMissingHeader,
  kDuplicateHeader,
  kMismatch,
  kBadUri,
  kGarbage,  // not SIP at all
  kCount
};

enum class ResolveOutcome : uint8_t {
  kTargets,
  kNoTargets,
  kDnsFailure,
  kStaticRoute,
  kNumeric,
  kCount
};

enum class DropReason : uint8_t {
  kPendingQueueFull,
  kWriteQueueFull,
  kConnectionLimit,
  kSourceConnectionLimit,
  kResponseNotOurs,
  kUnanswerable,
  kSendFailed,
  kCount
};

// Why a response was not forwarded (proxy::ResponseDrop, minus kNone).
enum class ResponseDropReason : uint8_t {
  kNotOurs,
  kForgedBranch,
  kMalformed,
  kUnsupportedTransport,
  kPolicy,
  kSendFailed,
  kCount
};

// Events at the trust boundary and the process-wide budgets, each its own counter series
// (sipedge_<label>_total).
enum class Event : uint8_t {
  kResponseFlowGone,       // the connection a response names closed: §18.2.2 reconnect
  kResponseFlowElsewhere,  // the connection belongs to another worker
  kRepliesLimited,         // a generated reply withheld by the per-source reply budget
  kAcceptBackoff,          // accept hit EMFILE/ENFILE: backed off instead of spinning
  kLocalSocketFailure,     // a socket() for a next hop failed locally (not the hop's fault)
  kUdpSendFailed,          // a datagram the kernel refused
  kIcmpIgnored,            // an ICMP error that does not make a hop fail
  kIcmpHopQuarantined,     // an ICMP error that quarantined a hop
  kMessageTimeout,         // a stream message not complete within tcp_message_timeout_ms
  kWriteStalled,           // a write queue that made no progress within its deadline
  kStreamBufferShed,       // a connection closed to keep buffered bytes within budget
  kCongestedFailover,      // a full write queue made the request try the next target
  kOverMtuToTcp,           // a request larger than MTU - 200 sent over TCP (§18.1.1)
  kCount
};

// Why a TLS handshake failed (the same order as tls::FailureReason, minus kNone).
enum class TlsFailure : uint8_t {
  kExpired,
  kNotYetValid,
  kUnknownCa,
  kNameMismatch,
  kNoPeerCertificate,
  kProtocol,
  kClosed,
  kOther,
  kTimeout,  // the handshake did not finish in time (the router's own reason)
  kCount
};

enum class TlsVersion : uint8_t { kTls12, kTls13, kOther, kCount };

// Policy verdicts as count_policy() takes them.
inline constexpr uint8_t kVerdictAllow = 0;
inline constexpr uint8_t kVerdictReject = 1;
inline constexpr size_t kVerdictCount = 2;

// Number of values of a label enum (its kCount).
template <typename E>
constexpr size_t count_of() {
  return static_cast<size_t>(E::kCount);
}

// The method of a request-line token; RFC names match exactly (case-sensitive, RFC 3261
// §7.1), anything else is kOther.
Method method_from(std::string_view token);

// "INVITE" ... "PUBLISH", "OTHER".
std::string_view method_label(Method m);
// "in" | "out".
std::string_view direction_label(Direction d);
// "truncated", "too_large", ..., "garbage".
std::string_view parse_failure_label(ParseFailure f);
// "targets", "no_targets", "dns_failure", "static_route", "numeric".
std::string_view resolve_outcome_label(ResolveOutcome o);
// "pending_queue_full", ..., "send_failed".
std::string_view drop_reason_label(DropReason r);
// "not_ours", "forged_branch", "malformed", "unsupported_transport", "policy", "send_failed".
std::string_view response_drop_label(ResponseDropReason r);
// The series name part: "response_flow_gone", "replies_limited", ...
std::string_view event_label(Event e);
// The HELP text of an event's series.
std::string_view event_help(Event e);
// "expired", "not_yet_valid", "unknown_ca", "name_mismatch", "no_peer_certificate",
// "protocol", "closed", "other", "timeout".
std::string_view tls_failure_label(TlsFailure f);
// "TLSv1.2" | "TLSv1.3" | "other".
std::string_view tls_version_label(TlsVersion v);
// "allow" | "reject".
std::string_view verdict_label(uint8_t verdict);

}  // namespace sipedge::metrics
