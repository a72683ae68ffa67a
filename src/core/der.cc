#include "core/der.h"

namespace ctwatch {

bool DerReader::PeekTag(uint8_t* tag) const {
  if (data_.empty()) return false;
  *tag = data_[0];
  return true;
}

bool DerReader::ReadAny(uint8_t* tag, ByteView* contents, ByteView* whole) {
  // identifier octet; high-tag-number form (low 5 bits all set) is never used in X.509.
  if (data_.size() < 2) return false;
  const uint8_t t = data_[0];
  if ((t & 0x1f) == 0x1f) return false;
  size_t header = 2;
  size_t length = data_[1];
  if (length & 0x80) {
    const size_t num_bytes = length & 0x7f;
    // 0x80 is BER indefinite length; more than 4 length bytes is never needed here.
    if (num_bytes == 0 || num_bytes > 4 || data_.size() < 2 + num_bytes) return false;
    length = 0;
    for (size_t i = 0; i < num_bytes; ++i) length = (length << 8) | data_[2 + i];
    // DER: the long form only for lengths >= 128, without leading zero bytes.
    if (length < 128 || data_[2] == 0) return false;
    header += num_bytes;
  }
  if (data_.size() - header < length) return false;
  *tag = t;
  *contents = data_.subspan(header, length);
  if (whole != nullptr) *whole = data_.first(header + length);
  data_ = data_.subspan(header + length);
  return true;
}

bool DerReader::Read(uint8_t tag, ByteView* contents) {
  DerReader saved = *this;
  uint8_t t;
  if (!ReadAny(&t, contents) || t != tag) {
    *this = saved;
    return false;
  }
  return true;
}

bool DerReader::Read(uint8_t tag, DerReader* contents) {
  ByteView c;
  if (!Read(tag, &c)) return false;
  *contents = DerReader(c);
  return true;
}

bool DerReader::ReadWhole(uint8_t tag, ByteView* whole) {
  DerReader saved = *this;
  uint8_t t;
  ByteView contents;
  if (!ReadAny(&t, &contents, whole) || t != tag) {
    *this = saved;
    return false;
  }
  return true;
}

bool DerReader::ReadOptional(uint8_t tag, ByteView* contents, bool* present) {
  uint8_t t;
  *present = PeekTag(&t) && t == tag;
  if (!*present) return true;
  return Read(tag, contents);
}

bool DerReader::Skip(uint8_t tag) {
  ByteView ignored;
  return Read(tag, &ignored);
}

void AppendDerHeader(Bytes* out, uint8_t tag, size_t length) {
  out->push_back(tag);
  if (length < 128) {
    out->push_back(static_cast<uint8_t>(length));
    return;
  }
  int num_bytes = 0;
  for (size_t l = length; l > 0; l >>= 8) ++num_bytes;
  out->push_back(static_cast<uint8_t>(0x80 | num_bytes));
  for (int i = num_bytes - 1; i >= 0; --i) out->push_back(static_cast<uint8_t>(length >> (8 * i)));
}

}  // namespace ctwatch
