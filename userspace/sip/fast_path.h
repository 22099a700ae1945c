// Fast recognisers for the shapes nearly every message carries: sip:/sips: URIs, name-addr
// lists, Via lists and token lists, each judged in one pass with table-driven classes.
// They answer only "valid" (with exactly what the full grammar gives) or "not sure": on
// escapes, folds, IPv6 references, passwords, URI headers, other schemes, quoted-pairs or
// UTF-8 they step aside and the full parsers (uri.cc, name_addr.cc, via.cc, scalar_headers.cc)
// decide. So they never reject a message, and never accept one the full grammar rejects.
// Internal to sipedge_sip.
#pragma once

#include <string_view>

#include "sip/name_addr.h"
#include "sip/uri.h"
#include "sip/value_scanner.h"

namespace sipedge::sip {

// Scans a sip:/sips: URI starting at p, as parse_uri would judge the URI text [p, returned
// pointer). In `addr_spec` form the URI stops before any ';' (RFC 3261 §20.10). Returns
// where the scan stopped, or nullptr when unsure; the caller must check that the URI text
// really ends there (at '>', the end, ...).
const char* fast_scan_sip_uri(const char* p, const char* end, bool addr_spec);

// Four octets of 1-3 digits up to 255 joined by '.', at p (IPv4address, RFC 3261 §25.1):
// past them, or nullptr.
const char* fast_scan_dotted_quad(const char* p, const char* end);

// Scans an RFC 3261 hostname or IPv4address at p (no IPv6 reference); sets *host and *kind
// as parse_host_text would for [p, returned pointer). Returns nullptr when that text is not
// a valid host.
const char* fast_scan_host(const char* p, const char* end, std::string_view* host, HostKind* kind);

// True when `text` is a whole sip:/sips: URI of the common subset; then *out (which must be
// default-constructed) holds what parse_uri gives.
bool fast_parse_sip_uri(std::string_view text, Uri* out);

// uri.cc's verdict on one uri-parameter's name and value (ttl, maddr, transport, user,
// method have rules of their own), for the fast URI scan.
bool fast_uri_param_ok(std::string_view name, std::string_view value, bool has_value);

// True when a Via value is a valid list of via-parms.
bool fast_valid_via_list(std::string_view value);

// True when a value is valid name-addr / addr-spec with header parameters: one
// of them, or a comma list when `in_list`. `param_ok` (may be null) judges each header
// parameter beyond the tag rule, e.g. Contact's q and expires.
bool fast_valid_name_addrs(std::string_view value, NameAddrForm form, bool in_list,
                           bool (*param_ok)(const HeaderParam&));

// True when a CSeq value is valid and, in a request, names `request_method` (RFC 3261
// §8.1.1.5).
bool fast_valid_cseq(std::string_view value, bool is_request, std::string_view request_method);

// True when a value is a non-empty comma list of tokens.
bool fast_valid_token_list(std::string_view value);

}  // namespace sipedge::sip
