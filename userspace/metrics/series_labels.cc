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
std::string_view tls_failure_label(TlsFailure f) { return lookup(kTlsFailureNames, f); }
std::string_view tls_version_label(TlsVersion v) { return lookup(kTlsVersionNames, v); }
std::string_view verdict_label(uint8_t verdict) { return lookup(kVerdictNames, verdict); }

}  // namespace sipedge::metrics
