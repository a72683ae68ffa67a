// DerReader: a forward-only cursor over DER (X.690 §10) for X.509 parsing. Only definite,
// minimal lengths and single-byte tags are accepted, which covers every X.509 structure;
// anything else (BER indefinite lengths, high tag numbers, lengths past the end) fails.
// Thread-safety: a value type; do not share one instance between threads.
#pragma once

#include <cstdint>

#include "core/bytes.h"

namespace ctwatch {

namespace der {
constexpr uint8_t kBoolean = 0x01;
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kBitString = 0x03;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kNull = 0x05;
constexpr uint8_t kOid = 0x06;
constexpr uint8_t kUtf8String = 0x0c;
constexpr uint8_t kPrintableString = 0x13;
constexpr uint8_t kT61String = 0x14;
constexpr uint8_t kIa5String = 0x16;
constexpr uint8_t kUtcTime = 0x17;
constexpr uint8_t kGeneralizedTime = 0x18;
constexpr uint8_t kUniversalString = 0x1c;
constexpr uint8_t kBmpString = 0x1e;
constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kConstructed = 0x20;
constexpr uint8_t kContextSpecific = 0x80;
// [n] EXPLICIT / constructed context tag, and [n] IMPLICIT primitive context tag.
constexpr uint8_t ContextConstructed(int n) { return static_cast<uint8_t>(0xa0 | n); }
constexpr uint8_t ContextPrimitive(int n) { return static_cast<uint8_t>(0x80 | n); }
}  // namespace der

class DerReader {
 public:
  DerReader() = default;
  explicit DerReader(ByteView data) : data_(data) {}

  bool empty() const { return data_.empty(); }
  ByteView rest() const { return data_; }

  // Reads one element (tag, length, contents). `whole` receives the encoding including header.
  bool ReadAny(uint8_t* tag, ByteView* contents, ByteView* whole = nullptr);
  // Reads one element whose tag must equal `tag`.
  bool Read(uint8_t tag, ByteView* contents);
  bool Read(uint8_t tag, DerReader* contents);
  bool ReadWhole(uint8_t tag, ByteView* whole);
  // Reads the element only if the next tag is `tag`; *present says whether it was there.
  bool ReadOptional(uint8_t tag, ByteView* contents, bool* present);
  bool Skip(uint8_t tag);
  bool PeekTag(uint8_t* tag) const;

 private:
  ByteView data_;
};

// Appends a DER header (tag + minimal length) for `length` content bytes.
void AppendDerHeader(Bytes* out, uint8_t tag, size_t length);

}  // namespace ctwatch
