// Why a TLS handshake failed, as counted by the metrics and used for RFC 3263 failover.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipedge::tls {

enum class FailureReason : uint8_t {
  kNone,
  kExpired,
  kNotYetValid,
  kUnknownCa,
  kNameMismatch,
  kNoPeerCertificate,
  kProtocol,  // version/cipher mismatch, an unexpected alert, garbage on the wire
  kClosed,    // the peer closed mid-handshake
  kOther,
};

// The metric label value: "none", "expired", "not_yet_valid", "unknown_ca", "name_mismatch",
// "no_peer_certificate", "protocol", "closed", "other".
std::string_view failure_reason_name(FailureReason reason);

// Maps an X509_V_ERR_* verification result of this side to a reason (kNone for X509_V_OK).
FailureReason failure_from_verify_result(long verify_result);

// Maps the libssl error that ended a handshake plus this side's verification result to a
// reason. Alerts from the peer count too: "unknown ca" -> kUnknownCa, "certificate expired"
// -> kExpired, "certificate required" -> kNoPeerCertificate, any other alert -> kProtocol.
FailureReason classify_failure(unsigned long ssl_error, long verify_result);

}  // namespace sipedge::tls
