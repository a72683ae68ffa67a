#include "core/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;

Bytes GzipCompress(ByteView data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&zs, data.size()) + 32);
  zs.next_in = const_cast<uint8_t*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(GzipTest, RoundTrip) {
  const Bytes plain(100000, 'x');
  const Bytes packed = GzipCompress(plain);
  ASSERT_TRUE(LooksGzipped(packed));
  auto out = Gunzip(packed, 1 << 20);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, plain);
}

TEST(GzipTest, EnforcesOutputCap) {
  const Bytes packed = GzipCompress(Bytes(100000, 'x'));  // a small bomb
  EXPECT_THAT(Gunzip(packed, 1000), IsErrorCode(ErrorCode::kResourceExhausted));
}

TEST(GzipTest, RejectsTruncatedInput) {
  Bytes packed = GzipCompress(Bytes(5000, 'y'));
  packed.resize(packed.size() / 2);
  EXPECT_THAT(Gunzip(packed, 1 << 20), IsErrorCode(ErrorCode::kParse));
}

}  // namespace
}  // namespace ctwatch
