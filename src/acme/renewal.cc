#include "acme/renewal.h"

#include <algorithm>

#include "core/encoding.h"

namespace ctwatch {
namespace {

constexpr int64_t kTenDays = 10 * kDayMs;

}  // namespace

int64_t RenewalTimeMs(int64_t not_before_ms, int64_t not_after_ms) {
  const int64_t lifetime = not_after_ms - not_before_ms;
  if (lifetime <= 0) return not_before_ms;
  const int64_t left = lifetime < kTenDays ? lifetime / 2 : lifetime / 3;
  return not_after_ms - left;
}

int64_t ExpiringTimeMs(int64_t not_before_ms, int64_t not_after_ms) {
  const int64_t lifetime = not_after_ms - not_before_ms;
  if (lifetime <= 0) return not_before_ms;
  const int64_t left = lifetime < kTenDays ? lifetime / 4 : lifetime / 6;
  return not_after_ms - left;
}

int64_t FailureRetryDelayMs(int failures) {
  if (failures <= 0) return 0;
  if (failures == 1) return kMinuteMs;
  if (failures == 2) return 10 * kMinuteMs;
  if (failures == 3) return 100 * kMinuteMs;
  return kDayMs;
}

int64_t EmergencyRetryDelayMs(int failures, int64_t now_ms, int64_t not_after_ms) {
  const int64_t cap = std::max<int64_t>(kMinuteMs, (not_after_ms - now_ms) / 8);
  return std::min(FailureRetryDelayMs(failures), cap);
}

int64_t ClampAriRetryAfterMs(int64_t retry_after_ms) {
  if (retry_after_ms < 0) return kAriErrorRetryMs;
  return std::clamp<int64_t>(retry_after_ms, kMinuteMs, kDayMs);
}

Result<std::string> AriCertId(ByteView authority_key_id, const std::string& serial_hex) {
  if (authority_key_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "certificate without an authority key identifier");
  }
  std::optional<Bytes> serial = HexDecode(serial_hex);
  if (!serial.has_value() || serial->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "bad serial number " + serial_hex);
  }
  return Base64UrlEncode(authority_key_id) + "." + Base64UrlEncode(*serial);
}

}  // namespace ctwatch
