// HttpClient: the one way ctwatch talks HTTP. An interface so that clients can be pointed at
// loopback servers in tests; CurlHttpClient is the libcurl implementation with connect and
// total timeouts, NOSIGNAL, a body-size cap (on the decoded body) and transparent gzip.
// Thread-safety: a CurlHttpClient owns one curl handle (kept alive for connection reuse) and
// must be used by one thread at a time; make one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ctwatch {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 30'000;
  int64_t connect_timeout_ms = 10'000;
  size_t max_body_bytes = 16u << 20;
  // Ask for gzip. Off where the body is large and compresses poorly enough that inflating it
  // costs more CPU than the bandwidth is worth (RFC 6962 get-entries).
  bool accept_gzip = true;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::optional<std::string_view> Header(std::string_view lower_name) const;
  std::vector<std::string_view> HeaderValues(std::string_view lower_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a response; errors are transport failures, timeouts and size caps.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct CurlOptions {
  std::string user_agent = "ctwatch/0.1 (+https://github.com/ctwatch)";
  std::string ca_file;         // extra trust anchor file (PEM); empty = system store
  bool verify_peer = true;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Retry-After (RFC 9110 §10.2.3) as a delay in ms: delta-seconds or an HTTP-date.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_ms);

// OK for 2xx. 429 and 503 become kRateLimited, other statuses kHttpStatus; both carry
// Retry-After when the server sent one. The message names the URL and status.
Status CheckHttpStatus(const HttpResponse& response, std::string_view url, int64_t now_ms);

// Initialises libcurl once per process; call from main before starting threads.
void GlobalHttpInit();

}  // namespace ctwatch
