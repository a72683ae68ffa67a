// ExtractNames and AllNames: SAN dNSName/iPAddress and subject CNs of real certificates, and the
// string and address encodings on synthetic ones.
#include "cert/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cert/facts.h"
#include "cert/tbs.h"
#include "cert_test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::CnRdn;
using ::ctwatch::testing::Concat;
using ::ctwatch::testing::DnsName;
using ::ctwatch::testing::IpAddress;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoadCert;
using ::ctwatch::testing::MakeTbs;
using ::ctwatch::testing::SanExtension;
using ::ctwatch::testing::Tlv;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

CertNames NamesOf(const std::string& relative) {
  const Bytes cert = LoadCert(relative);
  auto tbs = CertificateTbs(cert);
  EXPECT_THAT(tbs, IsOk()) << relative;
  if (!tbs.has_value()) return {};
  auto names = ExtractNames(*tbs);
  EXPECT_THAT(names, IsOk()) << relative;
  return names.has_value() ? *names : CertNames{};
}

CertNames NamesOfTbs(const Bytes& tbs) {
  auto names = ExtractNames(tbs);
  EXPECT_THAT(names, IsOk());
  return names.has_value() ? *names : CertNames{};
}

TEST(ExtractNamesTest, GoogleCertificate) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/google_cert.pem");
  EXPECT_EQ(names.dns_names.size(), 44u);
  EXPECT_EQ(names.dns_names.front(), "*.google.com");
  EXPECT_THAT(names.dns_names, Contains("*.android.com"));
  EXPECT_THAT(names.dns_names, Contains("*.google.co.uk"));
  EXPECT_THAT(names.ip_addresses, IsEmpty());
  EXPECT_THAT(names.common_names, ElementsAre("*.google.com"));
  // The CN repeats a SAN: AllNames lists it once.
  EXPECT_EQ(AllNames(names).size(), 44u);
  // The same certificate as DER.
  EXPECT_EQ(NamesOf("real-world/ct-python-testdata/google_cert.der").dns_names, names.dns_names);
}

// SAN dNSName counts of the first certificate of each file, as listed by the shared data set's
// inventory (verify/output/inventory_certs.txt, made with Python's cryptography).
TEST(ExtractNamesTest, SanCountsMatchTheInventory) {
  const std::pair<const char*, size_t> kCounts[] = {
      {"real-world/appmattus/bloomberg.pem", 51},
      {"real-world/appmattus/github-chain.pem", 2},
      {"real-world/appmattus/no-subject.pem", 1},
      {"real-world/appmattus/no-common-name.pem", 1},
      {"real-world/ctclient-rs/test.pem", 12},
      {"real-world/ct-python-testdata/multiple_an.pem", 1},
      {"real-world/ct-python-testdata/domain_in_issuer.pem", 2},
      {"zlint-testdata/dnsNamesNotNFKC.pem", 57},
      {"zlint-testdata/SANWithSpaceDNSBeginning.pem", 3},
      {"ct-project-test-vectors/google-cert.pem", 44},
  };
  for (const auto& [file, count] : kCounts) {
    const CertNames names = NamesOf(file);
    EXPECT_EQ(names.dns_names.size(), count) << file;
  }
  EXPECT_THAT(NamesOf("real-world/appmattus/no-subject.pem").common_names, IsEmpty());
  // DirName and URI entries are not names to match; the IP address is.
  EXPECT_THAT(NamesOf("real-world/ct-python-testdata/multiple_an.pem").ip_addresses,
              ElementsAre("129.48.105.104"));
  EXPECT_THAT(NamesOf("real-world/appmattus/github-chain.pem").dns_names,
              ElementsAre("github.com", "www.github.com"));
}

TEST(ExtractNamesTest, YoutubeCertificate) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/youtube.pem");
  EXPECT_EQ(names.dns_names.size(), 50u);
  EXPECT_THAT(names.dns_names, Contains("*.youtube.com"));
  EXPECT_THAT(names.dns_names, Contains("youtu.be"));
}

TEST(ExtractNamesTest, EveryCommonNameInEncodingOrder) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/multiple_cn.pem");
  EXPECT_THAT(names.common_names, ElementsAre("www.rd.io", "rdio.com", "rd.io", "api.rdio.com",
                                              "api.rd.io", "www.rdio.com"));
  EXPECT_EQ(names.dns_names.size(), 6u);
  EXPECT_EQ(AllNames(names).size(), 6u);
}

TEST(ExtractNamesTest, Utf8CommonName) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/cn_utf8.pem");
  // Only ASCII letters are lower-cased.
  EXPECT_THAT(names.common_names, ElementsAre("ñeco ñýáěšžěšžřěčíě+ščýáíéřáíÚ"));
  const CertNames kmonos = NamesOf("real-world/ct-python-testdata/ecdsa_cert.pem");
  EXPECT_THAT(kmonos.common_names, ElementsAre("kmonos.jp"));
}

TEST(ExtractNamesTest, NullPrefixedNamesYieldBothForms) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/null_chars.pem");
  EXPECT_THAT(names.dns_names,
              ElementsAre("altnull.python.org\\x00example.com", "altnull.python.org"));
  EXPECT_THAT(names.common_names,
              ElementsAre("null.python.org\\x00example.org", "null.python.org"));
  EXPECT_THAT(names.ip_addresses, ElementsAre("192.0.2.1", "2001:db8::1"));
}

TEST(ExtractNamesTest, InvalidIpLengthIsSkipped) {
  const CertNames names = NamesOf("real-world/ct-python-testdata/invalid_ip.pem");
  EXPECT_THAT(names.ip_addresses, IsEmpty());
  EXPECT_THAT(names.common_names, ElementsAre("www.valu.va.gov"));
}

TEST(ExtractNamesTest, IpAddressSans) {
  EXPECT_THAT(NamesOf("zlint-testdata/SANIPv4Address.pem").ip_addresses,
              ElementsAre("192.168.0.1"));
  EXPECT_THAT(NamesOf("zlint-testdata/SANIPv6Address.pem").ip_addresses,
              ElementsAre("2001:db8::2:1"));
}

TEST(ExtractNamesTest, InternationalisedNames) {
  const CertNames names = NamesOf("zlint-testdata/dnsNamesNFKC.pem");
  EXPECT_THAT(names.dns_names, ElementsAre("xn----7sbaabin3cbc7afgb4aiqh6v.xn--80adxhks",
                                           "www.xn----7sbaabin3cbc7afgb4aiqh6v.xn--80adxhks"));
  EXPECT_THAT(names.common_names, ElementsAre("адвокатская-контора.москва"));
  EXPECT_THAT(NamesOf("zlint-testdata/dnsNamesNFC.pem").dns_names,
              ElementsAre("xn--www-8fb.godaddy.com", "www.xn--www-8fb.godaddy.com"));
  // An upper-case ACE prefix is lower-cased like any ASCII.
  EXPECT_THAT(NamesOf("zlint-testdata/idnMalformedUnicode.pem").dns_names,
              ElementsAre("xn--12311613412431243.com"));
}

TEST(ExtractNamesTest, DuplicatesAreRemoved) {
  const Bytes tbs =
      MakeTbs({.subject = Concat(
                   {CnRdn(der::kUtf8String, "A.Example"), CnRdn(der::kUtf8String, "a.example")}),
               .extensions = {SanExtension({DnsName("a.example"), DnsName("B.example"),
                                            DnsName("A.EXAMPLE"), DnsName("b.example"),
                                            IpAddress({10, 0, 0, 1}), IpAddress({10, 0, 0, 1})})}});
  const CertNames names = NamesOfTbs(tbs);
  EXPECT_THAT(names.dns_names, ElementsAre("a.example", "b.example"));
  EXPECT_THAT(names.ip_addresses, ElementsAre("10.0.0.1"));
  EXPECT_THAT(names.common_names, ElementsAre("a.example"));
  EXPECT_THAT(AllNames(names), ElementsAre("a.example", "b.example", "10.0.0.1"));
}

TEST(ExtractNamesTest, ManyDuplicatesUseTheSortedPath) {
  std::vector<std::string> values;
  for (int i = 0; i < 200; ++i) values.push_back("n" + std::to_string(i % 70));
  cert_internal::RemoveDuplicates(&values);
  ASSERT_EQ(values.size(), 70u);
  for (int i = 0; i < 70; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], "n" + std::to_string(i));
}

TEST(ExtractNamesTest, CommonNameStringTypes) {
  const Bytes bmp = {
      0x00, 'W',  0x00, 'W', 0x00, 'W',  0x00, '.',
      0x04, 0x30, 0x00, '.', 0xd8, 0x3d, 0xde, 0x00};  // "WWW.а." + U+1F600 as a surrogate pair
  const Bytes universal = {0x00, 0x00, 0x00, 'X', 0x00, 0x01, 0xf6, 0x00};
  const Bytes t61 = {'C', 'a', 'f', 0xe9};  // Latin-1 é
  const Bytes tbs = MakeTbs(
      {.subject = Concat(
           {Tlv(der::kSet, {Tlv(der::kSequence,
                                {testing::Oid({0x55, 0x04, 0x03}), Tlv(der::kBmpString, {bmp})})}),
            Tlv(der::kSet, {Tlv(der::kSequence, {testing::Oid({0x55, 0x04, 0x03}),
                                                 Tlv(der::kUniversalString, {universal})})}),
            Tlv(der::kSet, {Tlv(der::kSequence,
                                {testing::Oid({0x55, 0x04, 0x03}), Tlv(der::kT61String, {t61})})}),
            CnRdn(der::kPrintableString, "UPPER.EXAMPLE"), CnRdn(der::kIa5String, "ia5.example"),
            // Not a string: skipped.
            testing::Rdn({0x55, 0x04, 0x03}, Tlv(der::kInteger, {Bytes{0x01}})),
            // Organisation, not a CN: skipped.
            testing::Rdn({0x55, 0x04, 0x0a}, Tlv(der::kUtf8String, "org.example"))})});
  const CertNames names = NamesOfTbs(tbs);
  EXPECT_THAT(names.common_names, ElementsAre("www.\xd0\xb0.\xf0\x9f\x98\x80", "x\xf0\x9f\x98\x80",
                                              "caf\xc3\xa9", "upper.example", "ia5.example"));
}

TEST(ExtractNamesTest, UndecodableBytesAreEscaped) {
  const Bytes bad_utf8 = {'a', 0xc3, 0x28, 'b', 0xed, 0xa0, 0x80};  // bad continuation, surrogate
  const Bytes odd_bmp = {0x00, 'a', 0xdc, 0x00, 0x00};              // lone low surrogate, odd byte
  const Bytes tbs =
      MakeTbs({.subject = Concat(
                   {Tlv(der::kSet, {Tlv(der::kSequence, {testing::Oid({0x55, 0x04, 0x03}),
                                                         Tlv(der::kUtf8String, {bad_utf8})})}),
                    Tlv(der::kSet, {Tlv(der::kSequence, {testing::Oid({0x55, 0x04, 0x03}),
                                                         Tlv(der::kBmpString, {odd_bmp})})})}),
               .extensions = {SanExtension(
                   {Tlv(der::ContextPrimitive(2), {Bytes{'x', 0xff, '\\', 0x7f}}), DnsName("")})}});
  const CertNames names = NamesOfTbs(tbs);
  EXPECT_THAT(names.common_names, ElementsAre("a\\xc3(b\\xed\\xa0\\x80", "a\\xdc\\x00\\x00"));
  // Not IA5: escaped; a backslash is escaped too, so "\x00" always means a NUL byte. The empty
  // name is dropped.
  EXPECT_THAT(names.dns_names, ElementsAre("x\\xff\\x5c\\x7f"));
}

TEST(ExtractNamesTest, OtherGeneralNamesAreIgnored) {
  const Bytes tbs = MakeTbs(
      {.extensions = {SanExtension({Tlv(der::ContextPrimitive(1), "mail@example.com"),
                                    Tlv(der::ContextPrimitive(6), "https://example.com/"),
                                    Tlv(der::ContextConstructed(4), {Tlv(der::kSequence, {})}),
                                    IpAddress({10, 0, 0, 0, 255, 0, 0, 0}), IpAddress({1, 2, 3}),
                                    DnsName("Only.Example.")})}});
  const CertNames names = NamesOfTbs(tbs);
  EXPECT_THAT(names.dns_names, ElementsAre("only.example."));
  EXPECT_THAT(names.ip_addresses, IsEmpty());
  EXPECT_THAT(names.common_names, IsEmpty());
}

TEST(ExtractNamesTest, MalformedSubjectAltNameFails) {
  static constexpr uint8_t kSan[] = {0x55, 0x1d, 0x11};
  for (const Bytes& value :
       {Bytes{}, Bytes{0x30, 0x03, 0x82, 0x05, 'a'}, Bytes{0x04, 0x00}, Bytes{0x30, 0x00, 0x00}}) {
    const Bytes tbs = MakeTbs({.extensions = {testing::Extension(kSan, value)}});
    EXPECT_THAT(ExtractNames(tbs), IsErrorCode(ErrorCode::kParse));
  }
  // An empty GeneralNames only means no names.
  EXPECT_THAT(ExtractNames(MakeTbs({.extensions = {SanExtension({})}})), IsOk());
}

std::string Ip(std::initializer_list<uint8_t> bytes) {
  std::string out;
  const Bytes b(bytes);
  EXPECT_TRUE(cert_internal::AppendIpAddress(b, &out));
  return out;
}

TEST(IpAddressTest, Rfc5952Text) {
  EXPECT_EQ(Ip({0, 0, 0, 0}), "0.0.0.0");
  EXPECT_EQ(Ip({255, 255, 255, 255}), "255.255.255.255");
  EXPECT_EQ(Ip({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "2001:db8::1");
  EXPECT_EQ(Ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "::");
  EXPECT_EQ(Ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "::1");
  EXPECT_EQ(Ip({0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "1::");
  // §4.2.2: a single zero group is not shortened.
  EXPECT_EQ(Ip({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}),
            "2001:db8:0:1:1:1:1:1");
  // §4.2.3: the longest run, the first of equal runs.
  EXPECT_EQ(Ip({0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}), "2001:0:0:1::1");
  EXPECT_EQ(Ip({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}), "2001:db8::1:0:0:1");
  // §4.3: lower case, no leading zeros.
  EXPECT_EQ(Ip({0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd, 0x00, 0x12, 0, 0, 0, 0, 0, 0, 0x0f, 0xff}),
            "2001:db8:abcd:12::fff");
  // §5: IPv4-mapped.
  EXPECT_EQ(Ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}), "::ffff:192.0.2.1");
  std::string out;
  EXPECT_FALSE(cert_internal::AppendIpAddress(Bytes{1, 2, 3, 4, 5}, &out));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace ctwatch
