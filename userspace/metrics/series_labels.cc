#include "metrics/series_labels.h"

#include <array>

namespace sipedge::metrics {
namespace {

constexpr std::array<std::string_view, count_of<Method>()> kMethodNames = {
    "INVITE",  "ACK",  "BYE",    "CANCEL", "OPTIONS", "REGISTER", "SUBSCRIBE", "NOTIFY",
    "MESSAGE", "INFO", "UPDATE", "PRACK",  "REFER",   "PUBLISH",  "OTHER"};
constexpr std::array<std::string_view, count_of<Direction>()> kDirectionNames = {"in", "out"};
constexpr std::array<std::string_view, count_of<ParseFailure>()> kParseFailureNames = {
    "truncated",      "too_large",        "bad_start_line", "bad_version", "bad_header",
    "missing_header", "duplicate_header", "mismatch",       "bad_uri",     "garbage"};
constexpr std::array<std::string_view, count_of<ResolveOutcome>()> kOutcomeNames = {
    "targets", "no_targets", "dns_failure", "static_route", "numeric"};
constexpr std::array<std::string_view, count_of<DropReason>()> kDropNames = {
    "pending_queue_full", "write_queue_full", "connection_limit", "source_connection_limit",
    "response_not_ours",  "unanswerable",     "send_failed"};
constexpr std::array<std::string_view, count_of<ResponseDropReason>()> kResponseDropNames = {
    "not_ours", "forged_branch", "malformed", "unsupported_transport", "policy", "send_failed"};
constexpr std::array<std::string_view, count_of<Event>()> kEventNames = {
    "response_flow_gone",  "response_flow_elsewhere", "replies_limited",
    "accept_backoffs",     "local_socket_failures",   "udp_send_failures",
    "icmp_errors_ignored", "icmp_quarantines",        "stream_message_timeouts",
    "write_stalls",        "stream_buffer_sheds",     "congested_failovers",
    "over_mtu_to_tcp"};
constexpr std::array<std::string_view, count_of<Event>()> kEventHelp = {
    "Responses whose connection had closed, sent on a new connection (RFC 3261 18.2.2).",
    "Responses whose connection belongs to another worker, sent on a new connection.",
    "Generated replies withheld by the per-source reply budget.",
    "Times accept hit the descriptor limit and backed off.",
    "Local socket failures towards a next hop (the hop is not blamed).",
    "Datagrams the kernel refused to send.",
    "ICMP errors that did not make a hop fail (type, or a hop that answers).",
    "ICMP errors that quarantined a next hop.",
    "Stream connections closed because a message did not complete in time.",
    "Stream connections closed because their write queue stalled.",
    "Stream connections closed to keep buffered bytes within the process budget.",
    "Requests that tried the next target because a next hop's write queue was full.",
    "Requests larger than the path MTU allows sent over TCP instead (RFC 3261 18.1.1)."};
constexpr std::array<std::string_view, count_of<TlsFailure>()> kTlsFailureNames = {
    "expired",  "not_yet_valid", "unknown_ca", "name_mismatch", "no_peer_certificate",
    "protocol", "closed",        "other",      "timeout"};
constexpr std::array<std::string_view, count_of<TlsVersion>()> kTlsVersionNames = {
    "TLSv1.2", "TLSv1.3", "other"};
constexpr std::array<std::string_view, kVerdictCount> kVerdictNames = {"allow", "reject"};

template <typename E, size_t N>
std::string_view lookup(const std::array<std::string_view, N>& names, E value) {
  auto i = static_cast<size_t>(value);
  return i < N ? names[i] : std::string_view("unknown");
}

}  // namespace

Method method_from(std::string_view token) {
  // kOther is the last name; every name before it is an RFC method.
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i)
    if (kMethodNames[i] == token) return static_cast<Method>(i);
  return Method::kOther;
}

std::string_view method_label(Method m) { return lookup(kMethodNames, m); }
std::string_view direction_label(Direction d) { return lookup(kDirectionNames, d); }
std::string_view parse_failure_label(ParseFailure f) { return lookup(kParseFailureNames, f); }
std::string_view resolve_outcome_label(ResolveOutcome o) { return lookup(kOutcomeNames, o); }
std::string_view drop_reason_label(DropReason r) { return lookup(kDropNames, r); }
std::string_view response_drop_label(ResponseDropReason r) { return lookup(kResponseDropNames, r); }
std::string_view event_label(Event e) { return lookup(kEventNames, e); }
std::string_view event_help(Event e) { return lookup(kEventHelp, e); }
std::string_view tls_failure_label(TlsFailure f) { return lookup(kTlsFailureNames, f); }
std::string_view tls_version_label(TlsVersion v) { return lookup(kTlsVersionNames, v); }
std::string_view verdict_label(uint8_t verdict) { return lookup(kVerdictNames, verdict); }

}  // namespace sipedge::metrics
