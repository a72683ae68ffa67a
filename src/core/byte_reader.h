// ByteReader: a forward-only cursor over untrusted bytes, for TLS-style structs (RFC 8446 §3)
// such as the RFC 6962 MerkleTreeLeaf. Every read checks bounds and fails instead of
// over-reading; a failed read leaves the reader unchanged. Length-prefixed fields hand out a
// child reader so that a field can never run into its neighbour.
// Thread-safety: a value type; do not share one instance between threads.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"

namespace ctwatch {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(ByteView data) : data_(data) {}

  size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  ByteView rest() const { return data_; }

  bool ReadU8(uint8_t* out);
  bool ReadU16(uint16_t* out);
  bool ReadU24(uint32_t* out);
  bool ReadU32(uint32_t* out);
  bool ReadU64(uint64_t* out);
  bool ReadBytes(size_t n, ByteView* out);
  bool Skip(size_t n);
  // opaque field<0..2^(8*width)-1>: a big-endian length of `width` bytes, then that many bytes.
  bool ReadPrefixed(int width, ByteView* out);
  bool ReadPrefixed(int width, ByteReader* out);

 private:
  bool ReadUint(int width, uint64_t* out);
  ByteView data_;
};

// Appends big-endian integers and length-prefixed fields; the writing half of ByteReader.
void AppendUint(Bytes* out, uint64_t value, int width);
// Appends `field` behind a `width`-byte length. The caller guarantees it fits.
void AppendPrefixed(Bytes* out, ByteView field, int width);

}  // namespace ctwatch
