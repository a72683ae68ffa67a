#include "core/gzip.h"

#include <zlib.h>

namespace ctwatch {

bool LooksGzipped(ByteView data) { return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

Result<Bytes> Gunzip(ByteView data, size_t max_output_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return MakeError(ErrorCode::kInternal, "inflateInit2");
  Bytes out;
  zs.next_in = const_cast<Bytes::value_type*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  uint8_t buf[65536];
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return MakeError(ErrorCode::kParse, "bad gzip data");
    }
    const size_t produced = sizeof(buf) - zs.avail_out;
    if (out.size() + produced > max_output_bytes) {
      inflateEnd(&zs);
      return MakeError(ErrorCode::kResourceExhausted, "gzip output over the size cap");
    }
    out.insert(out.end(), buf, buf + produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return MakeError(ErrorCode::kParse, "truncated gzip data");
    }
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) return MakeError(ErrorCode::kParse, "trailing bytes after gzip data");
  return out;
}

}  // namespace ctwatch
