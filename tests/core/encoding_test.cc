#include "core/encoding.h"

#include <gtest/gtest.h>

namespace ctwatch {
namespace {

TEST(EncodingTest, HexRoundTrip) {
  const Bytes data = {0x00, 0xab, 0xff, 0x10};
  EXPECT_EQ(HexEncode(data), "00abff10");
  EXPECT_EQ(HexDecode("00ABff10"), data);
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("abc").has_value());
}

TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(AsChars(*decoded), plain);
  }
}

TEST(EncodingTest, Base64RejectsMalformed) {
  EXPECT_FALSE(Base64Decode("Zg=").has_value());     // bad length
  EXPECT_FALSE(Base64Decode("Zh==").has_value());    // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9v!A==").has_value());
  EXPECT_FALSE(Base64Decode("Zm=v").has_value());    // padding in the middle
  EXPECT_FALSE(Base64Decode("Zg-_").has_value());    // URL alphabet in standard text
}

TEST(EncodingTest, Base64UrlNoPadding) {
  const Bytes data = {0xfb, 0xff};
  EXPECT_EQ(Base64UrlEncode(data), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), data);
  EXPECT_FALSE(Base64UrlDecode("-_8=").has_value());
}

}  // namespace
}  // namespace ctwatch
