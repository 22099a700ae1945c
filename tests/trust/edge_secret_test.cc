#include "trust/edge_secret.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace sipedge::trust {
namespace {

class SecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sipedge-secret-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string write(const std::string& name, const std::string& bytes, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string dir_;
};

const std::string k32 = "0123456789abcdef0123456789abcdef";

TEST_F(SecretFile, OwnerOnlyFileOfEnoughBytesIsAccepted) {
  auto s = EdgeSecret::from_file(write("ok", k32, 0600));
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_TRUE(s->loaded_from_file());
  EXPECT_EQ(s->derive("x"), EdgeSecret::from_bytes(k32)->derive("x"));
}

TEST_F(SecretFile, TrailingNewlineDoesNotChangeTheKey) {
  auto a = EdgeSecret::from_file(write("a", k32, 0400));
  auto b = EdgeSecret::from_file(write("b", k32 + "\n", 0400));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->derive("branch"), b->derive("branch"));
}

TEST_F(SecretFile, GroupOrWorldAccessIsRefused) {
  for (mode_t mode : {0640, 0604, 0620, 0602, 0644}) {
    auto s = EdgeSecret::from_file(write("loose", k32, mode));
    ASSERT_FALSE(s.has_value()) << std::oct << mode;
    EXPECT_NE(s.error().find("group or others"), std::string::npos) << s.error();
    EXPECT_NE(s.error().find(dir_), std::string::npos) << "names the file: " << s.error();
  }
}

TEST_F(SecretFile, ShortMissingOrDirectoryIsRefused) {
  auto shorter = EdgeSecret::from_file(write("short", k32.substr(0, 31) + "\n", 0600));
  ASSERT_FALSE(shorter.has_value());
  EXPECT_NE(shorter.error().find("at least 32"), std::string::npos) << shorter.error();
  EXPECT_FALSE(EdgeSecret::from_file(dir_ + "/absent").has_value());
  EXPECT_FALSE(EdgeSecret::from_file(dir_).has_value());
  EXPECT_FALSE(EdgeSecret::from_file(write("huge", std::string(5000, 'x'), 0600)).has_value());
}

TEST(EdgeSecret, LabelsGiveIndependentKeysAndRandomSecretsDiffer) {
  auto s = EdgeSecret::from_bytes(k32);
  ASSERT_TRUE(s.has_value());
  EXPECT_NE(s->derive("a"), s->derive("b"));
  auto r1 = EdgeSecret::random();
  auto r2 = EdgeSecret::random();
  ASSERT_TRUE(r1 && r2);
  EXPECT_NE(r1->derive("a"), r2->derive("a"));
  EXPECT_FALSE(r1->loaded_from_file());
}

}  // namespace
}  // namespace sipedge::trust
