#include "acme/acme_client.h"

#include <algorithm>

#include "core/backoff.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxPooledNonces = 32;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTransient(const Error& e) {
  return e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout;
}

}  // namespace

std::optional<std::string_view> AcmeResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string> AcmeResponse::Links(std::string_view rel) const {
  std::vector<std::string_view> values;
  for (const auto& [name, value] : headers) {
    if (name == "link") values.push_back(value);
  }
  return ParseLinks(values, rel);
}

std::vector<std::string> ParseLinks(const std::vector<std::string_view>& values,
                                    std::string_view rel) {
  // RFC 8288 §3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), and several
  // link-values may share one header, separated by commas.
  std::vector<std::string> out;
  for (std::string_view value : values) {
    size_t pos = 0;
    while (pos < value.size()) {
      const size_t open = value.find('<', pos);
      if (open == std::string_view::npos) break;
      const size_t close = value.find('>', open);
      if (close == std::string_view::npos) break;
      const std::string_view target = value.substr(open + 1, close - open - 1);
      // The value ends at the next comma outside a quoted parameter.
      size_t next = close + 1;
      bool quoted = false;
      for (; next < value.size(); ++next) {
        if (value[next] == '"') quoted = !quoted;
        if (!quoted && value[next] == ',') break;
      }
      std::string_view params = value.substr(close + 1, next - close - 1);
      bool match = false;
      while (!params.empty()) {
        const size_t semi = params.find(';');
        std::string_view param = TrimSpaces(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
        if (param.rfind("rel=", 0) != 0) continue;
        std::string_view rels = param.substr(4);
        if (rels.size() >= 2 && rels.front() == '"' && rels.back() == '"') {
          rels = rels.substr(1, rels.size() - 2);
        }
        while (!rels.empty()) {
          const size_t space = rels.find(' ');
          if (rels.substr(0, space) == rel) match = true;
          rels = space == std::string_view::npos ? std::string_view() : rels.substr(space + 1);
        }
      }
      if (match && IsAcceptableUrl(target)) out.emplace_back(target);
      pos = next + 1;
    }
  }
  return out;
}

AcmeClient::AcmeClient(HttpClient* http, Clock* clock, std::string directory_url,
                       AcmeClientOptions options)
    : http_(http), clock_(clock), directory_url_(std::move(directory_url)), options_(options) {}

void AcmeClient::SetAccount(const JwsSigner* signer, std::string account_url) {
  signer_ = signer;
  account_url_ = std::move(account_url);
}

void AcmeClient::Sleep(int64_t ms) {
  if (ms > 0) clock_->SleepMs(ms);
}

Result<HttpResponse> AcmeClient::SendWithRetries(const HttpRequest& request, bool retry_transport) {
  Backoff backoff(options_.backoff_base_ms, options_.backoff_max_ms);
  for (int attempt = 1;; ++attempt) {
    ++requests_sent_;
    Result<HttpResponse> r = http_->Send(request);
    if (r.has_value()) {
      SaveNonce(*r);
      if (r->status < 500 || attempt >= options_.max_attempts) return r;
      int64_t wait = backoff.NextDelayMs();
      if (auto ra = r->Header("retry-after")) {
        if (auto ms = ParseRetryAfterMs(*ra, clock_->NowMs())) wait = *ms;
      }
      if (wait > options_.max_retry_after_ms) return r;
      spdlog::info("ACME {} {}: HTTP {}, retrying in {} ms", request.method,
                   SanitizeForLog(request.url), r->status, wait);
      Sleep(wait);
      continue;
    }
    if (!retry_transport || !IsTransient(r.error()) || attempt >= options_.max_attempts) return r;
    const int64_t wait = backoff.NextDelayMs();
    spdlog::info("ACME {} {}: {}, retrying in {} ms", request.method, SanitizeForLog(request.url),
                 r.error().message, wait);
    Sleep(wait);
  }
}

void AcmeClient::SaveNonce(const HttpResponse& response) {
  auto nonce = response.Header("replay-nonce");
  if (!nonce.has_value() || !IsAcceptableToken(*nonce)) return;
  if (nonces_.size() >= kMaxPooledNonces) nonces_.erase(nonces_.begin());
  nonces_.emplace_back(*nonce);
}

Result<std::string> AcmeClient::TakeNonce() {
  if (nonces_.empty()) {
    CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, Directory());
    HttpRequest req{.method = "HEAD", .url = dir.new_nonce};
    req.timeout_ms = options_.request_timeout_ms;
    req.max_body_bytes = 4096;
    CTW_ASSIGN_OR_RETURN(HttpResponse r, SendWithRetries(req, true));
    if (nonces_.empty()) {
      return MakeError(ErrorCode::kHttpStatus,
                       "newNonce: HTTP " + std::to_string(r.status) + " without a Replay-Nonce");
    }
  }
  std::string nonce = std::move(nonces_.back());
  nonces_.pop_back();
  return nonce;
}

AcmeResponse AcmeClient::ToAcmeResponse(HttpResponse r) const {
  AcmeResponse out;
  out.status = r.status;
  if (auto loc = r.Header("location")) out.location = std::string(*loc);
  if (auto ra = r.Header("retry-after")) {
    if (auto ms = ParseRetryAfterMs(*ra, clock_->NowMs())) out.retry_after_ms = *ms;
  }
  out.headers = std::move(r.headers);
  out.body = std::move(r.body);
  if (!out.ok()) {
    out.problem = ParseProblem(out.body);
    if (!out.problem.has_value()) {
      AcmeProblem p;
      p.type = "about:blank";
      p.detail = SanitizeForLog(out.body, 300);
      p.status = static_cast<int>(out.status);
      out.problem = std::move(p);
    }
  }
  return out;
}

Result<AcmeDirectory> AcmeClient::Directory() {
  if (directory_.has_value()) return *directory_;
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, Get(directory_url_));
  if (!r.ok()) return ErrorFromResponse(r, "directory " + directory_url_);
  Result<AcmeDirectory> d = ParseDirectory(r.body);
  if (!d.has_value()) return d.error().WithContext("directory " + directory_url_);
  directory_ = *d;
  return d;
}

Result<AcmeResponse> AcmeClient::Get(const std::string& url) {
  HttpRequest req{.method = "GET", .url = url};
  req.timeout_ms = options_.request_timeout_ms;
  req.max_body_bytes = options_.max_response_bytes;
  CTW_ASSIGN_OR_RETURN(HttpResponse r, SendWithRetries(req, true));
  return ToAcmeResponse(std::move(r));
}

Result<AcmeResponse> AcmeClient::Post(const std::string& url,
                                      const std::optional<std::string>& payload,
                                      const PostOptions& options) {
  const JwsSigner* signer = options.signer != nullptr ? options.signer : signer_;
  if (signer == nullptr) return MakeError(ErrorCode::kFailedPrecondition, "no ACME account key");
  if (!options.embed_jwk && account_url_.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "no ACME account URL (register first)");
  }
  // Every attempt is signed afresh: a nonce is good for one request only (RFC 8555 §6.5).
  Backoff backoff(options_.backoff_base_ms, options_.backoff_max_ms);
  int bad_nonces = 0;
  int attempts = 0;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(std::string nonce, TakeNonce());
    JwsHeader header{.url = url, .nonce = nonce, .kid = options.embed_jwk ? "" : account_url_};
    CTW_ASSIGN_OR_RETURN(nlohmann::json jws, SignJws(*signer, header, payload.value_or("")));
    HttpRequest req{.method = "POST", .url = url};
    req.headers.emplace_back("Content-Type", "application/jose+json");
    if (!options.accept.empty()) req.headers.emplace_back("Accept", options.accept);
    req.body = jws.dump();
    req.timeout_ms = options_.request_timeout_ms;
    req.max_body_bytes = options_.max_response_bytes;
    ++requests_sent_;
    Result<HttpResponse> raw = http_->Send(req);
    if (!raw.has_value()) {
      if (!options.retry_transport || !IsTransient(raw.error()) ||
          ++attempts >= options_.max_attempts) {
        return raw.error();
      }
      const int64_t wait = backoff.NextDelayMs();
      spdlog::info("ACME POST {}: {}, retrying in {} ms", SanitizeForLog(url), raw.error().message,
                   wait);
      Sleep(wait);
      continue;
    }
    SaveNonce(*raw);
    AcmeResponse r = ToAcmeResponse(std::move(raw).value());
    if (r.ok()) return r;
    if (r.problem->Is("badNonce") && bad_nonces < options_.max_bad_nonce_retries) {
      // RFC 8555 §6.5: retry with the fresh nonce the error response carried (now on top of
      // the pool; TakeNonce falls back to newNonce if it did not carry one).
      ++bad_nonces;
      ++bad_nonce_retries_;
      continue;
    }
    const bool rate_limited = r.problem->Is("rateLimited") || r.status == 429 || r.status == 503;
    if (rate_limited) {
      // Wait when the CA says how long and it is short; otherwise the caller reschedules.
      if (r.retry_after_ms < 0 || r.retry_after_ms > options_.max_retry_after_ms ||
          ++attempts >= options_.max_attempts) {
        return r;
      }
      spdlog::info("ACME POST {}: {} (HTTP {}), waiting {} ms as asked", SanitizeForLog(url),
                   r.problem->ToString(), r.status, r.retry_after_ms);
      Sleep(r.retry_after_ms);
      continue;
    }
    if (r.status >= 500 && ++attempts < options_.max_attempts) {
      int64_t wait = backoff.NextDelayMs();
      if (r.retry_after_ms >= 0) wait = r.retry_after_ms;
      if (wait > options_.max_retry_after_ms) return r;
      spdlog::info("ACME POST {}: HTTP {}, retrying in {} ms", SanitizeForLog(url), r.status, wait);
      Sleep(wait);
      continue;
    }
    return r;
  }
}

Result<AcmeResponse> AcmeClient::PostOk(std::string_view what, const std::string& url,
                                        const std::optional<std::string>& payload,
                                        const PostOptions& options) {
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, Post(url, payload, options));
  if (!r.ok()) return ErrorFromResponse(r, what);
  return r;
}

Error AcmeClient::ErrorFromResponse(const AcmeResponse& response, std::string_view what) {
  AcmeProblem problem = response.problem.value_or(AcmeProblem{});
  Error e{
      ErrorCodeForProblem(problem, response.status),
      std::string(what) + ": HTTP " + std::to_string(response.status) + " " + problem.ToString()};
  e.retry_after_ms = response.retry_after_ms;
  return e;
}

}  // namespace ctwatch
