// The little HTTP the metrics endpoint speaks: the request line of a scrape, and the
// response for each path (GET|HEAD /metrics, /healthz; 404 and 405 otherwise).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sipedge::metrics {

class Registry;

struct HttpRequestLine {
  std::string_view method;
  std::string_view path;  // without the query string
};

// Reads "METHOD SP TARGET SP HTTP/1.x" from the start of a request head; nullopt when the
// line is not that.
std::optional<HttpRequestLine> parse_request_line(std::string_view head);

// The complete response (status line, headers, body unless HEAD) to `request`, or a 400 when
// it is nullopt. Connection: close; /metrics renders `registry` now.
std::string respond(const std::optional<HttpRequestLine>& request, const Registry& registry);

}  // namespace sipedge::metrics
