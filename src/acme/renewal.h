// Renewal arithmetic shared by `ctwatch acme renew` and the scheduler (REFERENCE.md §7): when a
// certificate is due without ARI (with 1/3 of its lifetime left, 1/2 for lifetimes under 10
// days), when it counts as expiring, how long to wait after failures (about 1 min, 10 min,
// 100 min, then daily), and the ARI certID (RFC 9773 §4.1) that identifies a certificate in
// renewalInfo and `replaces`.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

// The time from which a certificate valid [not_before, not_after] should be renewed.
int64_t RenewalTimeMs(int64_t not_before_ms, int64_t not_after_ms);

// The time from which a certificate that is still not renewed counts as expiring: half of the
// renewal margin left (lifetime/6, or lifetime/4 under 10 days). From then on the scheduler
// renews in emergency mode (short retries, every CA) and reports `certificate_expiring`.
int64_t ExpiringTimeMs(int64_t not_before_ms, int64_t not_after_ms);

// Delay before the next attempt after `failures` consecutive failures: 1 min, 10 min, 100 min,
// then a day (failures <= 0: none).
int64_t FailureRetryDelayMs(int failures);

// The same in emergency mode: never longer than an eighth of the time left (at least a minute).
int64_t EmergencyRetryDelayMs(int failures, int64_t now_ms, int64_t not_after_ms);

// RFC 9773 §4.3.2/§4.3.3: a renewalInfo Retry-After (ms, -1 when absent) clamped to
// 1 min..1 day; absent means 6 h. After an error the client waits 6 h.
int64_t ClampAriRetryAfterMs(int64_t retry_after_ms);
constexpr int64_t kAriErrorRetryMs = 6 * kHourMs;

// certID = base64url(AKI keyIdentifier) "." base64url(serial DER content octets), the serial
// given as the lower-case hex of those octets (leading 00 kept when the high bit is set).
Result<std::string> AriCertId(ByteView authority_key_id, const std::string& serial_hex);

}  // namespace ctwatch
