#include "metrics/http_request.h"

#include "metrics/registry.h"

namespace sipedge::metrics {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string response(int status, std::string_view reason, std::string_view content_type,
                     const std::string& body, bool head_only, std::string_view extra = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra;
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += body;
  return out;
}

}  // namespace

std::optional<HttpRequestLine> parse_request_line(std::string_view head) {
  size_t eol = head.find("\r\n");
  if (eol == std::string_view::npos) eol = head.find('\n');
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return std::nullopt;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return std::nullopt;
  std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return std::nullopt;
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.front() != '/') return std::nullopt;
  return HttpRequestLine{line.substr(0, sp1), target.substr(0, target.find('?'))};
}

std::string respond(const std::optional<HttpRequestLine>& request, const Registry& registry) {
  const std::string_view text = "text/plain; charset=utf-8";
  if (!request) return response(400, "Bad Request", text, "bad request\n", false);
  bool head = request->method == "HEAD";
  if (!head && request->method != "GET")
    return response(405, "Method Not Allowed", text, "method not allowed\n", false,
                    "Allow: GET, HEAD\r\n");
  if (request->path == "/metrics")
    return response(200, "OK", kMetricsContentType, registry.render_text(), head);
  if (request->path == "/healthz") return response(200, "OK", text, "ok\n", head);
  return response(404, "Not Found", text, "not found: try /metrics\n", head);
}

}  // namespace sipedge::metrics
