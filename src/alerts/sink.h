// Sink: one configured alert destination (webhook, Slack, e-mail, exec hook, JSON lines).
// Deliver() makes one attempt to hand a message over; an error means "try again later"
// (with Error::retry_after_ms when the peer asked for a pause). Every message carries its
// idempotency key, so a receiver can drop the duplicates that at-least-once delivery allows.
// Thread-safety: a Sink is used by its dispatcher worker thread only (and by `alerts test`).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "alerts/alert_model.h"
#include "alerts/alerts_config.h"
#include "core/result.h"

namespace ctwatch {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Deliver(const OutgoingMessage& message) = 0;
};

// What sinks may look up while delivering (exec hooks write certificate files).
struct SinkContext {
  std::function<std::optional<Bytes>(const Sha256Hash& identity)> certificate_der;
  // (leaf_input, extra_data) of a malformed entry.
  std::function<std::optional<std::pair<Bytes, Bytes>>(const Sha256Hash& log_id, uint64_t index)>
      malformed_entry;
  std::vector<std::string> watch_domains;  // for the hook's WATCH_ITEM
};

Result<std::unique_ptr<Sink>> MakeSink(const SinkConfig& config, const SinkContext& context);

// Individual factories (sinks.cc dispatches on the type).
std::unique_ptr<Sink> MakeWebhookSink(const SinkConfig& config);
std::unique_ptr<Sink> MakeSlackSink(const SinkConfig& config);
std::unique_ptr<Sink> MakeEmailSink(const SinkConfig& config);
std::unique_ptr<Sink> MakeExecSink(const SinkConfig& config, const SinkContext& context);
Result<std::unique_ptr<Sink>> MakeJsonLinesSink(const SinkConfig& config);

// HMAC-SHA256 of `data` under `key`, lower-case hex.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// The signature header value of the webhook sink: "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<unix seconds>.<body>">".
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);

// "https://hooks.example.com/...": URLs of webhooks often embed a secret token, so errors and
// logs name only the scheme and host.
std::string RedactUrl(std::string_view url);
// `error` with every occurrence of `url` replaced by RedactUrl(url).
Error RedactError(Error error, const std::string& url);

}  // namespace ctwatch
