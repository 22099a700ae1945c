#include "resolve/dns_records.h"

#include <arpa/inet.h>

namespace sipedge::resolve {

std::string_view rr_type_name(RrType type) {
  switch (type) {
    case RrType::kA:
      return "A";
    case RrType::kCname:
      return "CNAME";
    case RrType::kSoa:
      return "SOA";
    case RrType::kAaaa:
      return "AAAA";
    case RrType::kSrv:
      return "SRV";
    case RrType::kNaptr:
      return "NAPTR";
  }
  return "?";
}

std::string_view dns_status_rcode(DnsStatus status) {
  switch (status) {
    case DnsStatus::kNoError:
    case DnsStatus::kNoData:
      return "NOERROR";
    case DnsStatus::kNxDomain:
      return "NXDOMAIN";
    case DnsStatus::kServFail:
      return "SERVFAIL";
    case DnsStatus::kTimeout:
      return "TIMEOUT";
    case DnsStatus::kBadName:
      return "BADNAME";
  }
  return "SERVFAIL";
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

bool is_valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  return label > 0;
}

std::string normalize_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.' && name.size() > 1) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace sipedge::resolve
