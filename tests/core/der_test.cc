#include "core/der.h"

#include <gtest/gtest.h>

namespace ctwatch {
namespace {

TEST(DerReaderTest, ReadsNestedElements) {
  // SEQUENCE { INTEGER 5, OCTET STRING "hi" }
  const Bytes data = {0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, 'h', 'i'};
  DerReader r(data);
  DerReader seq;
  ASSERT_TRUE(r.Read(der::kSequence, &seq));
  EXPECT_TRUE(r.empty());
  ByteView integer, octets;
  ASSERT_TRUE(seq.Read(der::kInteger, &integer));
  ASSERT_TRUE(seq.Read(der::kOctetString, &octets));
  EXPECT_EQ(integer.size(), 1u);
  EXPECT_EQ(AsChars(octets), "hi");
}

TEST(DerReaderTest, RejectsIndefiniteLength) {
  const Bytes data = {0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00};
  DerReader r(data);
  ByteView c;
  EXPECT_FALSE(r.Read(der::kSequence, &c));
}

TEST(DerReaderTest, RejectsNonMinimalLongLength) {
  const Bytes data = {0x04, 0x81, 0x01, 'x'};  // length 1 must use the short form
  DerReader r(data);
  ByteView c;
  EXPECT_FALSE(r.Read(der::kOctetString, &c));
}

TEST(DerReaderTest, RejectsLengthPastEnd) {
  const Bytes data = {0x04, 0x82, 0x01, 0x00, 'x'};
  DerReader r(data);
  ByteView c;
  EXPECT_FALSE(r.Read(der::kOctetString, &c));
}

TEST(DerReaderTest, WrongTagLeavesReaderUnchanged) {
  const Bytes data = {0x02, 0x01, 0x05};
  DerReader r(data);
  ByteView c;
  EXPECT_FALSE(r.Read(der::kOctetString, &c));
  bool present = true;
  ASSERT_TRUE(r.ReadOptional(der::ContextConstructed(0), &c, &present));
  EXPECT_FALSE(present);
  EXPECT_TRUE(r.Read(der::kInteger, &c));
}

TEST(DerReaderTest, HeaderRoundTripsLongLengths) {
  for (size_t len : {0u, 127u, 128u, 255u, 256u, 70000u}) {
    Bytes out;
    AppendDerHeader(&out, der::kOctetString, len);
    out.resize(out.size() + len);
    DerReader r(out);
    ByteView c;
    ASSERT_TRUE(r.Read(der::kOctetString, &c)) << len;
    EXPECT_EQ(c.size(), len);
  }
}

}  // namespace
}  // namespace ctwatch
