#include "core/byte_reader.h"

namespace ctwatch {

bool ByteReader::ReadUint(int width, uint64_t* out) {
  if (data_.size() < static_cast<size_t>(width)) return false;
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | data_[static_cast<size_t>(i)];
  data_ = data_.subspan(static_cast<size_t>(width));
  *out = v;
  return true;
}

bool ByteReader::ReadU8(uint8_t* out) {
  uint64_t v;
  if (!ReadUint(1, &v)) return false;
  *out = static_cast<uint8_t>(v);
  return true;
}

bool ByteReader::ReadU16(uint16_t* out) {
  uint64_t v;
  if (!ReadUint(2, &v)) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool ByteReader::ReadU24(uint32_t* out) {
  uint64_t v;
  if (!ReadUint(3, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ByteReader::ReadU32(uint32_t* out) {
  uint64_t v;
  if (!ReadUint(4, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ByteReader::ReadU64(uint64_t* out) { return ReadUint(8, out); }

bool ByteReader::ReadBytes(size_t n, ByteView* out) {
  if (data_.size() < n) return false;
  *out = data_.first(n);
  data_ = data_.subspan(n);
  return true;
}

bool ByteReader::Skip(size_t n) {
  ByteView ignored;
  return ReadBytes(n, &ignored);
}

bool ByteReader::ReadPrefixed(int width, ByteView* out) {
  ByteReader saved = *this;
  uint64_t len;
  if (!ReadUint(width, &len) || len > data_.size()) {
    *this = saved;
    return false;
  }
  return ReadBytes(static_cast<size_t>(len), out);
}

bool ByteReader::ReadPrefixed(int width, ByteReader* out) {
  ByteView field;
  if (!ReadPrefixed(width, &field)) return false;
  *out = ByteReader(field);
  return true;
}

void AppendUint(Bytes* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void AppendPrefixed(Bytes* out, ByteView field, int width) {
  AppendUint(out, field.size(), width);
  out->insert(out->end(), field.begin(), field.end());
}

}  // namespace ctwatch
