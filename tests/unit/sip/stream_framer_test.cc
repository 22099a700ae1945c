#include "sip/stream_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipedge::sip {
namespace {

const std::string kMsg1 =
    "MESSAGE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com\r\n"
    "Content-Length: 5\r\n\r\nhello";
const std::string kMsg2 = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";

class StreamFramerTest : public ::testing::Test {
 protected:
  MessageParser parser_;
  Message msg_;
};

TEST_F(StreamFramerTest, CompleteMessage) {
  FrameResult r = frame_stream_message(parser_, kMsg1, &msg_);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(r.consumed, kMsg1.size());
  EXPECT_EQ(msg_.body, "hello");
}

TEST_F(StreamFramerTest, EveryPrefixNeedsMore) {
  for (size_t n = 0; n < kMsg1.size(); ++n) {
    std::string part = kMsg1.substr(0, n);
    FrameResult r = frame_stream_message(parser_, part, &msg_);
    EXPECT_EQ(r.status, FrameStatus::kNeedMore) << "prefix of " << n;
  }
}

TEST_F(StreamFramerTest, TwoMessagesInOneRead) {
  std::string both = kMsg1 + kMsg2;
  FrameResult r = frame_stream_message(parser_, both, &msg_);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  ASSERT_EQ(r.consumed, kMsg1.size());
  std::string_view rest = std::string_view(both).substr(r.consumed);
  r = frame_stream_message(parser_, rest, &msg_);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(msg_.status_code, 200);
  EXPECT_EQ(r.consumed, kMsg2.size());
}

TEST_F(StreamFramerTest, KeepaliveBetweenMessages) {
  std::string data = "\r\n\r\n" + kMsg2;
  FrameResult r = frame_stream_message(parser_, data, &msg_);
  ASSERT_EQ(r.status, FrameStatus::kKeepalive);
  EXPECT_EQ(r.consumed, 4u);
}

TEST_F(StreamFramerTest, MissingContentLengthBreaksTheStream) {
  FrameResult r = frame_stream_message(parser_, "OPTIONS sip:a@example.com SIP/2.0\r\n\r\n", &msg_);
  EXPECT_EQ(r.status, FrameStatus::kInvalid);
  EXPECT_EQ(r.error.code, ParseErrorCode::kMissingHeader);
}

TEST_F(StreamFramerTest, OversizedHeaderBlockIsInvalid) {
  MessageParser small(ParserLimits{64, 16});
  std::string big = "OPTIONS sip:a@example.com SIP/2.0\r\nX: " + std::string(100, 'a');
  FrameResult r = frame_stream_message(small, big, &msg_);
  EXPECT_EQ(r.status, FrameStatus::kInvalid);
  EXPECT_EQ(r.error.code, ParseErrorCode::kTooLarge);
}

// A connection fed one byte at a time: the cursor carries what was searched and, once the
// headers are in, the message's size, so each byte is looked at a bounded number of times.
TEST_F(StreamFramerTest, TrickledBytesResumeWhereTheLastCallStopped) {
  const std::string stream = kMsg1 + "\r\n\r\n" + kMsg2;
  std::string buf;
  FrameCursor cursor;
  std::vector<std::string> got;
  size_t parses_before_body = 0;
  for (char ch : stream) {
    buf += ch;
    for (;;) {
      FrameResult r = frame_stream_message(parser_, buf, &msg_, &cursor);
      if (r.status == FrameStatus::kNeedMore) {
        if (cursor.wire_size == 0) {
          EXPECT_EQ(cursor.scanned, buf.size()) << "everything searched once";
        } else {
          ++parses_before_body;
          EXPECT_EQ(cursor.wire_size, kMsg1.size()) << "the size the whole message has";
        }
        break;
      }
      ASSERT_NE(r.status, FrameStatus::kInvalid) << r.error.to_string();
      if (r.status == FrameStatus::kComplete) got.push_back(buf.substr(0, r.consumed));
      buf.erase(0, r.consumed);
      EXPECT_EQ(cursor.scanned, 0u);
      EXPECT_EQ(cursor.wire_size, 0u);
    }
  }
  ASSERT_EQ(got.size(), 2u) << "the keep-alive between them is not a message";
  EXPECT_EQ(got[0], kMsg1);
  EXPECT_EQ(got[1], kMsg2);
  EXPECT_GT(parses_before_body, 0u);
}

TEST_F(StreamFramerTest, HeaderEndSplitAcrossSegmentsIsFound) {
  FrameCursor cursor;
  std::string buf = kMsg2.substr(0, kMsg2.size() - 2);  // "...\r\n\r" missing the last "\n"
  buf.pop_back();
  EXPECT_EQ(frame_stream_message(parser_, buf, &msg_, &cursor).status, FrameStatus::kNeedMore);
  buf = kMsg2;
  FrameResult r = frame_stream_message(parser_, buf, &msg_, &cursor);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(r.consumed, kMsg2.size());
}

}  // namespace
}  // namespace sipedge::sip
