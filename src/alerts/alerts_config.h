// AlertsConfig: the [alerts] section of the config file as plain structs (read by
// src/app/alerts_config_reader.cc; every key is documented in docs/alerts.md). Secrets are
// resolved at load time and must never be logged.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/records.h"

namespace ctwatch {

// Which findings a sink receives. Empty lists mean "all".
struct SinkFilter {
  std::vector<std::string> kinds;
  std::vector<std::string> exclude_kinds;
  Severity min_severity = Severity::kInfo;
  // Findings with names pass when one of their names is at or below one of these domains.
  // Findings without names (about a log or the service) are not filtered by domain.
  std::vector<std::string> domains;
};

enum class SinkType { kWebhook, kSlack, kEmail, kExec, kJsonLines };
const char* SinkTypeName(SinkType type);

struct WebhookSinkConfig {
  std::string url;
  std::string secret;  // HMAC-SHA256 key; empty = unsigned
  std::string signature_header = "X-Ctwatch-Signature";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;
};

struct SlackSinkConfig {
  std::string url;
  std::string ca_file;
};

enum class StartTls { kRequired, kOptional, kOff };

struct EmailSinkConfig {
  std::string url;  // smtp://host:port (STARTTLS) or smtps://host:port (TLS from the start)
  std::string from;
  std::vector<std::string> to;
  std::string username;
  std::string password;
  StartTls starttls = StartTls::kRequired;
  std::string ca_file;
  std::string subject_prefix = "[ctwatch]";
};

struct ExecSinkConfig {
  std::vector<std::string> command;  // argv; argv[0] looked up in PATH when it has no '/'
  std::string files_dir;             // CERT_FILENAME, JSON_FILENAME, TEXT_FILENAME live here
};

struct JsonLinesSinkConfig {
  std::string path;  // "-" = standard output
  bool fsync = false;
};

struct SinkConfig {
  std::string name;
  SinkType type = SinkType::kWebhook;
  SinkFilter filter;
  int64_t timeout_ms = 10'000;
  // At most rate_limit messages per rate_period_ms (0 = unlimited). What does not fit waits
  // and goes out as one digest when the limit allows.
  int64_t rate_limit = 0;
  int64_t rate_period_ms = 60'000;
  // > 0: at most one message per interval; what arrives in between is sent as one digest.
  int64_t digest_interval_ms = 0;
  int64_t digest_max = 500;  // findings per digest message
  bool summary = true;       // receives the daily health summary
  // Link to a certificate in messages: {cert_sha256} and {identity} are replaced.
  std::string certificate_link = "https://crt.sh/?sha256={cert_sha256}";

  WebhookSinkConfig webhook;
  SlackSinkConfig slack;
  EmailSinkConfig email;
  ExecSinkConfig exec;
  JsonLinesSinkConfig jsonl;
};

struct DeliveryConfig {
  int64_t poll_interval_ms = 200;         // how often the outbox is read
  int64_t retry_base_ms = 2'000;          // first retry delay; doubles per attempt
  int64_t retry_max_ms = 600'000;         // cap of the retry delay
  int64_t give_up_after_ms = 86'400'000;  // then the message fails with delivery_failed
};

struct HealthConfig {
  int64_t check_interval_ms = 60'000;
  int64_t log_unreachable_after_ms = 3'600'000;  // 0 = off
  uint64_t backlog_entries = 100'000;            // backlog above this...
  int64_t backlog_after_ms = 3'600'000;          // ...and not shrinking this long (0 = off)
  int64_t sink_failing_after_ms = 900'000;       // 0 = off
  int daily_summary_minute = -1;                 // minute of the UTC day; -1 = off
};

struct HeartbeatConfig {
  std::string url;                   // GET while healthy
  std::vector<std::string> command;  // or run this
  int64_t interval_ms = 300'000;
  int64_t timeout_ms = 10'000;
  std::string ca_file;
  bool enabled() const { return !url.empty() || !command.empty(); }
};

struct AlertsConfig {
  std::vector<SinkConfig> sinks;
  DeliveryConfig delivery;
  HealthConfig health;
  HeartbeatConfig heartbeat;
};

}  // namespace ctwatch
