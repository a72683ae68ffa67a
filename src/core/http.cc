#include "core/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

struct Transfer {
  HttpResponse* response;
  size_t max_body_bytes;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response->body.size() + n > t->max_body_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                                      std::string(Trim(line.substr(colon + 1))));
  }
  return n;
}

}  // namespace

std::optional<std::string_view> HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpResponse::HeaderValues(std::string_view lower_name) const {
  std::vector<std::string_view> out;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) out.push_back(value);
  }
  return out;
}

void GlobalHttpInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHttpClient::Impl {
  CurlOptions options;
  CURL* curl = nullptr;
  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

CurlHttpClient::CurlHttpClient(CurlOptions options) : impl_(std::make_unique<Impl>()) {
  GlobalHttpInit();
  impl_->options = std::move(options);
}

CurlHttpClient::~CurlHttpClient() = default;

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  if (impl_->curl == nullptr) impl_->curl = curl_easy_init();
  CURL* curl = impl_->curl;
  if (curl == nullptr) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  curl_easy_reset(curl);

  HttpResponse response;
  Transfer transfer{&response, request.max_body_bytes};
  struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  };
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), (name + ": " + value).c_str());
    if (next == nullptr) return MakeError(ErrorCode::kInternal, "curl_slist_append failed");
    (void)headers.release();
    headers.reset(next);
  }

  bool ok = true;
  auto set = [&](CURLoption opt, auto value) { ok = ok && curl_easy_setopt(curl, opt, value) == CURLE_OK; };
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  // gzip only: it is what CT logs offer, and some servers pick a far slower encoding (brotli at
  // its highest level) when offered everything libcurl decodes.
  if (request.accept_gzip) set(CURLOPT_ACCEPT_ENCODING, "gzip");
  set(CURLOPT_USERAGENT, impl_->options.user_agent.c_str());
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_WRITEDATA, &transfer);
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_HEADERDATA, &transfer);
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_SSL_VERIFYPEER, impl_->options.verify_peer ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, impl_->options.verify_peer ? 2L : 0L);
  if (!impl_->options.ca_file.empty()) set(CURLOPT_CAINFO, impl_->options.ca_file.c_str());
  if (request.method == "POST") {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDS, request.body.data());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      set(CURLOPT_POSTFIELDS, request.body.data());
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (!ok) return MakeError(ErrorCode::kInternal, "curl_easy_setopt failed for " + request.url);

  const CURLcode rc = curl_easy_perform(curl);
  if (transfer.too_large) {
    return MakeError(ErrorCode::kResourceExhausted,
                     request.url + ": response larger than " +
                         std::to_string(request.max_body_bytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return MakeError(ErrorCode::kTimeout, request.url + ": " + curl_easy_strerror(rc));
  }
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kNetwork, request.url + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_ms) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::stoll(std::string(value)) * 1000;
  }
  const time_t t = curl_getdate(std::string(value).c_str(), nullptr);
  if (t < 0) return std::nullopt;
  return std::max<int64_t>(0, int64_t{t} * 1000 - now_ms);
}

Status CheckHttpStatus(const HttpResponse& response, std::string_view url, int64_t now_ms) {
  if (response.status >= 200 && response.status < 300) return OkStatus();
  std::string message = std::string(url) + ": HTTP " + std::to_string(response.status);
  if (!response.body.empty()) message += " (" + SanitizeForLog(response.body) + ")";
  Error error{response.status == 429 || response.status == 503 ? ErrorCode::kRateLimited
                                                                : ErrorCode::kHttpStatus,
              message};
  if (auto retry = response.Header("retry-after")) {
    if (auto ms = ParseRetryAfterMs(*retry, now_ms)) error.retry_after_ms = *ms;
  }
  return error;
}

}  // namespace ctwatch
