// name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1): From, To,
// Contact, Route, Record-Route, Refer-To, Referred-By, Reply-To.
#pragma once

#include <string_view>

#include "sipedge/expected.h"
#include "sip/parse_error.h"
#include "sip/uri.h"

namespace sipedge::sip {

struct NameAddr {
  std::string_view display_name;  // raw: a quoted string keeps its quotes
  bool angle_brackets = false;    // name-addr form
  Uri uri;
  std::string_view params;  // header parameters after the URI, raw, without the first ';'
  std::string_view tag;     // the `tag` parameter, if any
  bool has_tag = false;
};

enum class NameAddrForm : uint8_t {
  kEither,        // name-addr / addr-spec (From, To, Contact)
  kNameAddrOnly,  // Route, Record-Route
};

// Parses one list element (already split at top-level commas) as name-addr or addr-spec
// followed by `*( SEMI generic-param )`. In addr-spec form the URI ends at the first ';'
// and may not carry '?' headers (RFC 3261 §20.10). Errors name `where`.
Expected<NameAddr, ParseError> parse_name_addr(std::string_view element, std::string_view where,
                                               NameAddrForm form = NameAddrForm::kEither);

}  // namespace sipedge::sip
