// AcmeClient: the transport half of RFC 8555 over ctwatch's HttpClient. It fetches and caches
// the directory (§7.1.1), keeps a pool of nonces (§7.2: HEAD newNonce when empty, and the
// Replay-Nonce of every response), signs requests (§6.2: "kid" once an account is set, "jwk"
// otherwise) and sends POST and POST-as-GET (§6.3).
//
// Retries, all bounded: badNonce (§6.5) is retried at once with the nonce carried by the error
// response; rateLimited/429/503 wait for Retry-After when it is short enough (otherwise the
// error carries retry_after_ms for the scheduler); other 5xx answers and transport failures
// back off exponentially with a cap. Other problem documents are returned to the caller, which
// decides (e.g. orderNotReady → re-poll, alreadyReplaced → retry without `replaces`).
//
// Thread-safety: one AcmeClient per thread (it owns mutable nonce state and borrows an
// HttpClient, which is single-threaded too). The JwsSigner it borrows may be shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acme/jws.h"
#include "acme/problem.h"
#include "acme/resources.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/result.h"

namespace ctwatch {

struct AcmeClientOptions {
  int max_bad_nonce_retries = 20;  // per request; a CA may reject any nonce it likes
  int max_attempts = 5;            // per request, for 5xx, 429/503 and transport failures
  int64_t backoff_base_ms = 1'000;
  int64_t backoff_max_ms = 30'000;
  int64_t max_retry_after_ms = 60'000;  // longer Retry-After → fail with retry_after_ms set
  int64_t request_timeout_ms = 30'000;
  size_t max_response_bytes = 4u << 20;
};

struct AcmeResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  std::string location;                // Location header, empty when absent
  std::optional<AcmeProblem> problem;  // for non-2xx answers
  int64_t retry_after_ms = -1;         // Retry-After, -1 when absent

  bool ok() const { return status >= 200 && status < 300; }
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // Targets of Link headers (RFC 8288) with this relation, e.g. "alternate", "up", "next".
  std::vector<std::string> Links(std::string_view rel) const;
};

// Link header values → targets whose rel list contains `rel`.
std::vector<std::string> ParseLinks(const std::vector<std::string_view>& values,
                                    std::string_view rel);

class AcmeClient {
 public:
  struct PostOptions {
    const JwsSigner* signer = nullptr;  // default: the account's signer
    bool embed_jwk = false;             // "jwk" instead of "kid" (newAccount, revocation by key)
    bool retry_transport = true;        // false for requests that must not be sent twice blindly
    std::string accept;                 // Accept header (certificate download)
  };

  AcmeClient(HttpClient* http, Clock* clock, std::string directory_url,
             AcmeClientOptions options = {});

  const std::string& directory_url() const { return directory_url_; }
  // The directory, fetched on first use and cached.
  Result<AcmeDirectory> Directory();

  // The account every later request is signed for ("kid" = account_url). The signer is borrowed.
  void SetAccount(const JwsSigner* signer, std::string account_url);
  const JwsSigner* signer() const { return signer_; }
  const std::string& account_url() const { return account_url_; }

  // Signed POST of `payload` (nullopt = POST-as-GET). Any final HTTP status is a response; the
  // error cases are transport failures and exhausted retries.
  Result<AcmeResponse> Post(const std::string& url, const std::optional<std::string>& payload,
                            const PostOptions& options);
  Result<AcmeResponse> Post(const std::string& url, const std::optional<std::string>& payload) {
    return Post(url, payload, PostOptions{});
  }
  // As Post, but a non-2xx answer becomes an Error ("<what>: HTTP 400 malformed: ...").
  Result<AcmeResponse> PostOk(std::string_view what, const std::string& url,
                              const std::optional<std::string>& payload,
                              const PostOptions& options);
  Result<AcmeResponse> PostOk(std::string_view what, const std::string& url,
                              const std::optional<std::string>& payload) {
    return PostOk(what, url, payload, PostOptions{});
  }
  Result<AcmeResponse> PostAsGet(std::string_view what, const std::string& url) {
    return PostOk(what, url, std::nullopt, PostOptions{});
  }

  // Unauthenticated GET with the same 5xx/transport retries (directory, ARI renewalInfo).
  Result<AcmeResponse> Get(const std::string& url);

  // The Error for a failed response: code from the problem type, retry_after_ms carried over.
  static Error ErrorFromResponse(const AcmeResponse& response, std::string_view what);

  // Counters for tests and metrics.
  int bad_nonce_retries() const { return bad_nonce_retries_; }
  int requests_sent() const { return requests_sent_; }

 private:
  Result<std::string> TakeNonce();
  void SaveNonce(const HttpResponse& response);
  // GET and HEAD: the same request again after 5xx answers and transport failures.
  Result<HttpResponse> SendWithRetries(const HttpRequest& request, bool retry_transport);
  AcmeResponse ToAcmeResponse(HttpResponse response) const;
  void Sleep(int64_t ms);

  HttpClient* http_;
  Clock* clock_;
  std::string directory_url_;
  AcmeClientOptions options_;
  std::optional<AcmeDirectory> directory_;
  std::vector<std::string> nonces_;
  const JwsSigner* signer_ = nullptr;
  std::string account_url_;
  int bad_nonce_retries_ = 0;
  int requests_sent_ = 0;
};

}  // namespace ctwatch
