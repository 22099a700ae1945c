#include "proxy/response_parts.h"

#include "proxy/branch_hash.h"

namespace sipedge::proxy {
namespace {

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

}  // namespace

void write_status_line(OutputWriter& w, uint16_t status, std::string_view reason) {
  w.put("SIP/2.0 ");
  w.put_decimal(status);
  w.put(' ');
  for (char c : reason) w.put(is_control(c) ? ' ' : c);
  w.put("\r\n");
}

void write_to_tag(OutputWriter& w, std::string_view call_id, std::string_view from,
                  std::string_view top_via) {
  w.put(";tag=");
  w.put_hex64(hash_fields({call_id, from, top_via}));
}

void put_sanitized_row(OutputWriter& w, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      w.put("\r\n");
      ++i;
    } else if (c == '\n') {
      w.put("\r\n");
    } else {
      w.put(is_control(c) ? ' ' : c);
    }
  }
}

}  // namespace sipedge::proxy
