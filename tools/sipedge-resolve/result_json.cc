#include "result_json.h"

#include "sipedge/json_writer.h"

namespace sipedge::tools {

std::string result_to_json(std::string_view uri, const resolve::ResolveResult& result,
                           const Timing& timing) {
  JsonWriter j;
  j.begin_object();
  j.key("uri").value(uri);
  j.key("tls_identity").value(result.tls_identity);
  j.key("targets").begin_array();
  for (const resolve::Target& t : result.targets) {
    j.begin_object();
    j.key("transport").value(resolve::transport_name(t.transport));
    j.key("host").value(t.host);
    j.key("port").value(static_cast<unsigned>(t.port));
    j.key("address").value(t.address.to_string());
    j.end_object();
  }
  j.end_array();
  j.key("steps").begin_array();
  for (const resolve::DnsStep& s : result.steps) {
    j.begin_object();
    j.key("query").value(s.name);
    j.key("type").value(resolve::rr_type_name(s.type));
    j.key("rcode").value(resolve::dns_status_rcode(s.status));
    j.key("answers").value(static_cast<uint64_t>(s.answers));
    if (s.from_cache) j.key("cached").value(true);
    if (s.stale) j.key("stale").value(true);
    j.end_object();
  }
  j.end_array();
  j.key("round_trips").value(static_cast<uint64_t>(result.round_trips));
  j.key("min_ttl_s").value(static_cast<uint64_t>(result.min_ttl_s));
  j.key("elapsed_ms").value(static_cast<uint64_t>(timing.elapsed_ms));
  j.key("deadline_ms").value(static_cast<uint64_t>(timing.deadline_ms));
  if (!result.error.empty()) j.key("error").value(result.error);
  j.end_object();
  return j.str();
}

std::string result_to_text(std::string_view uri, const resolve::ResolveResult& result,
                           const Timing& timing) {
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
  out += "  (" + std::to_string(timing.elapsed_ms) + " ms; worst case " +
         std::to_string(timing.deadline_ms) + " ms)\n";
  return out;
}

}  // namespace sipedge::tools
