// Policy files (`sipedgectl policy load`): what a line means, and the errors and warnings
// that name the line.
#include <gtest/gtest.h>

#include "xdp/policy_file.h"

namespace sipedge::xdp {
namespace {

TEST(PolicyFile, ParsesEntriesCommentsAndFlags) {
  auto f = ParsePolicyFile(
      "# carriers\n"
      "192.0.2.0/24 deny\n"
      "\n"
      "  2001:db8::/32   tls-only   # v6 peers\r\n"
      "198.51.100.7 allow exempt\n"
      "203.0.113.0/24 allow");
  ASSERT_TRUE(f) << f.error();
  ASSERT_EQ(f->rules.size(), 4u);
  EXPECT_TRUE(f->warnings.empty());
  EXPECT_EQ(f->rules[0].prefix.family, 4);
  EXPECT_EQ(FormatPrefix(f->rules[0].prefix.v4), "192.0.2.0/24");
  EXPECT_EQ(f->rules[0].action, unsigned{SIPEDGE_POLICY_DENY});
  EXPECT_EQ(FormatPrefix(f->rules[1].prefix.v6), "2001:db8::/32");
  EXPECT_EQ(f->rules[1].action, unsigned{SIPEDGE_POLICY_TLS_ONLY});
  EXPECT_EQ(FormatPrefix(f->rules[2].prefix.v4), "198.51.100.7/32");
  EXPECT_EQ(f->rules[2].flags, uint32_t{SIPEDGE_POLICY_F_EXEMPT});
  EXPECT_EQ(f->rules[3].flags, 0u);
}

TEST(PolicyFile, ErrorsNameTheLine) {
  auto bad_prefix = ParsePolicyFile("192.0.2.0/24 deny\n10.0.0.0/33 deny\n");
  ASSERT_FALSE(bad_prefix);
  EXPECT_EQ(bad_prefix.error().rfind("line 2: ", 0), 0u) << bad_prefix.error();
  auto bad_action = ParsePolicyFile("192.0.2.0/24 block\n");
  ASSERT_FALSE(bad_action);
  EXPECT_NE(bad_action.error().find("line 1: bad policy: block"), std::string::npos);
  EXPECT_FALSE(ParsePolicyFile("192.0.2.0/24\n"));
  EXPECT_FALSE(ParsePolicyFile("192.0.2.0/24 allow always\n"));
  EXPECT_FALSE(ParsePolicyFile("192.0.2.0/24 deny exempt\n"));
}

TEST(PolicyFile, WarnsAboutMaskedHostBitsAndRepeats) {
  auto f = ParsePolicyFile("192.0.2.77/24 deny\n192.0.2.0/24 allow\n");
  ASSERT_TRUE(f) << f.error();
  ASSERT_EQ(f->rules.size(), 1u);
  EXPECT_EQ(f->rules[0].action, unsigned{SIPEDGE_POLICY_ALLOW}) << "the later line wins";
  ASSERT_EQ(f->warnings.size(), 2u);
  EXPECT_EQ(f->warnings[0], "line 1: host bits masked off: 192.0.2.77/24 is 192.0.2.0/24");
  EXPECT_EQ(f->warnings[1], "line 2: 192.0.2.0/24 listed again; this line wins");
}

TEST(PolicyFile, EmptyFileIsAnEmptyPolicy) {
  auto f = ParsePolicyFile("# nothing\n\n");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->rules.empty());
}

}  // namespace
}  // namespace sipedge::xdp
