#include "core/byte_reader.h"

#include <gtest/gtest.h>

namespace ctwatch {
namespace {

TEST(ByteReaderTest, ReadsBigEndianIntegers) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 1, 0};
  ByteReader r(data);
  uint8_t a;
  uint16_t b;
  uint32_t c;
  uint64_t d;
  ASSERT_TRUE(r.ReadU8(&a));
  ASSERT_TRUE(r.ReadU16(&b));
  ASSERT_TRUE(r.ReadU24(&c));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  ASSERT_TRUE(r.ReadU64(&d));
  EXPECT_EQ(d, 0x100u);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.ReadU8(&a));
}

TEST(ByteReaderTest, PrefixedFieldCannotOverrun) {
  const Bytes data = {0x00, 0x05, 'a', 'b', 'c'};  // claims 5 bytes, has 3
  ByteReader r(data);
  ByteView field;
  EXPECT_FALSE(r.ReadPrefixed(2, &field));
  EXPECT_EQ(r.remaining(), 5u);  // unchanged after a failed read
}

TEST(ByteReaderTest, PrefixedRoundTrip) {
  Bytes out;
  const Bytes payload = {9, 8, 7};
  AppendPrefixed(&out, payload, 3);
  AppendUint(&out, 0xabcd, 2);
  ByteReader r(out);
  ByteReader child;
  ASSERT_TRUE(r.ReadPrefixed(3, &child));
  EXPECT_EQ(child.remaining(), 3u);
  uint16_t tail;
  ASSERT_TRUE(r.ReadU16(&tail));
  EXPECT_EQ(tail, 0xabcd);
}

}  // namespace
}  // namespace ctwatch
