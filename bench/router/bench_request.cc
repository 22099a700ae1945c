#include "bench_request.h"

#include <strings.h>

#include <cstdio>
#include <cstring>

namespace sipedge::bench {
namespace {

constexpr size_t kHexWidth = 16;
constexpr std::string_view kZeroHex = "0000000000000000";
constexpr std::string_view kCallIdPrefix = "\r\nCall-ID: ";
constexpr char kHexDigits[] = "0123456789abcdef";

void write_hex(char* out, uint64_t v) {
  for (size_t i = kHexWidth; i-- > 0;) {
    out[i] = kHexDigits[v & 0xf];
    v >>= 4;
  }
}

bool read_hex(std::string_view text, uint64_t* out) {
  if (text.size() < kHexWidth) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kHexWidth; ++i) {
    char c = text[i];
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

}  // namespace

RequestTemplate::RequestTemplate(std::string_view transport, std::string_view via_host_port,
                                 std::string_view request_uri, size_t target_size) {
  std::string uri(request_uri);
  std::string host(via_host_port);
  std::string head = "MESSAGE " + uri + " SIP/2.0\r\n";
  head += "Via: SIP/2.0/" + std::string(transport) + " " + host + ";rport;branch=z9hG4bK-";
  branch_at_ = head.size();
  head += std::string(kZeroHex) + "\r\n";
  head += "Max-Forwards: 70\r\n";
  head += "From: <sip:loadgen@bench.gen>;tag=";
  tag_at_ = head.size();
  head += std::string(kZeroHex) + "\r\n";
  head += "To: <" + uri + ">\r\n";
  head += "Call-ID: ";
  call_id_seq_at_ = head.size();
  head += std::string(kZeroHex) + "-";
  call_id_time_at_ = head.size();
  head += std::string(kZeroHex) + "@bench.gen\r\n";
  head += "CSeq: 1 MESSAGE\r\n";
  head += "Content-Type: text/plain\r\n";
  // Content-Length has a fixed width so the body size is known before the header is written.
  const std::string length_header = "Content-Length: 0000\r\n\r\n";
  size_t fixed = head.size() + length_header.size();
  size_t body_size = target_size > fixed ? target_size - fixed : 1;
  std::string body = "Benchmark message from the sipedge router bench. ";
  while (body.size() < body_size) body += body;
  body.resize(body_size);
  char length[5];
  snprintf(length, sizeof(length), "%04zu", body_size % 10000);
  text_ = head + "Content-Length: " + length + "\r\n\r\n" + body;
}

void RequestTemplate::copy_to(char* out) const { std::memcpy(out, text_.data(), text_.size()); }

void RequestTemplate::patch(char* out, uint64_t seq, uint64_t send_ns) const {
  write_hex(out + branch_at_, seq);
  write_hex(out + tag_at_, seq);
  write_hex(out + call_id_seq_at_, seq);
  write_hex(out + call_id_time_at_, send_ns);
}

bool read_call_id_stamp(std::string_view message, uint64_t* seq, uint64_t* send_ns) {
  size_t at = message.find(kCallIdPrefix);
  if (at == std::string_view::npos) return false;
  std::string_view value = message.substr(at + kCallIdPrefix.size());
  return value.size() > 2 * kHexWidth && value[kHexWidth] == '-' && read_hex(value, seq) &&
         read_hex(value.substr(kHexWidth + 1), send_ns);
}

long content_length(std::string_view headers) {
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    bool is_length = (name.size() == 1 && (name[0] == 'l' || name[0] == 'L')) ||
                     (name.size() == 14 && strncasecmp(name.data(), "Content-Length", 14) == 0);
    if (!is_length) continue;
    long value = 0;
    bool digits = false;
    for (char c : line.substr(colon + 1)) {
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        digits = true;
        if (value > 100000000) return -1;  // no SIP message is that large
      } else if (c != ' ' && c != '\t') {
        return -1;
      }
    }
    return digits ? value : -1;
  }
  return -1;
}

bool max_forwards_decremented(std::string_view message) {
  return message.find("\r\nMax-Forwards: 69\r\n") != std::string_view::npos;
}

}  // namespace sipedge::bench
