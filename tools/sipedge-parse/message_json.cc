#include "message_json.h"

#include "sipedge/json_writer.h"
#include "sip/name_addr.h"
#include "sip/scalar_headers.h"
#include "sip/value_scanner.h"
#include "sip/via.h"

namespace sipedge::tools {
namespace {

using sip::HeaderId;

std::string_view scheme_name(const sip::Uri& uri) {
  switch (uri.scheme) {
    case sip::UriScheme::kSip:
      return "sip";
    case sip::UriScheme::kSips:
      return "sips";
    case sip::UriScheme::kTel:
      return "tel";
    default:
      return uri.scheme_text;
  }
}

void write_uri(JsonWriter& j, const sip::Uri& uri) {
  j.begin_object();
  j.key("scheme").value(scheme_name(uri));
  j.key("user");
  if (uri.has_user) {
    j.value(uri.user);
  } else {
    j.null();
  }
  j.key("host");
  if (uri.host_kind != sip::HostKind::kNone) {
    j.value(uri.host);
  } else {
    j.null();
  }
  j.key("port");
  if (uri.has_port) {
    j.value(static_cast<unsigned>(uri.port));
  } else {
    j.null();
  }
  j.key("params").begin_object();
  std::string_view rest = uri.params;
  sip::UriParam p;
  while (sip::next_param(&rest, &p)) {
    j.key(p.name);
    if (p.has_value) {
      j.value(p.value);
    } else {
      j.value(true);
    }
  }
  j.end_object();
  j.end_object();
}

// Every URI of every value of the headers with `id`, in order ("*" for a wildcard Contact).
void write_uri_list(JsonWriter& j, const sip::Message& msg, HeaderId id) {
  j.begin_array();
  for (const sip::Header& h : msg.headers) {
    if (h.id != id) continue;
    if (id == HeaderId::kContact && h.value == "*") {
      j.value("*");
      continue;
    }
    std::string_view rest = h.value, element;
    bool error = false;
    while (sip::next_list_element(&rest, &element, &error)) {
      auto na = sip::parse_name_addr(element, h.name);
      if (na) j.value(na->uri.text);
    }
  }
  j.end_array();
}

}  // namespace

std::string message_summary_json(const sip::Message& msg) {
  JsonWriter j;
  j.begin_object();
  j.key("valid").value(true);
  if (msg.is_request()) {
    j.key("kind").value("request");
    j.key("method").value(msg.method);
    j.key("request_uri");
    write_uri(j, msg.request_uri);
  } else {
    j.key("kind").value("response");
    j.key("status").value(static_cast<unsigned>(msg.status_code));
    j.key("reason").value(msg.reason);
  }
  const sip::Header* call_id = msg.find(HeaderId::kCallId);
  j.key("call_id").value(call_id ? call_id->value : std::string_view{});
  j.key("cseq");
  if (auto cseq = sip::parse_cseq(msg.find(HeaderId::kCSeq)->value, "CSeq"); cseq) {
    j.begin_object().key("number").value(static_cast<uint64_t>(cseq->number));
    j.key("method").value(cseq->method).end_object();
  } else {
    j.null();
  }
  j.key("max_forwards");
  const sip::Header* mf = msg.find(HeaderId::kMaxForwards);
  if (mf == nullptr) {
    j.null();
  } else if (auto mfv = sip::parse_max_forwards(mf->value, mf->name); mfv) {
    j.value(static_cast<unsigned>(*mfv));
  } else {
    j.null();
  }
  j.key("vias").begin_array();
  for (const sip::Header& h : msg.headers) {
    if (h.id != HeaderId::kVia) continue;
    std::string_view rest = h.value, element;
    bool error = false;
    while (sip::next_list_element(&rest, &element, &error)) {
      auto via = sip::parse_via(element);
      if (!via) continue;
      j.begin_object();
      j.key("transport").value(via->transport);
      j.key("host").value(via->host);
      j.key("port");
      if (via->has_port) {
        j.value(static_cast<unsigned>(via->port));
      } else {
        j.null();
      }
      j.key("branch");
      if (via->has_branch) {
        j.value(via->branch);
      } else {
        j.null();
      }
      j.end_object();
    }
  }
  j.end_array();
  j.key("contact");
  write_uri_list(j, msg, HeaderId::kContact);
  j.key("route");
  write_uri_list(j, msg, HeaderId::kRoute);
  j.key("record_route");
  write_uri_list(j, msg, HeaderId::kRecordRoute);
  j.key("content_length");
  if (msg.has_content_length) {
    j.value(static_cast<uint64_t>(msg.content_length));
  } else {
    j.null();
  }
  j.key("body_bytes").value(static_cast<uint64_t>(msg.body.size()));
  j.end_object();
  return j.str();
}

}  // namespace sipedge::tools
