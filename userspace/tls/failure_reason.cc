#include "tls/failure_reason.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace sipedge::tls {

std::string_view failure_reason_name(FailureReason reason) {
  switch (reason) {
    case FailureReason::kNone:
      return "none";
    case FailureReason::kExpired:
      return "expired";
    case FailureReason::kNotYetValid:
      return "not_yet_valid";
    case FailureReason::kUnknownCa:
      return "unknown_ca";
    case FailureReason::kNameMismatch:
      return "name_mismatch";
    case FailureReason::kNoPeerCertificate:
      return "no_peer_certificate";
    case FailureReason::kProtocol:
      return "protocol";
    case FailureReason::kClosed:
      return "closed";
    case FailureReason::kOther:
      return "other";
  }
  return "other";
}

FailureReason failure_from_verify_result(long verify_result) {
  switch (verify_result) {
    case X509_V_OK:
      return FailureReason::kNone;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return FailureReason::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return FailureReason::kNotYetValid;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return FailureReason::kNameMismatch;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
      return FailureReason::kUnknownCa;
    default:
      return FailureReason::kOther;
  }
}

namespace {

// A received alert is reported by libssl as reason SSL_AD_REASON_OFFSET + alert code.
FailureReason failure_from_alert(int alert) {
  switch (alert) {
    case SSL_AD_CERTIFICATE_EXPIRED:
      return FailureReason::kExpired;
    case SSL_AD_UNKNOWN_CA:
      return FailureReason::kUnknownCa;
    case SSL_AD_CERTIFICATE_REQUIRED:
      return FailureReason::kNoPeerCertificate;
    default:
      return FailureReason::kProtocol;
  }
}

}  // namespace

FailureReason classify_failure(unsigned long ssl_error, long verify_result) {
  // Our own verification result is the most precise account of a certificate we refused.
  if (verify_result != X509_V_OK) return failure_from_verify_result(verify_result);
  if (ssl_error == 0 || ERR_GET_LIB(ssl_error) != ERR_LIB_SSL) return FailureReason::kOther;
  const int reason = ERR_GET_REASON(ssl_error);
  if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    return failure_from_alert(reason - SSL_AD_REASON_OFFSET);
  }
  switch (reason) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return FailureReason::kNoPeerCertificate;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return FailureReason::kClosed;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return FailureReason::kOther;
    default:
      return FailureReason::kProtocol;
  }
}

}  // namespace sipedge::tls
