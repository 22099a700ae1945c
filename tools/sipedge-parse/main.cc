// sipedge-parse: judge one SIP message as a strict receiver would.
// Exit 0 valid, 1 invalid (reason on stderr), 2 usage or I/O error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "message_json.h"
#include "sipedge/json_writer.h"
#include "sip/message_parser.h"
#include "sip/message_validator.h"

namespace {

bool read_input(const std::string& path, std::string* out) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    *out = ss.str();
    return !std::cin.bad();
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sipedge-parse: judge one SIP message as a strict receiver would (RFC 3261, 4475, 5118)\n"
      "Exit status: 0 valid, 1 invalid (the reason on stderr), 2 usage or I/O error.",
      "sipedge-parse"};
  std::string path;
  bool json = false;
  bool stream = false;
  sipedge::sip::ParserLimits limits;
  app.add_option("FILE", path, "the message: a file, or - for standard input")->required();
  app.add_flag("--json", json, "print a JSON summary of the message on standard output");
  app.add_flag("--stream", stream,
               "judge it as a stream (TCP/TLS) message: Content-Length is required");
  app.add_option("--max-size", limits.max_message_size, "largest message accepted, in octets")
      ->check(CLI::Range(1, 1 << 24));
  app.add_option("--max-headers", limits.max_headers, "most header lines accepted")
      ->check(CLI::Range(1, 32767));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  std::string data;
  if (!read_input(path, &data)) {
    std::fprintf(stderr, "sipedge-parse: cannot read %s\n", path.c_str());
    return 2;
  }
  sipedge::sip::MessageParser parser(limits);
  sipedge::sip::Message msg;
  auto framed = parser.parse(
      data, stream ? sipedge::sip::Framing::kStream : sipedge::sip::Framing::kDatagram, &msg);
  auto verdict = framed ? sipedge::sip::validate_message(msg) : framed;
  if (!verdict) {
    std::string reason = verdict.error().to_string();
    std::fprintf(stderr, "sipedge-parse: invalid: %s\n", reason.c_str());
    if (json) {
      sipedge::JsonWriter j;
      j.begin_object().key("valid").value(false);
      j.key("error").value(reason).end_object();
      std::printf("%s\n", j.str().c_str());
    }
    return 1;
  }
  if (json) std::printf("%s\n", sipedge::tools::message_summary_json(msg).c_str());
  return 0;
}
