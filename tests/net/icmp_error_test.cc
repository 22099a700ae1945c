// ICMP is a hint (issue 18 item 7): the table below is written from RFC 792 / RFC 1812 and
// RFC 4443 by number, not from the constants the code uses, so a wrong constant shows.
#include "net/icmp_error.h"

#include <gtest/gtest.h>

#include <string>

namespace sipedge::net {
namespace {

// sock_extended_err ee_origin values (linux/errqueue.h).
constexpr uint8_t kLocal = 1;
constexpr uint8_t kIcmp = 2;
constexpr uint8_t kIcmp6 = 3;

struct Row {
  uint8_t origin, type, code;
  bool hop_failure;
  const char* name;
};

constexpr Row kTable[] = {
    // ICMPv4 destination unreachable: the codes that mean "no one takes it there".
    {kIcmp, 3, 0, true, "net_unreachable"},
    {kIcmp, 3, 1, true, "host_unreachable"},
    {kIcmp, 3, 3, true, "port_unreachable"},
    {kIcmp, 3, 9, true, "net_admin_prohibited"},
    {kIcmp, 3, 10, true, "host_admin_prohibited"},
    {kIcmp, 3, 13, true, "admin_prohibited"},
    // ...and the ones that do not.
    {kIcmp, 3, 2, false, "protocol_unreachable"},
    {kIcmp, 3, 4, false, "frag_needed"},
    {kIcmp, 3, 5, false, "unreachable_other"},   // source route failed
    {kIcmp, 3, 6, false, "unreachable_other"},   // destination network unknown
    {kIcmp, 3, 7, false, "unreachable_other"},   // destination host unknown
    {kIcmp, 3, 11, false, "unreachable_other"},  // network unreachable for TOS
    {kIcmp, 3, 14, false, "unreachable_other"},  // host precedence violation
    {kIcmp, 3, 15, false, "unreachable_other"},  // precedence cutoff
    {kIcmp, 4, 0, false, "source_quench"},
    {kIcmp, 5, 1, false, "redirect"},
    {kIcmp, 11, 0, false, "time_exceeded"},
    {kIcmp, 11, 1, false, "time_exceeded"},
    {kIcmp, 12, 0, false, "parameter_problem"},
    {kIcmp, 0, 0, false, "icmp_other"},  // echo reply
    // ICMPv6 destination unreachable (RFC 4443 §3.1).
    {kIcmp6, 1, 0, true, "no_route"},
    {kIcmp6, 1, 1, true, "admin_prohibited"},
    {kIcmp6, 1, 3, true, "address_unreachable"},
    {kIcmp6, 1, 4, true, "port_unreachable"},
    {kIcmp6, 1, 2, false, "unreachable_other"},  // beyond scope of source address
    {kIcmp6, 1, 5, false, "unreachable_other"},  // source address failed policy
    {kIcmp6, 1, 6, false, "unreachable_other"},  // reject route
    {kIcmp6, 2, 0, false, "packet_too_big"},
    {kIcmp6, 3, 0, false, "time_exceeded"},
    {kIcmp6, 4, 0, false, "parameter_problem"},
    {kIcmp6, 128, 0, false, "icmp_other"},  // echo request
    // ICMPv4 numbers under the ICMPv6 origin mean something else: v4 "3/3" is v6 time
    // exceeded.
    {kIcmp6, 3, 3, false, "time_exceeded"},
    // Not from the network at all.
    {kLocal, 3, 3, false, "not_icmp"},
    {0, 1, 4, false, "not_icmp"},
};

TEST(IcmpError, ClassifiesEachTypeAndCode) {
  for (const Row& r : kTable) {
    IcmpVerdict v = classify_icmp_error(r.origin, r.type, r.code);
    std::string where = "origin " + std::to_string(r.origin) + " type " + std::to_string(r.type) +
                        " code " + std::to_string(r.code);
    EXPECT_EQ(v.hop_failure, r.hop_failure) << where;
    EXPECT_STREQ(v.name, r.name) << where;
  }
}

TEST(IcmpError, OnlyTheListedUnreachableCodesCountAsHopFailures) {
  // Every (type, code) for both origins: exactly the 6 + 4 listed pairs count.
  int failures = 0;
  for (uint8_t origin : {kIcmp, kIcmp6})
    for (int type = 0; type < 256; ++type)
      for (int code = 0; code < 256; ++code) {
        IcmpVerdict v =
            classify_icmp_error(origin, static_cast<uint8_t>(type), static_cast<uint8_t>(code));
        ASSERT_NE(v.name, nullptr);
        ASSERT_NE(v.name[0], '\0');
        if (v.hop_failure) {
          ++failures;
          EXPECT_EQ(type, origin == kIcmp ? 3 : 1) << int{origin} << " " << type << " " << code;
        }
      }
  EXPECT_EQ(failures, 10);
}

}  // namespace
}  // namespace sipedge::net
