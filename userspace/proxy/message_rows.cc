#include "proxy/message_rows.h"

#include <cstdint>

#include "sip/value_scanner.h"

namespace sipedge::proxy {
namespace {

uintptr_t addr(const char* p) { return reinterpret_cast<uintptr_t>(p); }

}  // namespace

bool views_buffer(const sip::Message& msg, std::string_view raw) {
  const uintptr_t lo = addr(raw.data());
  const uintptr_t hi = lo + raw.size();
  const uintptr_t start = addr(msg.start_line.data());
  const uintptr_t body = addr(msg.body.data());
  if (msg.start_line.empty() || start < lo || body < start + msg.start_line.size() + 4 ||
      body + msg.body.size() > hi) {
    return false;
  }
  uintptr_t prev = start + msg.start_line.size();
  for (const sip::Header& h : msg.headers) {
    const uintptr_t name = addr(h.name.data());
    if (name < prev || name >= body) return false;
    prev = name;
  }
  return true;
}

std::string_view header_row(const sip::Message& msg, size_t i) {
  const char* begin = msg.headers[i].name.data();
  const char* end =
      i + 1 < msg.headers.size() ? msg.headers[i + 1].name.data() : msg.body.data() - 2;
  return std::string_view(begin, static_cast<size_t>(end - begin));
}

std::string_view row_prefix(const sip::Header& h) {
  return std::string_view(h.name.data(), static_cast<size_t>(h.value.data() - h.name.data()));
}

std::string_view blank_line_and_body(const sip::Message& msg) {
  return std::string_view(msg.body.data() - 2, msg.body.size() + 2);
}

bool ListElements::next(std::string_view* element) {
  return sip::next_list_element(&rest_, element, &error_);
}

}  // namespace sipedge::proxy
