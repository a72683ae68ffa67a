// ACME Renewal Information (RFC 9773): the renewalInfo resource of one certificate, fetched
// with an unauthenticated GET <renewalInfo>/<certID> (§4.1), its suggested window (§4.2) and
// the Retry-After that says when to ask again (§4.3). The renewal time is a uniformly random
// instant inside the window, picked once per window (§4.2's recommended algorithm).
// Thread-safety: pure functions, apart from FetchRenewalInfo, which uses the caller's client.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "acme/acme_client.h"
#include "core/result.h"

namespace ctwatch {

struct RenewalInfo {
  int64_t window_start_ms = 0;  // suggestedWindow.start
  int64_t window_end_ms = 0;    // suggestedWindow.end (> start)
  std::string explanation_url;  // explanationURL, empty when absent
  int64_t retry_after_ms = -1;  // the response's Retry-After, -1 when absent (not clamped)
};

// {"suggestedWindow": {"start": RFC 3339, "end": RFC 3339}, "explanationURL"?: URL}. A window
// whose end is not after its start is an error (§4.2: treat as if there were no response).
Result<RenewalInfo> ParseRenewalInfo(std::string_view body);

// A uniformly random time in [window_start_ms, window_end_ms].
int64_t PickRenewalTimeMs(const RenewalInfo& info);

// GET <directory.renewalInfo>/<cert_id>. kFailedPrecondition when the CA offers no ARI.
Result<RenewalInfo> FetchRenewalInfo(AcmeClient* client, const std::string& cert_id);

}  // namespace ctwatch
