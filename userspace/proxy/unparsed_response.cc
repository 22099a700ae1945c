// build_response_to_unparsed: a best-effort 400 for a request the parser refused, so the
// sender learns what was wrong (issue 7: "a malformed request gets 400 naming the fault").
// The scan is lenient (bare LF, junk lines) but everything echoed is sanitized.
#include <array>

#include "proxy/output_writer.h"
#include "proxy/response_parts.h"
#include "proxy/stateless_proxy.h"
#include "proxy/via_fields.h"
#include "sip/char_class.h"
#include "sip/name_addr.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace sipedge::proxy {
namespace {

constexpr size_t kMaxViaRows = 32;  // a response to the sender needs its own (top) Via most

Expected<size_t, sip::ParseError> refuse(const char* what) {
  return unexpected(sip::make_error(sip::ParseErrorCode::kBadStartLine, "message", what));
}

// Lines of `raw`, terminated by LF with an optional CR before it.
class LineScanner {
 public:
  explicit LineScanner(std::string_view raw) : raw_(raw) {}
  // The next line without its terminator; `begin` is its offset. False at the end.
  bool next(std::string_view* line, size_t* begin) {
    if (pos_ >= raw_.size()) return false;
    *begin = pos_;
    size_t lf = raw_.find('\n', pos_);
    size_t end = lf == std::string_view::npos ? raw_.size() : lf;
    pos_ = lf == std::string_view::npos ? raw_.size() : lf + 1;
    if (end > *begin && raw_[end - 1] == '\r') --end;
    *line = raw_.substr(*begin, end - *begin);
    return true;
  }

 private:
  std::string_view raw_;
  size_t pos_ = 0;
};

// One header row as found: the raw text from its name through its last continuation line.
struct FoundRow {
  std::string_view text;
  std::string_view value;  // after the colon, trimmed (continuations included)
  bool folded = false;
};

struct FoundRows {
  std::array<FoundRow, kMaxViaRows> via{};
  size_t via_count = 0;
  FoundRow from, to, call_id, cseq;
  bool has_from = false, has_to = false, has_call_id = false, has_cseq = false;
};

// "METHOD SP anything SP SIP/x.y": loose, but it must be a request and name its method.
bool looks_like_request_line(std::string_view line, std::string_view* method) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  *method = line.substr(0, sp);
  if (!sip::is_token(*method) || sip::iequals(*method, "SIP/2.0")) return false;
  size_t last = line.rfind(' ');
  return last > sp && sip::iequals(line.substr(last + 1, 4), "SIP/");
}

void record_row(FoundRows* rows, sip::HeaderId id, const FoundRow& row) {
  auto keep = [&row](FoundRow* slot, bool* has) {
    if (!*has) *slot = row;
    *has = true;
  };
  switch (id) {
    case sip::HeaderId::kVia:
      if (rows->via_count < kMaxViaRows) rows->via[rows->via_count++] = row;
      break;
    case sip::HeaderId::kFrom:
      keep(&rows->from, &rows->has_from);
      break;
    case sip::HeaderId::kTo:
      keep(&rows->to, &rows->has_to);
      break;
    case sip::HeaderId::kCallId:
      keep(&rows->call_id, &rows->has_call_id);
      break;
    case sip::HeaderId::kCSeq:
      keep(&rows->cseq, &rows->has_cseq);
      break;
    default:
      break;
  }
}

// Scans the header rows up to the empty line (or the end of raw).
void scan_rows(std::string_view raw, LineScanner* lines, FoundRows* rows) {
  std::string_view line;
  size_t begin = 0;
  // The open row: raw[row_begin, row_end), its value from value_begin.
  bool open = false;
  size_t row_begin = 0, row_end = 0, value_begin = 0;
  bool folded = false;
  sip::HeaderId id = sip::HeaderId::kUnknown;
  auto close = [&]() {
    if (!open) return;
    FoundRow row{raw.substr(row_begin, row_end - row_begin),
                 sip::trim_lws(raw.substr(value_begin, row_end - value_begin)), folded};
    record_row(rows, id, row);
    open = false;
  };
  while (lines->next(&line, &begin)) {
    if (line.empty()) break;
    if (sip::is_wsp(line.front())) {  // a continuation of the row before
      if (open) {
        row_end = begin + line.size();
        folded = true;
      }
      continue;
    }
    close();
    size_t n = 0;
    while (n < line.size() && sip::is_token_char(line[n])) ++n;
    size_t colon = n;
    while (colon < line.size() && sip::is_wsp(line[colon])) ++colon;
    if (n == 0 || colon >= line.size() || line[colon] != ':') continue;  // junk line
    id = sip::lookup_header_id(line.substr(0, n));
    if (id == sip::HeaderId::kUnknown) continue;
    open = true;
    row_begin = begin;
    row_end = begin + line.size();
    value_begin = begin + colon + 1;
    folded = false;
  }
  close();
}

void write_row(OutputWriter& w, const FoundRow& row) {
  put_sanitized_row(w, row.text);
  w.put("\r\n");
}

// The top Via with RFC 3581 applied when its first value parses; else as received.
void write_top_via(OutputWriter& w, const FoundRow& row, const Inbound& in) {
  std::string_view rest = row.value;
  std::string_view first;
  bool error = false;
  if (!row.folded && sip::next_list_element(&rest, &first, &error) && !first.empty()) {
    if (auto via = sip::parse_via(first); via) {
      put_sanitized_row(
          w, row.text.substr(0, static_cast<size_t>(row.value.data() - row.text.data())));
      write_via_with_received(w, first, *via, in.source);
      rest = sip::trim_lws(rest);
      if (!rest.empty()) {
        w.put(", ");
        put_sanitized_row(w, rest);
      }
      w.put("\r\n");
      return;
    }
  }
  write_row(w, row);
}

}  // namespace

Expected<size_t, sip::ParseError> build_response_to_unparsed(std::string_view raw,
                                                             const Inbound& in, uint16_t status,
                                                             std::string_view reason,
                                                             std::span<char> out) {
  if (!valid_status(status)) return refuse("status code out of range 100-699");
  LineScanner lines(raw);
  std::string_view line;
  size_t begin = 0;
  bool found = false;
  while (lines.next(&line, &begin)) {
    if (!line.empty()) {  // CRLFs before the start line are keep-alives (§7.5)
      found = true;
      break;
    }
  }
  std::string_view method;
  if (!found || !looks_like_request_line(line, &method)) return refuse("no request line");
  if (method == "ACK") return refuse("an ACK is never answered");
  FoundRows rows;
  scan_rows(raw, &lines, &rows);
  if (rows.via_count == 0) return refuse("no Via to answer to");

  OutputWriter w(out);
  write_status_line(w, status, reason);
  write_top_via(w, rows.via[0], in);
  for (size_t i = 1; i < rows.via_count; ++i) write_row(w, rows.via[i]);
  if (rows.has_from) write_row(w, rows.from);
  if (rows.has_to) {
    auto to = sip::parse_name_addr(rows.to.value, "To");
    if (status != 100 && !rows.to.folded && to && !to->has_tag) {
      put_sanitized_row(w, rows.to.text);
      write_to_tag(w, rows.call_id.value, rows.from.value, rows.via[0].value);
      w.put("\r\n");
    } else {
      write_row(w, rows.to);
    }
  }
  if (rows.has_call_id) write_row(w, rows.call_id);
  if (rows.has_cseq) write_row(w, rows.cseq);
  w.put("Content-Length: 0\r\n\r\n");
  return w.finish();
}

}  // namespace sipedge::proxy
