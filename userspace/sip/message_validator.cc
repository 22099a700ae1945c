#include "sip/message_validator.h"

#include "sip/char_class.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace sipedge::sip {
namespace {

using Result = Expected<bool, ParseError>;

Result fail(ParseErrorCode code, std::string_view where, const char* what) {
  return unexpected(make_error(code, where, what));
}

Result bad(const Header& h, const char* what) {
  return fail(ParseErrorCode::kBadHeader, h.name, what);
}

// Applies `check(element)` to every element of a comma-separated value; no empty elements.
template <typename Check>
Result for_each_element(const Header& h, bool allow_many, Check&& check) {
  std::string_view rest = h.value;
  std::string_view element;
  bool error = false;
  int n = 0;
  while (next_list_element(&rest, &element, &error)) {
    if (element.empty()) return bad(h, "empty list element");
    if (++n > 1 && !allow_many) return bad(h, "more than one value");
    if (auto r = check(element); !r) return r;
  }
  if (error) return bad(h, "unbalanced quote or angle bracket");
  if (n == 0) return bad(h, "empty value");
  return true;
}

bool digits_only(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
bool valid_qvalue(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() == 1) return true;
  if (q[1] != '.' || q.size() > 5) return false;
  for (char c : q.substr(2)) {
    if (!is_digit(c) || (q[0] == '1' && c != '0')) return false;
  }
  return true;
}

Result check_name_addr(const Header& h, std::string_view element, NameAddrForm form) {
  auto na = parse_name_addr(element, h.name, form);
  if (!na) return unexpected(na.error());
  return true;
}

Result check_contact(const Header& h) {
  if (h.value == "*") return true;
  return for_each_element(h, true, [&h](std::string_view e) -> Result {
    auto na = parse_name_addr(e, h.name);
    if (!na) return unexpected(na.error());
    bool ok = for_each_header_param(na->params, [](const HeaderParam& p) {
      if (iequals(p.name, "q")) return p.has_value && valid_qvalue(p.value);
      if (iequals(p.name, "expires")) return p.has_value && digits_only(p.value);
      return true;
    });
    if (!ok) return bad(h, "bad contact parameter (q or expires)");
    return true;
  });
}

// Header values are TEXT-UTF8 and LWS: a control byte may appear only escaped by a
// quoted-pair inside a quoted string, and CR LF only as a fold (followed by SP or HTAB).
bool valid_value_bytes(std::string_view v) {
  bool in_quote = false;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (in_quote && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') in_quote = !in_quote;
    if (c >= 0x20 && c != 0x7f) continue;
    if (c == '\t') continue;
    if (c == '\r' && i + 2 < v.size() && v[i + 1] == '\n' && is_wsp(v[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

Result check_header(const Message& msg, const Header& h) {
  switch (h.id) {
    case HeaderId::kVia:
      return for_each_element(h, true, [](std::string_view e) -> Result {
        auto via = parse_via(e);
        if (!via) return unexpected(via.error());
        return true;
      });
    case HeaderId::kFrom:
    case HeaderId::kTo:
    case HeaderId::kReferTo:
    case HeaderId::kReferredBy:
      return for_each_element(h, false, [&h](std::string_view e) {
        return check_name_addr(h, e, NameAddrForm::kEither);
      });
    case HeaderId::kRoute:
    case HeaderId::kRecordRoute:
      return for_each_element(h, true, [&h](std::string_view e) {
        return check_name_addr(h, e, NameAddrForm::kNameAddrOnly);
      });
    case HeaderId::kContact:
      return check_contact(h);
    case HeaderId::kCallId:
      return valid_call_id(h.value) ? Result(true) : bad(h, "not a valid Call-ID word");
    case HeaderId::kCSeq: {
      auto cseq = parse_cseq(h.value, h.name);
      if (!cseq) return unexpected(cseq.error());
      if (msg.is_request() && cseq->method != msg.method) {
        return fail(ParseErrorCode::kMismatch, h.name, "method differs from the Request-Line");
      }
      return true;
    }
    case HeaderId::kMaxForwards: {
      auto mf = parse_max_forwards(h.value, h.name);
      if (!mf) return unexpected(mf.error());
      return true;
    }
    case HeaderId::kContentType:
      return valid_media_type(h.value) ? Result(true) : bad(h, "not a media type");
    case HeaderId::kDate:
      return valid_date(h.value) ? Result(true) : bad(h, "not an RFC 1123 date in GMT");
    case HeaderId::kExpires:
    case HeaderId::kMinExpires:
      return digits_only(h.value) ? Result(true) : bad(h, "not delta-seconds");
    case HeaderId::kRetryAfter:
      return valid_delta_seconds_with_params(h.value, true) ? Result(true)
                                                            : bad(h, "bad Retry-After value");
    case HeaderId::kSessionExpires:
      return valid_delta_seconds_with_params(h.value, false) ? Result(true)
                                                             : bad(h, "bad Session-Expires");
    case HeaderId::kWarning:
      return valid_warning(h.value) ? Result(true) : bad(h, "bad warning-value");
    case HeaderId::kRequire:
    case HeaderId::kProxyRequire:
    case HeaderId::kUnsupported:
      return valid_token_list(h.value, false) ? Result(true) : bad(h, "bad option-tag list");
    case HeaderId::kSupported:
    case HeaderId::kAllow:
      return valid_token_list(h.value, true) ? Result(true) : bad(h, "bad token list");
    case HeaderId::kAccept:
      return valid_accept(h.value) ? Result(true) : bad(h, "bad media range");
    case HeaderId::kEvent:
    case HeaderId::kAllowEvents:
      return valid_event_list(h.value) ? Result(true) : bad(h, "bad event type");
    default:
      return true;
  }
}

bool single_valued(HeaderId id) {
  switch (id) {
    case HeaderId::kFrom:
    case HeaderId::kTo:
    case HeaderId::kCallId:
    case HeaderId::kCSeq:
    case HeaderId::kMaxForwards:
    case HeaderId::kContentType:
    case HeaderId::kDate:
    case HeaderId::kExpires:
    case HeaderId::kMinExpires:
    case HeaderId::kRetryAfter:
    case HeaderId::kSessionExpires:
    case HeaderId::kReferTo:
    case HeaderId::kReferredBy:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result validate_message(const Message& msg) {
  static constexpr HeaderId kMandatory[] = {HeaderId::kVia, HeaderId::kFrom, HeaderId::kTo,
                                            HeaderId::kCallId, HeaderId::kCSeq};
  for (HeaderId id : kMandatory) {
    if (msg.find(id) == nullptr) {
      return fail(ParseErrorCode::kMissingHeader, header_canonical_name(id),
                  "mandatory header missing");
    }
  }
  for (size_t i = 0; i < msg.headers.size(); ++i) {
    const Header& h = msg.headers[i];
    if (!valid_value_bytes(h.value)) return bad(h, "control character in value");
    if (h.id == HeaderId::kUnknown) continue;
    if (single_valued(h.id)) {
      const Header* first = msg.find(h.id);
      if (first != &h && first->value != h.value) {
        return fail(ParseErrorCode::kDuplicateHeader, h.name, "repeated with a conflicting value");
      }
    }
    if (auto r = check_header(msg, h); !r) return r;
  }
  return true;
}

}  // namespace sipedge::sip
