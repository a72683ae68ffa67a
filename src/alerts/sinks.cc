// MakeSink and the HMAC helpers; see sink.h. Thread-safety: pure functions.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alerts/sink.h"
#include "core/encoding.h"

namespace ctwatch {

Result<std::unique_ptr<Sink>> MakeSink(const SinkConfig& config, const SinkContext& context) {
  switch (config.type) {
    case SinkType::kWebhook:
      return MakeWebhookSink(config);
    case SinkType::kSlack:
      return MakeSlackSink(config);
    case SinkType::kEmail:
      return MakeEmailSink(config);
    case SinkType::kExec:
      return MakeExecSink(config, context);
    case SinkType::kJsonLines:
      return MakeJsonLinesSink(config);
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown sink type");
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const unsigned char* p =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  if (p == nullptr) std::abort();  // HMAC-SHA256 is always available; failing is a broken build
  return HexEncode(ByteView(out, len));
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, t + "." + std::string(body));
}

std::string RedactUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "<url>";
  const size_t host_end = url.find_first_of("/?#", scheme + 3);
  std::string_view host = url.substr(0, host_end);
  const size_t at = host.rfind('@');  // user:password@host
  std::string out(url.substr(0, scheme + 3));
  out += at == std::string_view::npos ? host.substr(scheme + 3) : host.substr(at + 1);
  if (host_end != std::string_view::npos) out += "/...";
  return out;
}

Error RedactError(Error error, const std::string& url) {
  if (url.empty()) return error;
  const std::string redacted = RedactUrl(url);
  for (size_t pos = error.message.find(url); pos != std::string::npos;
       pos = error.message.find(url, pos + redacted.size())) {
    error.message.replace(pos, url.size(), redacted);
  }
  return error;
}

}  // namespace ctwatch
