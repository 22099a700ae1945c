// libFuzzer target: arbitrary bytes through each fast recogniser (fast_path.h) and the full
// grammar it stands in for. A fast "valid" that the full rule rejects, or a fast URI whose
// fields differ from parse_uri's, aborts: the fast path may only step aside.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/fast_path.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/uri.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace {

using namespace sipedge::sip;

void require(bool ok) {
  if (!ok) std::abort();
}

template <typename ParseElement>
bool full_list_ok(std::string_view value, ParseElement&& parse_element) {
  std::string_view rest = value;
  std::string_view element;
  bool error = false;
  int n = 0;
  while (next_list_element(&rest, &element, &error)) {
    if (element.empty() || !parse_element(element)) return false;
    ++n;
  }
  return !error && n > 0;
}

bool same_uri(const Uri& a, const Uri& b) {
  return a.scheme == b.scheme && a.scheme_text == b.scheme_text && a.user == b.user &&
         a.password == b.password && a.has_user == b.has_user && a.host == b.host &&
         a.host_kind == b.host_kind && a.port == b.port && a.has_port == b.has_port &&
         a.params == b.params && a.headers == b.headers && a.has_headers == b.has_headers &&
         a.opaque == b.opaque && a.text == b.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Uri fast_uri;
  if (fast_parse_sip_uri(in, &fast_uri)) {
    auto full = parse_uri(in, "fuzz");
    require(full.has_value() && same_uri(fast_uri, *full));
  }
  std::string_view host;
  HostKind kind = HostKind::kNone;
  if (fast_scan_host(in.data(), in.data() + in.size(), &host, &kind) == in.data() + in.size()) {
    std::string_view full_host;
    HostKind full_kind = HostKind::kNone;
    require(parse_host_text(in, &full_host, &full_kind) && full_host == host && full_kind == kind);
  }
  if (fast_valid_via_list(in)) {
    require(full_list_ok(in, [](std::string_view e) { return parse_via(e).has_value(); }));
  }
  for (NameAddrForm form : {NameAddrForm::kEither, NameAddrForm::kNameAddrOnly}) {
    if (fast_valid_name_addrs(in, form, false, nullptr)) {
      require(parse_name_addr(in, "fuzz", form).has_value());
    }
    if (fast_valid_name_addrs(in, form, true, nullptr)) {
      require(full_list_ok(
          in, [form](std::string_view e) { return parse_name_addr(e, "fuzz", form).has_value(); }));
    }
  }
  if (fast_valid_token_list(in)) require(valid_token_list(in, false));
  if (fast_valid_cseq(in, false, "")) require(parse_cseq(in, "fuzz").has_value());
  return 0;
}
