// The HTTP sinks: a generic JSON webhook (HMAC-SHA256 signed) and a Slack-compatible incoming
// webhook. Any 2xx is delivered; 429/503 honour Retry-After; everything else is retried by the
// dispatcher. URLs are redacted from errors (webhook URLs often carry a token).
// Thread-safety: each sink owns one CurlHttpClient and is used by one thread at a time.
#include <nlohmann/json.hpp>

#include "alerts/render.h"
#include "alerts/sink.h"
#include "core/clock.h"
#include "core/http.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxResponseBytes = 64 * 1024;

Status Post(HttpClient* http, const std::string& url, std::string body,
            std::vector<std::pair<std::string, std::string>> headers, int64_t timeout_ms) {
  HttpRequest request{.method = "POST",
                      .url = url,
                      .headers = std::move(headers),
                      .body = std::move(body),
                      .timeout_ms = timeout_ms,
                      .connect_timeout_ms = std::min<int64_t>(timeout_ms, 10'000),
                      .max_body_bytes = kMaxResponseBytes};
  Result<HttpResponse> response = http->Send(request);
  if (!response.has_value()) return RedactError(response.error(), url);
  Status status = CheckHttpStatus(*response, url, SystemClock::Get()->NowMs());
  if (!status.has_value()) return RedactError(status.error(), url);
  return OkStatus();
}

class WebhookSink final : public Sink {
 public:
  explicit WebhookSink(const SinkConfig& config)
      : config_(config), http_(CurlOptions{.ca_file = config.webhook.ca_file}) {}

  Status Deliver(const OutgoingMessage& message) override {
    const std::string body = MessageJson(message, config_.certificate_link)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"},
        {"Idempotency-Key", message.idempotency_key},
        {"X-Ctwatch-Event", MessageKindName(message.kind)}};
    if (!config_.webhook.secret.empty()) {
      const int64_t now_s = SystemClock::Get()->NowMs() / 1000;
      headers.emplace_back(config_.webhook.signature_header,
                           WebhookSignature(config_.webhook.secret, now_s, body));
    }
    for (const auto& h : config_.webhook.headers) headers.push_back(h);
    return Post(&http_, config_.webhook.url, body, std::move(headers), config_.timeout_ms);
  }

 private:
  const SinkConfig config_;
  CurlHttpClient http_;
};

class SlackSink final : public Sink {
 public:
  explicit SlackSink(const SinkConfig& config)
      : config_(config), http_(CurlOptions{.ca_file = config.slack.ca_file}) {}

  Status Deliver(const OutgoingMessage& message) override {
    const nlohmann::json payload = {{"text", SlackText(message, config_.certificate_link)},
                                    {"unfurl_links", false},
                                    {"unfurl_media", false}};
    const std::string body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Post(
        &http_, config_.slack.url, body,
        {{"Content-Type", "application/json"}, {"Idempotency-Key", message.idempotency_key}},
        config_.timeout_ms);
  }

 private:
  const SinkConfig config_;
  CurlHttpClient http_;
};

}  // namespace

std::unique_ptr<Sink> MakeWebhookSink(const SinkConfig& config) {
  return std::make_unique<WebhookSink>(config);
}

std::unique_ptr<Sink> MakeSlackSink(const SinkConfig& config) {
  return std::make_unique<SlackSink>(config);
}

}  // namespace ctwatch
