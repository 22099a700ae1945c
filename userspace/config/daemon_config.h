// The daemon's configuration: what `sipedge` reads from its TOML file (toml++) and its command
// line (CLI11), checked once here so every other part can trust it. Errors are values whose
// text is ready to print: "FILE:LINE: dotted.key: what is wrong" or "--flag: what is wrong".
// The file format is documented key by key in etc/sipedge.toml and docs/config.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.h"
#include "resolve/transport.h"
#include "sipedge/expected.h"

namespace sipedge::config {

enum class LogLevel { kError, kWarn, kInfo, kDebug };

// Whether a TLS listener asks its peers for a certificate (mutual TLS between carriers).
enum class ClientCertMode { kNone, kRequest, kRequire };

struct ListenerConfig {
  resolve::Transport transport = resolve::Transport::kUdp;  // udp | tcp | tls
  net::Endpoint endpoint;
  // Only for transport = tls: our certificate chain and key (PEM; required), the CAs that
  // verify client certificates, whether to ask for one, the lowest TLS version ("1.2" or
  // "1.3") and the cipher lists (OpenSSL syntax; empty: OpenSSL's defaults).
  std::string tls_certificate, tls_key, tls_ca;
  ClientCertMode tls_client_certificates = ClientCertMode::kNone;
  std::string tls_min_version = "1.2";
  std::string tls_ciphers, tls_ciphersuites;

  bool operator==(const ListenerConfig&) const = default;
};

enum class TransportTlsAction { kAccept, kReject };      // R5: a URI with transport=tls
enum class SipsContactAction { kReject, kLog, kAllow };  // R6: sips request, Contact not sips

struct PolicyConfig {
  // CIDR text in canonical form ("10.0.0.0/8", "2001:db8::/32"; a bare address is a /32 or
  // /128 and is stored with its length), host bits zero.
  std::vector<std::string> trusted_networks;     // plaintext sips: requests accepted from these
  std::vector<std::string> tls_only_networks;    // plaintext SIP dropped (XDP) and refused (R9)
  std::vector<std::string> deny_networks;        // dropped in XDP, 403 in the router
  std::vector<net::Endpoint> trusted_downgrade;  // next hops a sips: request may reach in clear
  TransportTlsAction transport_tls = TransportTlsAction::kAccept;
  SipsContactAction sips_contact = SipsContactAction::kReject;
  // Where requests from sources outside trusted_networks may be forwarded (next hops after
  // resolution); nullopt (the key left out): anywhere, an open relay (--check-config warns).
  std::optional<std::vector<std::string>> untrusted_next_hops;

  bool operator==(const PolicyConfig&) const = default;
};

struct StaticRoute {
  std::string domain;        // lower-case host name or numeric address
  std::string next_hop_uri;  // a sip: or sips: URI (checked with sip::parse_uri), as written

  bool operator==(const StaticRoute&) const = default;
};

struct XdpConfig {
  std::string iface;          // empty: no XDP classifier
  std::string mode = "auto";  // auto | native | generic
  bool keep_pinned_on_exit = true;
  uint32_t rate_pps = 0, rate_burst = 0;  // per-source SIP packets; 0 pps: no limit
  uint32_t syn_pps = 0, syn_burst = 0;    // per-source TCP SYNs to SIP ports; 0 pps: no limit

  bool operator==(const XdpConfig&) const = default;
};

// Outgoing TLS (the [tls] table): how sipedge verifies next hops (RFC 5922 against the domain
// of the URI that was resolved, R8) and what it presents to them.
struct TlsClientConfig {
  bool enabled = true;      // false: no TLS next hops (sips: gets 503, R3)
  std::string ca;           // PEM bundle; empty: the system's trust store
  std::string certificate;  // our client certificate for mutual TLS (optional, with key)
  std::string key;
  std::string min_version = "1.2";
  std::string ciphers, ciphersuites;
  bool verify_wildcard = false;  // accept "*.example.com" dNSName entries (RFC 5922 says no)
  bool session_tickets = true;   // resume sessions on reconnect
  int handshake_timeout_ms = 5000;

  bool operator==(const TlsClientConfig&) const = default;
};

struct DnsConfig {
  std::vector<std::string> servers;  // "ADDR:PORT" / "[V6]:PORT", canonical; empty: resolv.conf
  int timeout_ms = 500;
  int tries = 2;
  size_t cache_max_entries = 65536;
  uint32_t max_ttl_s = 86400;
  size_t max_pending_per_worker = 4096;
  int64_t quarantine_ms = 30000;

  bool operator==(const DnsConfig&) const = default;
};

struct LimitsConfig {
  size_t max_message_size = 65535;
  int tcp_idle_timeout_s = 120;
  size_t tcp_max_connections_per_worker = 4096;
  size_t tcp_max_connections_per_source = 64;
  size_t tcp_write_queue_bytes = 262144;
  int tcp_connect_timeout_ms = 2000;
  // A stream message must be complete this long after its first byte (slowloris).
  int tcp_message_timeout_ms = 10000;
  // A write queue that makes no progress this long closes its connection.
  int tcp_write_stall_timeout_ms = 10000;

  bool operator==(const LimitsConfig&) const = default;
};

inline constexpr unsigned kMaxWorkers = 1024;

struct DaemonConfig {
  std::string source;  // config file path ("" when none)
  std::vector<ListenerConfig> listeners;
  unsigned workers = 0;  // 0 = one per core
  // The secret every Via branch MAC and flow token is keyed from ("" = random per start).
  std::string secret_file;
  std::vector<std::string> local_names;  // lower-case host names that mean "this proxy"
  XdpConfig xdp;
  DnsConfig dns;
  TlsClientConfig tls;
  PolicyConfig policy;
  std::vector<StaticRoute> routes;
  bool record_route = false;
  std::optional<net::Endpoint> metrics;
  LogLevel log_level = LogLevel::kInfo;
  LimitsConfig limits;
  // Where a setting came from, for validate()'s messages: dotted key ("listen[1]",
  // "daemon.workers", "metrics.listen", "route[0]", ...) → "FILE:LINE" or "--flag".
  std::map<std::string, std::string> origins;

  bool operator==(const DaemonConfig&) const = default;
};

struct ConfigError {
  std::string message;  // "FILE:LINE: KEY: what is wrong", or "--flag: what is wrong"
};

// Parses TOML text; `path` names the file in errors and becomes DaemonConfig::source. Unknown
// keys, wrong types, out-of-range numbers, bad CIDRs, addresses, URIs and enum strings are
// errors. Does not run validate(). Never throws.
Expected<DaemonConfig, ConfigError> parse_config(std::string_view toml_text,
                                                 const std::string& path);

// Reads `path` and parse_config()s it; an unreadable file is "PATH: cannot read: <reason>".
Expected<DaemonConfig, ConfigError> load_config_file(const std::string& path);

// Cross-field checks on a complete config (file and flags merged): at least one listener, no
// duplicate listener, listener transport and port, a tls listener's certificate and key, workers
// range, rate limits with a burst (XDP and generated replies), metrics not on a TCP listener's
// address, no duplicate route domain. Returns true or the first problem, located through
// DaemonConfig::origins.
Expected<bool, ConfigError> validate(const DaemonConfig& config);

// What a valid config allows that an operator probably did not mean (e.g. an open relay: no
// policy.untrusted_next_hops), one line each, located like validate()'s errors; none: empty.
std::vector<std::string> config_warnings(const DaemonConfig& config);

// Writes `config` as TOML in the layout parse_config() reads (origins are not written).
std::string to_toml(const DaemonConfig& config);

// Enum spellings used in the file, on the command line and in logs.
std::string_view log_level_name(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view transport_tls_action_name(TransportTlsAction action);
std::optional<TransportTlsAction> parse_transport_tls_action(std::string_view text);
std::string_view sips_contact_action_name(SipsContactAction action);
std::string_view client_cert_mode_name(ClientCertMode mode);
std::optional<ClientCertMode> parse_client_cert_mode(std::string_view text);
std::optional<std::string> parse_tls_version(std::string_view text);  // "1.2" | "1.3"
std::optional<SipsContactAction> parse_sips_contact_action(std::string_view text);

// What the command line asked to change in the file's settings, already checked, so a
// reload (SIGHUP) can apply the same flags to the re-read file.
struct Overrides {
  std::optional<std::vector<ListenerConfig>> listeners;  // --listen: replaces
  std::optional<std::vector<std::string>> dns_servers;   // --dns: replaces
  std::optional<net::Endpoint> metrics;                  // --metrics
  std::optional<unsigned> workers;                       // --workers
  bool record_route = false;                             // --record-route (only turns on)
  std::optional<std::string> iface;                      // --iface
  std::vector<std::string> trusted;                      // --trusted: appended
  std::vector<net::Endpoint> trusted_downgrade;          // --trusted-downgrade: appended
  std::vector<std::string> tls_only;                     // --tls-only: appended
  std::vector<std::string> deny;                         // --deny: appended
  std::vector<StaticRoute> routes;                       // --route: appended
  std::optional<LogLevel> log_level;                     // --log-level
  std::optional<std::string> secret_file;                // --secret-file
};

// Applies `overrides` over `config` (flags win over the file) and records their origins.
void apply_overrides(const Overrides& overrides, DaemonConfig* config);

struct CommandLine {
  DaemonConfig config;  // file + flags, validated (when exit_code < 0)
  Overrides overrides;
  std::string config_path;  // --config / --check-config FILE ("" when none)
  bool check_only = false;
  bool show_version = false;
  int exit_code = -1;  // >= 0: exit now with this (help/version/check printed, or an error)
};

// Parses argv: --config FILE, --check-config FILE (validate, print config_warnings() to `err`
// as "sipedge: warning: ...", the verdict to `out`, exit 0 or 2), --version, --help and the
// overrides (see Overrides). Loads the file, applies the flags and runs validate(). Errors
// print "sipedge: <error>" to `err` and set exit_code = 2.
CommandLine parse_command_line(int argc, char** argv, std::string_view version, std::ostream& out,
                               std::ostream& err);
// The same, printing to std::cout / std::cerr.
CommandLine parse_command_line(int argc, char** argv, std::string_view version);

}  // namespace sipedge::config
