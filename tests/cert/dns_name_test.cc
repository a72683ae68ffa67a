// NormalizeDnsName, IDNA through ICU UTS #46, and label-wise subdomain tests.
#include "cert/dns_name.h"

#include <gtest/gtest.h>

#include <optional>

namespace ctwatch {
namespace {

TEST(NormalizeDnsNameTest, LowerCasesAndDropsTrailingDot) {
  EXPECT_EQ(NormalizeDnsName("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(NormalizeDnsName("example.com"), "example.com");
  EXPECT_EQ(NormalizeDnsName("*.Example.com"), "*.example.com");
  EXPECT_EQ(NormalizeDnsName("."), "");
  EXPECT_EQ(NormalizeDnsName(""), "");
  // Only ASCII is folded; other bytes stay as they are.
  EXPECT_EQ(NormalizeDnsName("B\xc3\x9c"
                             "cher.Example"),
            "b\xc3\x9c"
            "cher.example");
}

TEST(IsSameOrSubdomainTest, ComparesWholeLabels) {
  EXPECT_TRUE(IsSameOrSubdomain("example.com", "example.com"));
  EXPECT_TRUE(IsSameOrSubdomain("a.example.com", "example.com"));
  EXPECT_TRUE(IsSameOrSubdomain("a.b.example.com", "example.com"));
  EXPECT_TRUE(IsSameOrSubdomain("*.example.com", "example.com"));
  EXPECT_FALSE(IsSameOrSubdomain("myexample.com", "example.com"));
  EXPECT_FALSE(IsSameOrSubdomain("example.com", "a.example.com"));
  EXPECT_FALSE(IsSameOrSubdomain("example.com.evil.net", "example.com"));
  EXPECT_FALSE(IsSameOrSubdomain("com", "example.com"));
  EXPECT_FALSE(IsSameOrSubdomain("example.com", ""));
  EXPECT_FALSE(IsSameOrSubdomain("", "example.com"));
  EXPECT_TRUE(
      IsSameOrSubdomain(NormalizeDnsName("WWW.Example.COM."), NormalizeDnsName("example.com.")));
}

TEST(DomainToAsciiTest, Uts46Nontransitional) {
  EXPECT_EQ(DomainToAscii("b\xc3\xbc"
                          "cher.example"),
            "xn--bcher-kva.example");
  EXPECT_EQ(DomainToAscii("B\xc3\x9c"
                          "CHER.Example"),
            "xn--bcher-kva.example");
  EXPECT_EQ(DomainToAscii("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(DomainToAscii("XN--BCHER-KVA.EXAMPLE"), "xn--bcher-kva.example");
  EXPECT_EQ(DomainToAscii("Example.COM"), "example.com");
  EXPECT_EQ(DomainToAscii("*.b\xc3\xbc"
                          "cher.example"),
            "*.xn--bcher-kva.example");
  // Nontransitional: ß is kept (IDNA2008), not mapped to "ss".
  EXPECT_EQ(DomainToAscii("fa\xc3\x9f.de"), "xn--fa-hia.de");
  // Cyrillic, from a real certificate (zlint dnsNamesNFKC).
  EXPECT_EQ(
      DomainToAscii("\xd0\xb0\xd0\xb4\xd0\xb2\xd0\xbe\xd0\xba\xd0\xb0\xd1\x82\xd1\x81\xd0\xba"
                    "\xd0\xb0\xd1\x8f-\xd0\xba\xd0\xbe\xd0\xbd\xd1\x82\xd0\xbe\xd1\x80\xd0\xb0."
                    "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0"),
      "xn----7sbaabin3cbc7afgb4aiqh6v.xn--80adxhks");
  // Hyphens in positions 3-4 occur in real names (CheckHyphens=false).
  EXPECT_EQ(DomainToAscii("r3---sn-abc.googlevideo.com"), "r3---sn-abc.googlevideo.com");
}

TEST(DomainToAsciiTest, RejectsInvalidIdna) {
  EXPECT_EQ(DomainToAscii(""), std::nullopt);
  EXPECT_EQ(DomainToAscii("a..example"), std::nullopt);
  EXPECT_EQ(DomainToAscii("xn--a.example"), std::nullopt);     // not valid punycode
  EXPECT_EQ(DomainToAscii("\xff\xfe.example"), std::nullopt);  // not UTF-8
  EXPECT_EQ(DomainToAscii("a\xe2\x80\x8d"
                          "b.example"),
            std::nullopt);  // ZWJ outside its context
  EXPECT_EQ(DomainToAscii("\xd7\x90"
                          "a.example"),
            std::nullopt);                                 // RTL and LTR in one label
  EXPECT_EQ(DomainToAscii("exa mple.com"), std::nullopt);  // space is disallowed
}

TEST(DomainToUnicodeTest, DecodesValidALabelsOnly) {
  EXPECT_EQ(DomainToUnicode("xn--bcher-kva.example"),
            "b\xc3\xbc"
            "cher.example");
  EXPECT_EQ(DomainToUnicode("www.xn--bcher-kva.example"),
            "www.b\xc3\xbc"
            "cher.example");
  EXPECT_EQ(DomainToUnicode("xn----7sbaabin3cbc7afgb4aiqh6v.xn--80adxhks"),
            "\xd0\xb0\xd0\xb4\xd0\xb2\xd0\xbe\xd0\xba\xd0\xb0\xd1\x82\xd1\x81\xd0\xba"
            "\xd0\xb0\xd1\x8f-\xd0\xba\xd0\xbe\xd0\xbd\xd1\x82\xd0\xbe\xd1\x80\xd0\xb0."
            "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
  EXPECT_EQ(DomainToUnicode("xn--a.example"), "xn--a.example");
  EXPECT_EQ(DomainToUnicode("xn--12311613412431243.com"), "xn--12311613412431243.com");
  EXPECT_EQ(DomainToUnicode("plain.example."), "plain.example.");
  EXPECT_EQ(DomainToUnicode("*.Upper.example"), "*.Upper.example");
  EXPECT_EQ(DomainToUnicode(""), "");
}

}  // namespace
}  // namespace ctwatch
