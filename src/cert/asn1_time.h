// Internal to src/cert: ASN.1 UTCTime and GeneralizedTime (X.680 §46-47, RFC 5280 §4.1.2.5)
// to Unix milliseconds.
// Thread-safety: pure function.
#pragma once

#include <cstdint>

#include "core/bytes.h"

namespace ctwatch::cert_internal {

// `tag` is der::kUtcTime or der::kGeneralizedTime, `value` the contents bytes.
// RFC 5280 asks for YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ; like Go's crypto/x509 we also accept the
// BER forms that old CAs wrote (UTCTime without seconds, a ±hhmm offset instead of Z, and a
// GeneralizedTime fraction), because a monitor reads whatever the logs hold. Calendar fields
// are range-checked. UTCTime years 50..99 are 19xx, 00..49 are 20xx.
bool ParseAsn1Time(uint8_t tag, ByteView value, int64_t* unix_ms);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace ctwatch::cert_internal
