// Turns a c-ares query outcome (status + raw response) into a DnsAnswer.
//
// c-ares 1.18 sends, retries, matches IDs and questions, and decodes names and
// character-strings (ares_expand_name / ares_expand_string, used here). Its record parsers
// (ares_parse_srv_reply, ares_parse_naptr_reply) return neither TTLs nor owner names, skip
// CNAMEs, and ignore the authority section, so they cannot feed a TTL cache, check that a
// record belongs to the name asked, follow a CNAME chain, or find the SOA minimum for
// negative caching (RFC 2308). This file walks the RR framing itself for those, with every
// count and length bounded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resolve/dns_records.h"

namespace sipedge::resolve {

inline constexpr int kMaxCnameDepth = 8;  // links followed, in one answer and across
// Records of the asked type kept from one answer (more are dropped and the answer marked
// truncated): bounds an entry to ~64 * 300 bytes. Every answer RR is still walked (the
// message length bounds that) so a CNAME after the 64th record is found.
inline constexpr uint16_t kMaxAnswerRecords = 64;
inline constexpr uint16_t kMaxAuthorityRecords = 16;

struct ParsedResponse {
  DnsAnswer answer;
  // Owners of the CNAME records followed inside this response, in chain order.
  std::vector<std::string> cname_links;
  // Set when the chain ends at a name this response holds nothing for (the target lives in
  // another zone): the caller asks for it (up to kMaxCnameDepth links in total).
  std::string follow_cname;
  std::string problem;  // why the answer was judged bad (logs), empty otherwise
};

// Parses the outcome of asking `qname` (normalised) for `qtype`. `ares_status` is the status
// c-ares passed to the query callback; `abuf` may be null for failures without a response.
ParsedResponse parse_dns_response(int ares_status, const unsigned char* abuf, int alen,
                                  std::string_view qname, RrType qtype);

}  // namespace sipedge::resolve
