// The metric labels and the OpenSSL-error -> reason mapping for cases a handshake test cannot
// easily provoke.
#include "tls/failure_reason.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <set>
#include <string>

namespace sipedge::tls {
namespace {

TEST(FailureReason, EveryReasonHasADistinctMetricLabel) {
  std::set<std::string> names;
  for (int r = 0; r <= static_cast<int>(FailureReason::kOther); ++r) {
    names.insert(std::string(failure_reason_name(static_cast<FailureReason>(r))));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(FailureReason::kOther) + 1);
  EXPECT_EQ(failure_reason_name(FailureReason::kExpired), "expired");
  EXPECT_EQ(failure_reason_name(FailureReason::kUnknownCa), "unknown_ca");
  EXPECT_EQ(failure_reason_name(FailureReason::kNameMismatch), "name_mismatch");
  EXPECT_EQ(failure_reason_name(FailureReason::kProtocol), "protocol");
}

TEST(FailureReason, OwnVerificationResultWins) {
  const unsigned long verify_failed = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED);
  EXPECT_EQ(classify_failure(verify_failed, X509_V_ERR_CERT_HAS_EXPIRED), FailureReason::kExpired);
  EXPECT_EQ(classify_failure(verify_failed, X509_V_ERR_CERT_NOT_YET_VALID),
            FailureReason::kNotYetValid);
  EXPECT_EQ(classify_failure(verify_failed, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN),
            FailureReason::kUnknownCa);
  EXPECT_EQ(classify_failure(verify_failed, X509_V_ERR_HOSTNAME_MISMATCH),
            FailureReason::kNameMismatch);
  EXPECT_EQ(classify_failure(verify_failed, X509_V_ERR_CERT_REVOKED), FailureReason::kOther);
}

TEST(FailureReason, PeerAlertsMapToTheReasonTheyName) {
  auto alert = [](int code) {
    return classify_failure(ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + code), X509_V_OK);
  };
  EXPECT_EQ(alert(SSL_AD_UNKNOWN_CA), FailureReason::kUnknownCa);
  EXPECT_EQ(alert(SSL_AD_CERTIFICATE_EXPIRED), FailureReason::kExpired);
  EXPECT_EQ(alert(SSL_AD_CERTIFICATE_REQUIRED), FailureReason::kNoPeerCertificate);
  EXPECT_EQ(alert(SSL_AD_HANDSHAKE_FAILURE), FailureReason::kProtocol);
  EXPECT_EQ(alert(SSL_AD_BAD_CERTIFICATE), FailureReason::kProtocol);
}

TEST(FailureReason, NonSslErrorsAreOther) {
  EXPECT_EQ(classify_failure(0, X509_V_OK), FailureReason::kOther);
  EXPECT_EQ(classify_failure(ERR_PACK(ERR_LIB_EVP, 0, 1), X509_V_OK), FailureReason::kOther);
  EXPECT_EQ(classify_failure(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_VERSION_NUMBER), X509_V_OK),
            FailureReason::kProtocol);
}

}  // namespace
}  // namespace sipedge::tls
