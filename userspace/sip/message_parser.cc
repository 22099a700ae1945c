#include "sip/message_parser.h"

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip/char_class.h"
#include "sip/fast_path.h"

namespace sipedge::sip {
namespace {

using Result = Expected<bool, ParseError>;

// The next LF in [p, end), or nullptr. Header lines are short (30-100 octets), where a
// 16-byte SSE2 compare inline beats a call into the libc memchr; never reads past `end`.
inline const char* find_lf(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, lf)));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
  for (; p < end; ++p) {
    if (*p == '\n') return p;
  }
  return nullptr;
#else
  return p < end ? static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))
                 : nullptr;
#endif
}

Result fail(ParseErrorCode code, std::string_view where, const char* what) {
  return unexpected(make_error(code, where, what));
}

bool starts_with_sip_slash(std::string_view s) {
  if (s.size() < 4) return false;
  if (std::memcmp(s.data(), "SIP/", 4) == 0) return true;  // what every sender writes
  return iequals(s.substr(0, 4), "SIP/");
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is spoken (a 505 otherwise).
Result check_version(std::string_view v, std::string_view where) {
  if (v.size() == 7 && (std::memcmp(v.data(), "SIP/2.0", 7) == 0 || iequals(v, "SIP/2.0"))) {
    return true;
  }
  if (starts_with_sip_slash(v)) {
    std::string_view num = v.substr(4);
    size_t dot = num.find('.');
    bool digits = dot != std::string_view::npos && dot > 0 && dot + 1 < num.size();
    for (size_t i = 0; digits && i < num.size(); ++i) {
      if (i != dot && !is_digit(num[i])) digits = false;
    }
    if (digits) return fail(ParseErrorCode::kBadVersion, where, "unsupported SIP version");
  }
  return fail(ParseErrorCode::kBadStartLine, where, "malformed SIP-Version");
}

Result parse_status_line(std::string_view line, Message* out) {
  constexpr std::string_view kWhere = "Status-Line";
  out->kind = MessageKind::kResponse;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) {
    return fail(ParseErrorCode::kBadStartLine, kWhere, "missing status code");
  }
  if (auto r = check_version(line.substr(0, sp), kWhere); !r) return r;
  std::string_view rest = line.substr(sp + 1);
  // Status-Code = 3DIGIT, 100..699; then SP Reason-Phrase. The SP is there even when the
  // phrase is empty (RFC 3261 §7.2, §25.1): "SIP/2.0 180" lacks it.
  if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
      (rest.size() > 3 && rest[3] != ' ')) {
    return fail(ParseErrorCode::kBadStartLine, kWhere, "status code is not three digits");
  }
  if (rest.size() == 3) {
    return fail(ParseErrorCode::kBadStartLine, kWhere,
                "no SP between Status-Code and Reason-Phrase");
  }
  int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  if (code < 100 || code > 699) {
    return fail(ParseErrorCode::kBadStartLine, kWhere, "status code out of range 100-699");
  }
  out->status_code = static_cast<uint16_t>(code);
  out->reason = rest.size() > 4 ? rest.substr(4) : std::string_view{};
  for (char c : out->reason) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return fail(ParseErrorCode::kBadStartLine, kWhere, "control character in reason phrase");
    }
  }
  return true;
}

Result parse_request_line(std::string_view line, Message* out) {
  constexpr std::string_view kWhere = "Request-Line";
  out->kind = MessageKind::kRequest;
  // Exactly one SP between the three elements (RFC 3261 §7.1): splitting on the first and
  // last SP leaves any extra SP inside the Request-URI, where it is rejected.
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) {
    return fail(ParseErrorCode::kBadStartLine, kWhere,
                "expected Method SP Request-URI SP SIP-Version");
  }
  out->method = line.substr(0, sp1);
  if (!is_token(out->method))
    return fail(ParseErrorCode::kBadStartLine, kWhere, "bad method token");
  if (auto r = check_version(line.substr(sp2 + 1), kWhere); !r) return r;
  out->request_uri_text = line.substr(sp1 + 1, sp2 - sp1 - 1);
  // The common sip:/sips: shape in one pass, straight into the message; else the full rule.
  if (fast_parse_sip_uri(out->request_uri_text, &out->request_uri)) return true;
  out->request_uri = Uri{};
  for (char c : out->request_uri_text) {
    if (is_lws(c)) {
      return fail(ParseErrorCode::kBadStartLine, kWhere, "whitespace in or around Request-URI");
    }
  }
  auto uri = parse_uri(out->request_uri_text, "Request-URI");
  if (!uri) return unexpected(uri.error());
  if (uri->is_sip_or_sips() && uri->has_headers) {
    return fail(ParseErrorCode::kBadUri, "Request-URI", "headers are not allowed in a Request-URI");
  }
  out->request_uri = *uri;
  return true;
}

// Content-Length = 1*DIGIT (RFC 3261 §20.14); anything else, or a value past the message
// size limit, is a fault.
enum class LengthCheck : uint8_t { kOk, kBad, kTooLarge };

// Content-Length = 1*DIGIT (leading zeros allowed); a well-formed value over `max` is the
// message being too large (513), not a malformed header (400).
LengthCheck parse_content_length(std::string_view v, size_t max, uint32_t* out) {
  if (v.empty()) return LengthCheck::kBad;
  uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return LengthCheck::kBad;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > max) n = static_cast<uint64_t>(max) + 1;  // saturate: no overflow on long values
  }
  if (n > max) return LengthCheck::kTooLarge;
  *out = static_cast<uint32_t>(n);
  return LengthCheck::kOk;
}

// Header fields in the lines from `pos` to the empty line (or the end of the buffer):
// lines that start with a field name, not folds. Runs only on the error path.
size_t count_header_lines(const char* data, size_t pos, size_t n) {
  size_t count = 0;
  while (pos + 1 < n && !(data[pos] == '\r' && data[pos + 1] == '\n')) {
    if (!is_wsp(data[pos])) ++count;
    const char* lf = find_lf(data + pos, data + n);
    if (lf == nullptr) break;
    pos = static_cast<size_t>(lf - data) + 1;
  }
  return count;
}

// The Uri a message starts with, copied in rather than value-initialised in place: GCC
// zeroes the ~170 bytes in place with `rep stos`, whose start-up alone costs more than
// this copy (a few vector moves), on every message. Never written.
Uri blank_uri;

}  // namespace

void reset_message(Message* msg, const ParserLimits& limits) {
  msg->headers.clear();
  if (msg->headers.capacity() < limits.max_headers) msg->headers.reserve(limits.max_headers);
  msg->first_index.fill(-1);
  msg->method = {};
  msg->request_uri_text = {};
  msg->request_uri = blank_uri;
  msg->status_code = 0;
  msg->reason = {};
  msg->body = {};
  msg->content_length = 0;
  msg->has_content_length = false;
  msg->wire_size = 0;
}

MessageParser::MessageParser(ParserLimits limits) : limits_(limits) {}

Result MessageParser::parse(std::string_view buf, Framing framing, Message* out) const {
  reset_message(out, limits_);
  const char* data = buf.data();
  const size_t n = buf.size();
  if (framing == Framing::kDatagram && n > limits_.max_message_size) {
    return fail(ParseErrorCode::kTooLarge, "message", "larger than the configured maximum size");
  }
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams).
  size_t pos = 0;
  while (pos + 1 < n && data[pos] == '\r' && data[pos + 1] == '\n') pos += 2;
  const size_t msg_start = pos;

  const char* nl = find_lf(data + pos, data + n);
  if (nl == nullptr) {
    if (n - msg_start >= limits_.max_message_size) {
      return fail(ParseErrorCode::kTooLarge, "message", "start line longer than the maximum size");
    }
    return fail(ParseErrorCode::kTruncated, "start line", "not terminated by CRLF");
  }
  size_t lf = static_cast<size_t>(nl - data);
  if (lf == pos || data[lf - 1] != '\r') {
    return fail(ParseErrorCode::kBadStartLine, "start line", "line not terminated by CRLF");
  }
  out->start_line = std::string_view(data + pos, lf - 1 - pos);
  Result sl = starts_with_sip_slash(out->start_line) ? parse_status_line(out->start_line, out)
                                                     : parse_request_line(out->start_line, out);
  if (!sl) return sl;
  pos = lf + 1;

  size_t body_start = 0;
  while (true) {
    if (pos + 1 < n && data[pos] == '\r' && data[pos + 1] == '\n') {
      body_start = pos + 2;
      break;
    }
    if (pos >= n || (pos + 1 == n && data[pos] == '\r')) {
      if (n - msg_start >= limits_.max_message_size) {
        return fail(ParseErrorCode::kTooLarge, "message", "headers longer than the maximum size");
      }
      return fail(ParseErrorCode::kTruncated, "headers", "no empty line ends the headers");
    }
    const size_t name_begin = pos;
    pos = static_cast<size_t>(span_class(data + pos, data + n, kToken) - data);
    std::string_view name(data + name_begin, pos - name_begin);
    if (name.empty()) {
      return fail(ParseErrorCode::kBadHeader, "header", "line does not start with a field name");
    }
    while (pos < n && is_wsp(data[pos])) ++pos;
    if (pos >= n) return fail(ParseErrorCode::kTruncated, name, "header line cut short");
    if (data[pos] != ':') return fail(ParseErrorCode::kBadHeader, name, "missing ':' after name");
    ++pos;
    const size_t value_begin = pos;
    size_t value_end;
    while (true) {
      const char* p = find_lf(data + pos, data + n);
      if (p == nullptr) return fail(ParseErrorCode::kTruncated, name, "header line cut short");
      size_t i = static_cast<size_t>(p - data);
      if (data[i - 1] != '\r') return fail(ParseErrorCode::kBadHeader, name, "bare LF in header");
      if (i + 1 < n && is_wsp(data[i + 1])) {  // a fold: the value continues
        pos = i + 1;
        continue;
      }
      value_end = i - 1;
      pos = i + 1;
      break;
    }
    if (out->headers.size() >= limits_.max_headers) {
      ParseError e = make_error(ParseErrorCode::kTooLarge, "headers",
                                "more header fields than the configured maximum");
      e.limit = limits_.max_headers;
      e.count = out->headers.size() + count_header_lines(data, name_begin, n);
      return unexpected(e);
    }
    Header h{name, trim_lws(std::string_view(data + value_begin, value_end - value_begin)),
             lookup_header_id(name)};
    auto idx = static_cast<int>(h.id);
    if (out->first_index[idx] < 0) {
      out->first_index[idx] = static_cast<int16_t>(out->headers.size());
    }
    if (h.id == HeaderId::kContentLength) {
      uint32_t cl = 0;
      LengthCheck lc = parse_content_length(h.value, limits_.max_message_size, &cl);
      if (lc == LengthCheck::kTooLarge) {
        return fail(ParseErrorCode::kTooLarge, name, "announces a body over the size limit");
      }
      if (lc != LengthCheck::kOk) {
        return fail(ParseErrorCode::kBadHeader, name, "not a valid length");
      }
      if (out->has_content_length && cl != out->content_length) {
        return fail(ParseErrorCode::kDuplicateHeader, name, "conflicting values");
      }
      out->content_length = cl;
      out->has_content_length = true;
    }
    out->headers.push_back(h);
  }

  const size_t available = n - body_start;
  if (out->has_content_length) {
    if (body_start - msg_start + out->content_length > limits_.max_message_size) {
      return fail(ParseErrorCode::kTooLarge, "Content-Length", "message exceeds the maximum size");
    }
    if (out->content_length > available) {
      return fail(ParseErrorCode::kIncompleteBody, "Content-Length",
                  "larger than the body received");
    }
    out->body = std::string_view(data + body_start, out->content_length);
  } else if (framing == Framing::kStream) {
    return fail(ParseErrorCode::kMissingHeader, "Content-Length", "required on stream transports");
  } else {
    out->body = std::string_view(data + body_start, available);
  }
  out->wire_size = body_start + out->body.size();
  return true;
}

}  // namespace sipedge::sip
