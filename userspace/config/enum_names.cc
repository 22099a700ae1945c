#include "config/daemon_config.h"

namespace sipedge::config {

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (LogLevel l : {LogLevel::kError, LogLevel::kWarn, LogLevel::kInfo, LogLevel::kDebug}) {
    if (text == log_level_name(l)) return l;
  }
  return std::nullopt;
}

std::string_view transport_tls_action_name(TransportTlsAction action) {
  return action == TransportTlsAction::kReject ? "reject" : "accept";
}

std::optional<TransportTlsAction> parse_transport_tls_action(std::string_view text) {
  if (text == "accept") return TransportTlsAction::kAccept;
  if (text == "reject") return TransportTlsAction::kReject;
  return std::nullopt;
}

std::string_view sips_contact_action_name(SipsContactAction action) {
  switch (action) {
    case SipsContactAction::kReject:
      return "reject";
    case SipsContactAction::kLog:
      return "log";
    case SipsContactAction::kAllow:
      return "allow";
  }
  return "reject";
}

std::optional<SipsContactAction> parse_sips_contact_action(std::string_view text) {
  for (SipsContactAction a :
       {SipsContactAction::kReject, SipsContactAction::kLog, SipsContactAction::kAllow}) {
    if (text == sips_contact_action_name(a)) return a;
  }
  return std::nullopt;
}

std::string_view client_cert_mode_name(ClientCertMode mode) {
  switch (mode) {
    case ClientCertMode::kNone:
      return "none";
    case ClientCertMode::kRequest:
      return "request";
    case ClientCertMode::kRequire:
      return "require";
  }
  return "none";
}

std::optional<ClientCertMode> parse_client_cert_mode(std::string_view text) {
  for (ClientCertMode m :
       {ClientCertMode::kNone, ClientCertMode::kRequest, ClientCertMode::kRequire})
    if (text == client_cert_mode_name(m)) return m;
  return std::nullopt;
}

std::optional<std::string> parse_tls_version(std::string_view text) {
  if (text == "1.2" || text == "1.3") return std::string(text);
  return std::nullopt;
}

}  // namespace sipedge::config
