// RFC 3263 §4.1 NAPTR filtering and the sips:/sip: service rules (R3, R4).
#include "resolve/naptr_selection.h"

#include <gtest/gtest.h>

namespace sipedge::resolve {
namespace {

const std::vector<Transport> kAll = {Transport::kUdp, Transport::kTcp, Transport::kTls,
                                     Transport::kWs, Transport::kWss};

NaptrRecord rec(uint16_t order, uint16_t pref, const char* service, const char* repl,
                const char* flags = "s", const char* regexp = "") {
  return NaptrRecord{order, pref, flags, service, regexp, repl};
}

TEST(NaptrSelection, RecognisesTheServicesTheRouterSpeaks) {
  EXPECT_EQ(naptr_service_transport("SIP+D2U"), Transport::kUdp);
  EXPECT_EQ(naptr_service_transport("sip+d2t"), Transport::kTcp);
  EXPECT_EQ(naptr_service_transport("SIPS+D2T"), Transport::kTls);
  EXPECT_EQ(naptr_service_transport("SIP+D2W"), Transport::kWs);
  EXPECT_EQ(naptr_service_transport("SIPS+D2W"), Transport::kWss);
  EXPECT_EQ(naptr_service_transport("SIP+D2S"), std::nullopt);
  EXPECT_EQ(naptr_service_transport("SIPS+D2S"), std::nullopt);
}

TEST(NaptrSelection, OrderThenPreference) {
  auto out = select_naptr(
      {rec(20, 1, "SIP+D2U", "u"), rec(10, 50, "SIP+D2T", "t"), rec(10, 5, "SIPS+D2W", "w")}, false,
      kAll);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].srv_name, "w");
  EXPECT_EQ(out[1].srv_name, "t");
  EXPECT_EQ(out[2].srv_name, "u");
}

TEST(NaptrSelection, OnlyFlagSWithoutRegexp) {
  auto out =
      select_naptr({rec(10, 1, "SIP+D2U", "a", "u"), rec(10, 2, "SIP+D2U", "b", "s", "!x!y!"),
                    rec(10, 3, "SIP+D2U", "c", "S")},
                   false, kAll);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].srv_name, "c");
}

TEST(NaptrSelection, R3_SipsKeepsOnlySipsServices) {
  auto out = select_naptr({rec(10, 1, "SIP+D2U", "u"), rec(20, 1, "SIPS+D2T", "t"),
                           rec(30, 1, "SIP+D2W", "w"), rec(40, 1, "SIPS+D2W", "ws")},
                          true, kAll);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].transport, Transport::kTls);
  EXPECT_EQ(out[1].transport, Transport::kWss);
}

TEST(NaptrSelection, R4_SipMaySelectSipsD2T) {
  auto out = select_naptr({rec(10, 1, "SIPS+D2T", "t"), rec(20, 1, "SIP+D2U", "u")}, false, kAll);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].transport, Transport::kTls);
}

TEST(NaptrSelection, ServicesOutsideTheAcceptedListAreSkipped) {
  auto out = select_naptr({rec(10, 1, "SIP+D2W", "w"), rec(20, 1, "SIP+D2U", "u")}, false,
                          {Transport::kUdp});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].transport, Transport::kUdp);
}

}  // namespace
}  // namespace sipedge::resolve
