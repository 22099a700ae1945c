#include "result_json.h"

#include <cstdio>

namespace sipedge::tools {

namespace {

void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          *out += buf;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string result_to_json(std::string_view uri, const resolve::ResolveResult& result) {
  std::string out = "{\"uri\": ";
  append_json_string(&out, uri);
  out += ", \"tls_identity\": ";
  append_json_string(&out, result.tls_identity);
  out += ", \"targets\": [";
  for (size_t i = 0; i < result.targets.size(); ++i) {
    const resolve::Target& t = result.targets[i];
    if (i) out += ", ";
    out += "{\"transport\": ";
    append_json_string(&out, resolve::transport_name(t.transport));
    out += ", \"host\": ";
    append_json_string(&out, t.host);
    out += ", \"port\": " + std::to_string(t.port) + ", \"address\": ";
    append_json_string(&out, t.address.to_string());
    out += "}";
  }
  out += "], \"steps\": [";
  for (size_t i = 0; i < result.steps.size(); ++i) {
    const resolve::DnsStep& s = result.steps[i];
    if (i) out += ", ";
    out += "{\"query\": ";
    append_json_string(&out, s.name);
    out += ", \"type\": ";
    append_json_string(&out, resolve::rr_type_name(s.type));
    out += ", \"rcode\": ";
    append_json_string(&out, resolve::dns_status_rcode(s.status));
    out += ", \"answers\": " + std::to_string(s.answers);
    if (s.stale) out += ", \"stale\": true";
    out += "}";
  }
  out += "], \"round_trips\": " + std::to_string(result.round_trips);
  if (!result.error.empty()) {
    out += ", \"error\": ";
    append_json_string(&out, result.error);
  }
  out += "}";
  return out;
}

std::string result_to_text(std::string_view uri, const resolve::ResolveResult& result) {
  std::string out(uri);
  out += "  (TLS identity: " + result.tls_identity + ")\n";
  for (const resolve::DnsStep& s : result.steps) {
    out += "  ; " + s.name + " " + std::string(resolve::rr_type_name(s.type)) + " " +
           std::string(resolve::dns_status_rcode(s.status)) + " " + std::to_string(s.answers) +
           " answer(s)" + (s.stale ? " [stale]" : "") + "\n";
  }
  for (size_t i = 0; i < result.targets.size(); ++i) {
    const resolve::Target& t = result.targets[i];
    const std::string addr =
        t.address.family == 6 ? "[" + t.address.to_string() + "]" : t.address.to_string();
    out += std::to_string(i + 1) + ". " + std::string(resolve::transport_name(t.transport)) + " " +
           addr + ":" + std::to_string(t.port) + "  (" + t.host + ")\n";
  }
  if (!result.error.empty()) out += "error: " + result.error + "\n";
  return out;
}

}  // namespace sipedge::tools
