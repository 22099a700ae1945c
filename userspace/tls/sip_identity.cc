#include "tls/sip_identity.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>

namespace sipedge::tls {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

std::string_view without_brackets(std::string_view name) {
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    return name.substr(1, name.size() - 2);
  }
  return name;
}

// The raw address bytes of an IP literal (4 or 16 of them); size 0 when not a literal.
struct IpBytes {
  std::array<unsigned char, 16> bytes{};
  size_t size = 0;
};

IpBytes parse_ip(std::string_view text) {
  IpBytes out;
  text = without_brackets(text);
  if (text.empty() || text.size() >= 64) return out;
  const std::string z(text);  // inet_pton needs a terminated string
  if (inet_pton(AF_INET, z.c_str(), out.bytes.data()) == 1) {
    out.size = 4;
  } else if (inet_pton(AF_INET6, z.c_str(), out.bytes.data()) == 1) {
    out.size = 16;
  }
  return out;
}

// An ASN1 string as a view; empty when it carries an embedded NUL (a classic spoofing trick).
std::string_view view_of(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  std::string_view v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  return v.find('\0') == std::string_view::npos ? v : std::string_view();
}

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

bool san_matches(const GENERAL_NAMES* names, std::string_view domain, bool allow_wildcard) {
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const std::string_view dns = view_of(name->d.dNSName);
      if (!dns.empty() && dns_name_matches(dns, domain, allow_wildcard)) return true;
    } else if (name->type == GEN_URI) {
      const auto host = sip_domain_of_uri(view_of(name->d.uniformResourceIdentifier));
      if (host && equal_ignoring_case(without_trailing_dot(*host), domain)) return true;
    }
  }
  return false;
}

bool san_matches_ip(const GENERAL_NAMES* names, const IpBytes& ip) {
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_IPADD) continue;
    const ASN1_OCTET_STRING* a = name->d.iPAddress;
    if (static_cast<size_t>(ASN1_STRING_length(a)) == ip.size &&
        std::memcmp(ASN1_STRING_get0_data(a), ip.bytes.data(), ip.size) == 0) {
      return true;
    }
  }
  return false;
}

bool common_name_matches(X509* cert, std::string_view domain, bool allow_wildcard) {
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
    unsigned char* utf8 = nullptr;
    const int len =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    if (len < 0) continue;
    const std::string_view cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    const bool match = cn.find('\0') == std::string_view::npos && !cn.empty() &&
                       dns_name_matches(cn, domain, allow_wildcard);
    OPENSSL_free(utf8);
    if (match) return true;
  }
  return false;
}

}  // namespace

bool is_ip_literal(std::string_view domain) { return parse_ip(domain).size != 0; }

std::optional<std::string_view> sip_domain_of_uri(std::string_view uri) {
  constexpr std::string_view kScheme = "sip:";
  if (uri.size() <= kScheme.size() || !equal_ignoring_case(uri.substr(0, 4), kScheme)) {
    return std::nullopt;
  }
  std::string_view rest = uri.substr(kScheme.size());
  // RFC 5922: a URI with a user part names a user, not the domain.
  if (rest.find('@') != std::string_view::npos) return std::nullopt;
  size_t end;
  if (rest.front() == '[') {
    end = rest.find(']');
    if (end == std::string_view::npos) return std::nullopt;
    ++end;
  } else {
    end = rest.find_first_of(":;?");
    if (end == std::string_view::npos) end = rest.size();
  }
  if (end == 0) return std::nullopt;
  return rest.substr(0, end);
}

bool dns_name_matches(std::string_view pattern, std::string_view domain, bool allow_wildcard) {
  pattern = without_trailing_dot(pattern);
  domain = without_trailing_dot(domain);
  if (pattern.empty() || domain.empty()) return false;
  if (equal_ignoring_case(pattern, domain)) return true;
  if (!allow_wildcard || pattern.size() < 3 || pattern.substr(0, 2) != "*.") return false;
  const std::string_view suffix = pattern.substr(1);  // ".example.com"
  // "*.com" would speak for a whole top-level domain.
  if (suffix.find('.', 1) == std::string_view::npos) return false;
  const size_t dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  return equal_ignoring_case(domain.substr(dot), suffix);
}

bool certificate_matches_sip_domain(X509* cert, std::string_view domain, bool allow_wildcard) {
  if (cert == nullptr) return false;
  domain = without_trailing_dot(domain);
  if (domain.empty()) return false;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  const IpBytes ip = parse_ip(domain);
  if (ip.size != 0) return names && san_matches_ip(names.get(), ip);
  // Presence, not parse success, decides: an unparseable SAN must not open the CN fallback.
  if (X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) >= 0) {
    return names && san_matches(names.get(), domain, allow_wildcard);
  }
  // RFC 5922 §7.1: the CN is consulted only when there is no subjectAltName at all.
  return common_name_matches(cert, domain, allow_wildcard);
}

}  // namespace sipedge::tls
