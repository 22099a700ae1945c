// Every message of ../shared/conformance/MANIFEST.tsv gets its expected verdict; a few
// messages also get the specific reading RFC 4475 / RFC 5118 asks for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sip/message_parser.h"
#include "sip/message_validator.h"
#include "sip/name_addr.h"

namespace sipedge::sip {
namespace {

std::string conformance_dir() {
  const char* env = std::getenv("SIPEDGE_CONFORMANCE_DIR");
  return env != nullptr ? env : SIPEDGE_CONFORMANCE_DIR;
}

// This repository's own cases: RFC 3261 grammar the shared corpus does not reach (UTF-8
// text, credentials, repeated headers, the Status-Line SP).
std::string strict_dir() { return SIPEDGE_STRICT_CASES_DIR; }

struct Case {
  std::string file;  // path from the corpus folder
  bool valid;
  std::string dir;  // the corpus folder
};

std::vector<Case> load_manifest(const std::string& dir = conformance_dir()) {
  std::vector<Case> cases;
  std::ifstream in(dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header row
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string file, section, expect;
    std::getline(row, file, '\t');
    std::getline(row, section, '\t');
    std::getline(row, expect, '\t');
    if (!file.empty()) cases.push_back({file, expect == "valid", dir});
  }
  return cases;
}

std::string read_file(const std::string& rel, const std::string& dir = conformance_dir()) {
  std::ifstream f(dir + "/" + rel, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Judges a message as one UDP datagram, as the corpus README asks.
struct Judged {
  std::string data;  // the message views point into it
  Message msg;
  Expected<bool, ParseError> verdict{true};
};

// Heap-held so the views into `data` stay valid however the result is passed around.
std::unique_ptr<Judged> judge(std::string data) {
  static const MessageParser parser;
  auto j = std::make_unique<Judged>();
  j->data = std::move(data);
  auto framed = parser.parse(j->data, Framing::kDatagram, &j->msg);
  j->verdict = framed ? validate_message(j->msg) : framed;
  return j;
}

class ManifestTest : public ::testing::TestWithParam<Case> {};

TEST_P(ManifestTest, Verdict) {
  const Case& c = GetParam();
  std::string data = read_file(c.file, c.dir);
  ASSERT_FALSE(data.empty()) << "cannot read " << c.file;
  auto j = judge(std::move(data));
  if (c.valid) {
    EXPECT_TRUE(j->verdict) << c.file
                            << " must be valid, rejected: " << j->verdict.error().to_string();
  } else {
    EXPECT_FALSE(j->verdict) << c.file << " must be invalid, was accepted";
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name;
  for (char ch : info.param.file) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ManifestTest, ::testing::ValuesIn(load_manifest()), case_name);

INSTANTIATE_TEST_SUITE_P(Strict, ManifestTest, ::testing::ValuesIn(load_manifest(strict_dir())),
                         case_name);

TEST(Manifest, StrictCasesArePresent) {
  EXPECT_GE(load_manifest(strict_dir()).size(), 30u) << "no MANIFEST.tsv under " << strict_dir();
}

TEST(Manifest, IsPresentAndComplete) {
  // A missing ../shared would otherwise make the suite above vanish silently.
  EXPECT_GE(load_manifest().size(), 60u) << "MANIFEST.tsv not found under " << conformance_dir();
}

TEST(Readings, DblreqIgnoresOctetsAfterTheBody) {
  auto j = judge(read_file("rfc4475/dblreq.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.method, "REGISTER");
  EXPECT_EQ(j->msg.body.size(), 0u);
}

TEST(Readings, Esc02PercentIsNotUnescapedInTheMethod) {
  auto j = judge(read_file("rfc4475/esc02.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.method, "RE%47IST%45R");
  // "C%6Fntact" is an unknown header, not a third Contact.
  EXPECT_EQ(j->msg.count(HeaderId::kContact), 2u);
}

TEST(Readings, SemiuriSemicolonBelongsToTheUser) {
  auto j = judge(read_file("rfc4475/semiuri.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.request_uri.user, "user;par=u%40example.net");
  EXPECT_EQ(j->msg.request_uri.host, "example.com");
  EXPECT_TRUE(j->msg.request_uri.params.empty());
}

TEST(Readings, EscnullKeepsTheWholeUser) {
  auto j = judge(read_file("rfc4475/escnull.sip"));
  ASSERT_TRUE(j->verdict);
  auto to = parse_name_addr(j->msg.find(HeaderId::kTo)->value, "To");
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.user, "null-%00-null");
}

TEST(Readings, Mpart01BodyTakenByContentLength) {
  auto j = judge(read_file("rfc4475/mpart01.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.body.size(), j->msg.content_length);
}

TEST(Readings, CparamUnknownParamPlacement) {
  auto j1 = judge(read_file("rfc4475/cparam01.sip"));
  ASSERT_TRUE(j1->verdict);
  auto c1 = parse_name_addr(j1->msg.find(HeaderId::kContact)->value, "Contact");
  ASSERT_TRUE(c1);
  EXPECT_TRUE(c1->uri.params.empty());
  EXPECT_NE(c1->params.find("unknownparam"), std::string_view::npos);
  auto j2 = judge(read_file("rfc4475/cparam02.sip"));
  ASSERT_TRUE(j2->verdict);
  auto c2 = parse_name_addr(j2->msg.find(HeaderId::kContact)->value, "Contact");
  ASSERT_TRUE(c2);
  EXPECT_NE(c2->uri.params.find("unknownparam"), std::string_view::npos);
}

TEST(Readings, PortAmbiguousHasNoPort) {
  auto j = judge(read_file("rfc5118/port-ambiguous.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.request_uri.host, "2001:db8::10:5070");
  EXPECT_FALSE(j->msg.request_uri.has_port);
  auto u = judge(read_file("rfc5118/port-unambiguous.sip"));
  ASSERT_TRUE(u->verdict);
  EXPECT_EQ(u->msg.request_uri.host, "2001:db8::10");
  EXPECT_EQ(u->msg.request_uri.port, 5070);
}

TEST(Readings, NoreasonHasAnEmptyReasonPhrase) {
  auto j = judge(read_file("rfc4475/noreason.sip"));
  ASSERT_TRUE(j->verdict);
  EXPECT_EQ(j->msg.status_code, 100);
  EXPECT_EQ(j->msg.reason, "");
}

TEST(Readings, BadversIsAVersionError) {
  auto j = judge(read_file("rfc4475/badvers.sip"));
  ASSERT_FALSE(j->verdict);
  EXPECT_EQ(j->verdict.error().code, ParseErrorCode::kBadVersion);
}

}  // namespace
}  // namespace sipedge::sip
