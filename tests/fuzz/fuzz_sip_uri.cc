// libFuzzer target: arbitrary bytes as a URI, as a name-addr header value, and as the
// credential / challenge / Authentication-Info values that carry URIs and quoted strings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/auth_headers.h"
#include "sip/name_addr.h"
#include "sip/uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sipedge::sip;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto uri = parse_uri(in, "fuzz");
  if (uri) {
    UriParam p;
    (void)uri->find_param("transport", &p);
    std::string user;
    (void)unescape_uri_component(uri->user, &user);
  }
  (void)parse_name_addr(in, "fuzz");
  (void)is_ipv6_address(in);
  if (auto cred = parse_credentials(in, "fuzz"); cred && cred->is_digest) {
    (void)cred->digest.response.size();
  }
  (void)parse_challenge(in, "fuzz");
  (void)parse_authentication_info(in, "fuzz");
  return 0;
}
