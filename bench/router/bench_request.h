// The SIP request the router benchmark sends: a ~400-byte MESSAGE whose branch, From tag and
// Call-ID are distinct per request, and whose Call-ID carries the send time, so the sink that
// receives the forwarded copy can tell how long the trip took. Proxies keep the Call-ID
// byte for byte (RFC 3261 §16.6), so it survives any forwarder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sipedge::bench {

// A request text with fixed-width hex fields patched in place: no allocation per request.
class RequestTemplate {
 public:
  // transport is "UDP" or "TCP" (the Via's), via_host_port the sender's "ADDR:PORT",
  // request_uri e.g. "sip:bench@bench.test"; the body is padded so the whole request is
  // about target_size bytes.
  RequestTemplate(std::string_view transport, std::string_view via_host_port,
                  std::string_view request_uri, size_t target_size);

  size_t size() const { return text_.size(); }
  // Copies the template into out (size() bytes), ready for patch().
  void copy_to(char* out) const;
  // Writes seq into branch, tag and Call-ID and send_ns into the Call-ID of a copy in out.
  void patch(char* out, uint64_t seq, uint64_t send_ns) const;

 private:
  std::string text_;
  size_t branch_at_ = 0;
  size_t tag_at_ = 0;
  size_t call_id_seq_at_ = 0;
  size_t call_id_time_at_ = 0;
};

// Reads seq and send time from the Call-ID of a (forwarded) request; false when the message
// has no Call-ID this benchmark wrote.
bool read_call_id_stamp(std::string_view message, uint64_t* seq, uint64_t* send_ns);

// Content-Length of a header block (full or compact name "l", any case): the framing of a
// SIP message on a stream (RFC 3261 §18.3); -1 when absent or not a number.
long content_length(std::string_view headers);

// True when the request's Max-Forwards is 69: a proxy decremented our 70 (a byte relay does not).
bool max_forwards_decremented(std::string_view message);

}  // namespace sipedge::bench
