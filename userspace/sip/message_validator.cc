#include "sip/message_validator.h"

#include "sip/auth_headers.h"
#include "sip/char_class.h"
#include "sip/fast_path.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/text_utf8.h"
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

bool contact_param_ok(const HeaderParam& p) {
  if (iequals(p.name, "q")) return p.has_value && valid_qvalue(p.value);
  if (iequals(p.name, "expires")) return p.has_value && digits_only(p.value);
  return true;
}

Result check_contact(const Header& h) {
  if (h.value == "*") return true;
  return for_each_element(h, true, [&h](std::string_view e) -> Result {
    auto na = parse_name_addr(e, h.name);
    if (!na) return unexpected(na.error());
    bool ok = for_each_header_param(na->params, contact_param_ok);
    if (!ok) return bad(h, "bad contact parameter (q or expires)");
    return true;
  });
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
      // One name-addr: its own grammar rejects a second element after a comma.
      if (h.value.empty()) return bad(h, "empty value");
      return check_name_addr(h, h.value, NameAddrForm::kEither);
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
      return valid_event(h.value) ? Result(true) : bad(h, "bad event type");
    case HeaderId::kAllowEvents:
      return valid_event_list(h.value) ? Result(true) : bad(h, "bad event type");
    case HeaderId::kSubject:
      return valid_text_utf8_trim(h.value, true) ? Result(true) : bad(h, "not TEXT-UTF8-TRIM");
    case HeaderId::kServer:
    case HeaderId::kUserAgent:
      return valid_server_value(h.value) ? Result(true) : bad(h, "bad product or comment");
    case HeaderId::kAuthorization:
    case HeaderId::kProxyAuthorization: {
      auto cred = parse_credentials(h.value, h.name);
      if (!cred) return unexpected(cred.error());
      return true;
    }
    case HeaderId::kWwwAuthenticate:
    case HeaderId::kProxyAuthenticate: {
      auto challenge = parse_challenge(h.value, h.name);
      if (!challenge) return unexpected(challenge.error());
      return true;
    }
    default:
      return true;
  }
}

// The fast recognisers (fast_path.h) for the headers nearly every message carries. True
// only when the value is valid; then every byte of it is also printable ASCII or HTAB, as
// none of them accepts anything else, so the byte rule holds too. False means "not sure":
// the full rules decide, in their usual order.
bool fast_header_ok(const Message& msg, const Header& h) {
  switch (h.id) {
    case HeaderId::kVia:
      return fast_valid_via_list(h.value);
    case HeaderId::kFrom:
    case HeaderId::kTo:
    case HeaderId::kReferTo:
    case HeaderId::kReferredBy:
      return fast_valid_name_addrs(h.value, NameAddrForm::kEither, false, nullptr);
    case HeaderId::kRoute:
    case HeaderId::kRecordRoute:
      return fast_valid_name_addrs(h.value, NameAddrForm::kNameAddrOnly, true, nullptr);
    case HeaderId::kContact:
      return fast_valid_name_addrs(h.value, NameAddrForm::kEither, true, contact_param_ok);
    case HeaderId::kCallId:
      return valid_call_id(h.value);  // word bytes are all printable ASCII
    case HeaderId::kCSeq:
      return fast_valid_cseq(h.value, msg.is_request(), msg.method);
    case HeaderId::kMaxForwards:
      return parse_max_forwards(h.value, h.name).has_value();  // digits only
    case HeaderId::kContentLength:
      return digits_only(h.value);  // the parser judged the number
    case HeaderId::kRequire:
    case HeaderId::kProxyRequire:
    case HeaderId::kUnsupported:
    case HeaderId::kSupported:
    case HeaderId::kAllow:
      return fast_valid_token_list(h.value);
    default:
      return false;
  }
}

// Headers whose grammar is not a comma-separated list may appear once (RFC 3261 §7.3.1),
// even with equal values: a hop that reads the first row and one that reads the last must
// not be able to disagree. The four credential/challenge headers are the §7.3.1 exception.
constexpr uint64_t single_valued_mask() {
  constexpr HeaderId kSingle[] = {
      HeaderId::kFrom,        HeaderId::kTo,          HeaderId::kCallId,
      HeaderId::kCSeq,        HeaderId::kMaxForwards, HeaderId::kContentLength,
      HeaderId::kContentType, HeaderId::kDate,        HeaderId::kExpires,
      HeaderId::kMinExpires,  HeaderId::kRetryAfter,  HeaderId::kSessionExpires,
      HeaderId::kSubject,     HeaderId::kEvent,       HeaderId::kReferTo,
      HeaderId::kReferredBy,  HeaderId::kIdentity,    HeaderId::kIdentityInfo,
      HeaderId::kUserAgent,   HeaderId::kServer,
  };
  uint64_t mask = 0;
  for (HeaderId id : kSingle) mask |= uint64_t{1} << static_cast<int>(id);
  return mask;
}
static_assert(kHeaderIdCount <= 64);

// A bit test rather than a switch: this runs for every header of every message.
bool single_valued(HeaderId id) {
  return ((single_valued_mask() >> static_cast<int>(id)) & 1) != 0;
}

// Headers without a HeaderId whose value the strict receiver still checks.
enum class ExtraHeader : uint8_t { kNone, kAuthenticationInfo, kOrganization, kSingle };

// RFC 3261 §20 headers (and RFC 3262 / 4028 / 6665 ones) with one value per message.
ExtraHeader lookup_extra_header(std::string_view name) {
  static constexpr std::string_view kSingles[] = {
      "Content-Disposition", "MIME-Version", "Priority", "Reply-To",
      "Timestamp",           "RSeq",         "RAck",     "Min-SE",
      "Subscription-State"};
  if (iequals(name, "Authentication-Info")) return ExtraHeader::kAuthenticationInfo;
  if (iequals(name, "Organization")) return ExtraHeader::kOrganization;
  for (std::string_view single : kSingles) {
    if (iequals(name, single)) return ExtraHeader::kSingle;
  }
  return ExtraHeader::kNone;
}

Result check_extra_header(const Message& msg, size_t index, ExtraHeader kind) {
  const Header& h = msg.headers[index];
  if (kind != ExtraHeader::kAuthenticationInfo) {
    for (size_t i = 0; i < index; ++i) {
      if (msg.headers[i].id == HeaderId::kUnknown && iequals(msg.headers[i].name, h.name)) {
        return fail(ParseErrorCode::kDuplicateHeader, h.name,
                    "single-value header appears more than once (RFC 3261 §7.3.1)");
      }
    }
  }
  switch (kind) {
    case ExtraHeader::kAuthenticationInfo: {
      auto info = parse_authentication_info(h.value, h.name);
      if (!info) return unexpected(info.error());
      return true;
    }
    case ExtraHeader::kOrganization:
      return valid_text_utf8_trim(h.value, true) ? Result(true) : bad(h, "not TEXT-UTF8-TRIM");
    default:
      return true;
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
  if (!msg.is_request() && !valid_reason_phrase(msg.reason)) {
    return fail(ParseErrorCode::kBadStartLine, "Status-Line", "Reason-Phrase outside its grammar");
  }
  for (size_t i = 0; i < msg.headers.size(); ++i) {
    const Header& h = msg.headers[i];
    const bool duplicate =
        single_valued(h.id) && msg.first_index[static_cast<int>(h.id)] != static_cast<int16_t>(i);
    if (!duplicate && fast_header_ok(msg, h)) continue;
    // Most values are plain ASCII, which a vector pass clears; the rest get the full rule.
    if (!plain_ascii_value(h.value) && !valid_header_value_bytes(h.value)) {
      return bad(h, "byte outside TEXT-UTF8 / LWS in value");
    }
    if (h.id == HeaderId::kUnknown) {
      ExtraHeader extra = lookup_extra_header(h.name);
      if (extra == ExtraHeader::kNone) continue;
      if (auto r = check_extra_header(msg, i, extra); !r) return r;
      continue;
    }
    if (duplicate) {
      return fail(ParseErrorCode::kDuplicateHeader, h.name,
                  "single-value header appears more than once (RFC 3261 §7.3.1)");
    }
    if (auto r = check_header(msg, h); !r) return r;
  }
  return true;
}

}  // namespace sipedge::sip
