// ASN.1 time parsing; see asn1_time.h.
// Thread-safety: pure functions.
#include "cert/asn1_time.h"

#include "core/der.h"

namespace ctwatch::cert_internal {
namespace {

// Reads `n` decimal digits at *pos; fails on anything else.
bool ReadDigits(ByteView v, size_t* pos, size_t n, int* out) {
  if (v.size() - *pos < n) return false;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = v[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  *out = value;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ParseAsn1Time(uint8_t tag, ByteView value, int64_t* unix_ms) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (tag == der::kUtcTime) {
    // UTCTime: YYMMDDhhmm[ss](Z|±hhmm)
    if (!ReadDigits(value, &pos, 2, &year)) return false;
    year += year >= 50 ? 1900 : 2000;  // RFC 5280 §4.1.2.5.1
  } else if (tag == der::kGeneralizedTime) {
    // GeneralizedTime: YYYYMMDDhhmmss[.fff](Z|±hhmm)
    if (!ReadDigits(value, &pos, 4, &year)) return false;
  } else {
    return false;
  }
  if (!ReadDigits(value, &pos, 2, &month) || !ReadDigits(value, &pos, 2, &day) ||
      !ReadDigits(value, &pos, 2, &hour) || !ReadDigits(value, &pos, 2, &minute)) {
    return false;
  }
  const bool has_seconds = pos < value.size() && value[pos] >= '0' && value[pos] <= '9';
  if (has_seconds) {
    if (!ReadDigits(value, &pos, 2, &second)) return false;
  } else if (tag == der::kGeneralizedTime) {
    return false;
  }
  if (tag == der::kGeneralizedTime && pos < value.size() && value[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < value.size() && value[pos] >= '0' && value[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (value[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {  // 60: a leap second, as X.680 allows
    return false;
  }
  int offset_minutes = 0;
  if (pos >= value.size()) return false;
  const uint8_t zone = value[pos++];
  if (zone == '+' || zone == '-') {
    int off_h = 0, off_m = 0;
    if (!ReadDigits(value, &pos, 2, &off_h) || !ReadDigits(value, &pos, 2, &off_m) || off_h > 23 ||
        off_m > 59) {
      return false;
    }
    offset_minutes = (off_h * 60 + off_m) * (zone == '+' ? 1 : -1);
  } else if (zone != 'Z') {
    return false;
  }
  if (pos != value.size()) return false;
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second -
                          int64_t{offset_minutes} * 60;
  *unix_ms = seconds * 1000 + millis;
  return true;
}

}  // namespace ctwatch::cert_internal
