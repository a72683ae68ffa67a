// ParseTbs, CertificateTbs, FindExtension and TbsWithoutExtension on real and synthetic input,
// including malformed encodings.
#include "cert/tbs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cert/asn1_time.h"
#include "cert/facts.h"
#include "cert_test_util.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoadCert;
using ::ctwatch::testing::MakeTbs;
using ::ctwatch::testing::TbsSpec;
using ::ctwatch::testing::Tlv;

Bytes TbsOf(const std::string& relative) {
  const Bytes cert = LoadCert(relative);
  auto tbs = CertificateTbs(cert);
  EXPECT_THAT(tbs, IsOk()) << relative;
  return tbs.has_value() ? ToBytes(*tbs) : Bytes();
}

ByteView SequenceContents(ByteView element) {
  DerReader r(element);
  ByteView contents;
  EXPECT_TRUE(r.Read(der::kSequence, &contents));
  return contents;
}

// Number of extensions in a parsed TBS.
size_t ExtensionCount(const ParsedTbs& tbs) {
  DerReader r(tbs.extensions);
  size_t n = 0;
  while (!r.empty()) {
    ByteView ext;
    if (!r.Read(der::kSequence, &ext)) return SIZE_MAX;
    ++n;
  }
  return n;
}

TEST(ParseTbsTest, ParsesRealCertificate) {
  const Bytes cert = LoadCert("real-world/ct-python-testdata/google_cert.der");
  auto tbs_der = CertificateTbs(cert);
  ASSERT_THAT(tbs_der, IsOk());
  auto tbs = ParseTbs(*tbs_der);
  ASSERT_THAT(tbs, IsOk());
  EXPECT_EQ(tbs->version, 3);
  EXPECT_EQ(HexEncode(tbs->serial), "605381f50001000088bd");
  EXPECT_EQ(tbs->not_before_ms, 1369237744000);  // 2013-05-22T15:49:04Z
  EXPECT_EQ(tbs->not_after_ms, 1383263999000);   // 2013-10-31T23:59:59Z
  EXPECT_EQ(FormatName(tbs->subject).value(),
            "C=US, ST=California, L=Mountain View, O=Google Inc, CN=*.google.com");
  EXPECT_EQ(FormatName(tbs->issuer).value(), "C=US, O=Google Inc, CN=Google Internet Authority");
  EXPECT_EQ(tbs->tbs.data(), tbs_der->data());
  EXPECT_EQ(tbs->tbs.size(), tbs_der->size());
  EXPECT_FALSE(tbs->extensions.empty());
  auto san = tbs->FindExtension(oid::kSubjectAltName);
  ASSERT_THAT(san, IsOk());
  EXPECT_TRUE(san->has_value());
  auto sct = tbs->FindExtension(oid::kCtSctList);
  ASSERT_THAT(sct, IsOk());
  EXPECT_FALSE(sct->has_value());
}

TEST(ParseTbsTest, V1CertificateHasNoExtensions) {
  const Bytes der = TbsOf("real-world/ct-python-testdata/v1_cert.pem");
  auto tbs = ParseTbs(der);
  ASSERT_THAT(tbs, IsOk());
  EXPECT_EQ(tbs->version, 1);
  EXPECT_TRUE(tbs->extensions.empty());
  EXPECT_EQ(FormatName(tbs->subject).value(),
            "C=US, O=VeriSign\\, Inc., OU=Class 3 Public Primary Certification Authority");
  auto san = tbs->FindExtension(oid::kSubjectAltName);
  ASSERT_THAT(san, IsOk());
  EXPECT_FALSE(san->has_value());
}

TEST(ParseTbsTest, NegativeSerialIsKeptAsEncoded) {
  // OpenSSL 3 refuses this certificate; a monitor still wants its names.
  const Bytes der = TbsOf("real-world/ct-python-testdata/negative_serial.pem");
  auto tbs = ParseTbs(der);
  ASSERT_THAT(tbs, IsOk());
  EXPECT_EQ(HexEncode(tbs->serial), "ffd5d5453d324e958b7fc5d04777dbbe");
}

TEST(ParseTbsTest, AcceptsBerTimesOfOldCertificates) {
  // UTCTime "121214093107+0000" (offset instead of Z) in a real certificate.
  const Bytes subrigo = TbsOf("real-world/ct-python-testdata/subrigo_net.pem");
  auto tbs = ParseTbs(subrigo);
  ASSERT_THAT(tbs, IsOk());
  EXPECT_EQ(tbs->not_before_ms, 1355477467000);
  // UTCTime "0001010000Z" (no seconds).
  const Bytes march_der = TbsOf("real-world/ct-python-testdata/marchnetworks_com.pem");
  auto march = ParseTbs(march_der);
  ASSERT_THAT(march, IsOk());
  EXPECT_EQ(march->not_before_ms, 946684800000);
}

TEST(ParseTbsTest, RejectsIndefiniteLengthCertificate) {
  const Bytes cert = LoadCert("real-world/ct-python-testdata/asn1_indefinite_length_encoding.pem");
  EXPECT_THAT(CertificateTbs(cert), IsErrorCode(ErrorCode::kParse));
}

TEST(ParseTbsTest, EveryTruncationFails) {
  const Bytes cert = LoadCert("real-world/ct-python-testdata/google_cert.der");
  const Bytes tbs = ToBytes(CertificateTbs(cert).value());
  for (size_t n = 0; n < tbs.size(); ++n) {
    EXPECT_FALSE(ParseTbs(ByteView(tbs).first(n)).has_value()) << n;
  }
  for (size_t n = 0; n < cert.size(); ++n) {
    EXPECT_FALSE(CertificateTbs(ByteView(cert).first(n)).has_value()) << n;
  }
}

// A deterministic slice of what fuzz/der_fuzz.cc does, so that plain test runs cover it too:
// every byte of a real certificate replaced by a few values. Nothing may crash, and whatever
// parses keeps the TbsWithoutExtension properties.
TEST(ParseTbsTest, SingleByteMutationsFailCleanly) {
  const Bytes original = LoadCert("ct-project-test-vectors/test-embedded-cert.pem");
  int parsed = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    for (uint8_t value :
         {uint8_t{0x00}, uint8_t{0x80}, uint8_t{0xff}, static_cast<uint8_t>(original[i] + 1)}) {
      if (value == original[i]) continue;
      Bytes cert = original;
      cert[i] = value;
      auto facts = FactsFromCertificate(cert, original);
      auto tbs = CertificateTbs(cert);
      if (!tbs.has_value()) continue;
      auto names = ExtractNames(*tbs);
      if (facts.has_value()) {
        EXPECT_TRUE(names.has_value()) << i;
      }
      auto stripped = TbsWithoutExtension(*tbs, oid::kCtSctList);
      if (stripped.has_value()) {
        ++parsed;
        EXPECT_LE(stripped->size(), tbs->size());
        EXPECT_THAT(ParseTbs(*stripped), IsOk()) << i;
      }
    }
  }
  EXPECT_GT(parsed, 100);
}

TEST(ParseTbsTest, RejectsTrailingBytes) {
  const Bytes cert = LoadCert("real-world/ct-python-testdata/google_cert.der");
  Bytes tbs = ToBytes(CertificateTbs(cert).value());
  tbs.push_back(0x00);
  EXPECT_THAT(ParseTbs(tbs), IsErrorCode(ErrorCode::kParse));
  Bytes cert_plus = cert;
  cert_plus.push_back(0x00);
  EXPECT_THAT(CertificateTbs(cert_plus), IsErrorCode(ErrorCode::kParse));

  // Trailing bytes inside the TBS SEQUENCE, after the extensions.
  Bytes inner = MakeTbs({.subject = testing::CnRdn(der::kUtf8String, "a.example")});
  auto parsed = ParseTbs(inner);
  ASSERT_THAT(parsed, IsOk());
  DerReader r(inner);
  ByteView contents;
  ASSERT_TRUE(r.Read(der::kSequence, &contents));
  const Bytes with_junk = Tlv(der::kSequence, {contents, Bytes{0x05, 0x00}});
  EXPECT_THAT(ParseTbs(with_junk), IsErrorCode(ErrorCode::kParse));
}

TEST(ParseTbsTest, RejectsIndefiniteAndHugeLengths) {
  const Bytes tbs = MakeTbs({.subject = testing::CnRdn(der::kUtf8String, "a.example")});
  DerReader r(tbs);
  ByteView contents;
  ASSERT_TRUE(r.Read(der::kSequence, &contents));
  // BER indefinite length: 30 80 ... 00 00
  Bytes indefinite = {der::kSequence, 0x80};
  indefinite.insert(indefinite.end(), contents.begin(), contents.end());
  indefinite.insert(indefinite.end(), {0x00, 0x00});
  EXPECT_THAT(ParseTbs(indefinite), IsErrorCode(ErrorCode::kParse));
  // Lengths far past the end, and lengths with more bytes than any X.509 needs.
  for (const Bytes& header :
       {Bytes{der::kSequence, 0x84, 0xff, 0xff, 0xff, 0xff},
        Bytes{der::kSequence, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
        Bytes{der::kSequence, 0x82, 0xff, 0xff}}) {
    Bytes huge = header;
    huge.insert(huge.end(), contents.begin(), contents.end());
    EXPECT_THAT(ParseTbs(huge), IsErrorCode(ErrorCode::kParse));
    EXPECT_THAT(CertificateTbs(huge), IsErrorCode(ErrorCode::kParse));
  }
  EXPECT_THAT(ParseTbs({}), IsErrorCode(ErrorCode::kParse));
}

TEST(ParseTbsTest, RejectsStructuralViolations) {
  const Bytes ext = testing::SanExtension({testing::DnsName("a.example")});
  // The same extension twice (RFC 5280 §4.2): the TBS parses, but the repeated extension
  // cannot be looked up or removed.
  const Bytes twice = MakeTbs({.extensions = {ext, ext}});
  auto parsed = ParseTbs(twice);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT(parsed->FindExtension(oid::kSubjectAltName), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(parsed->FindExtension(oid::kCtSctList), IsOk());
  EXPECT_THAT(TbsWithoutExtension(twice, oid::kSubjectAltName), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ExtractNames(twice), IsErrorCode(ErrorCode::kParse));
  // An empty Extensions SEQUENCE (SIZE (1..MAX)) and extensions in a v1 certificate.
  Bytes empty_extensions = MakeTbs({});
  {
    DerReader r(empty_extensions);
    ByteView contents;
    ASSERT_TRUE(r.Read(der::kSequence, &contents));
    const Bytes wrapper = Tlv(der::ContextConstructed(3), {Tlv(der::kSequence, {})});
    EXPECT_THAT(ParseTbs(Tlv(der::kSequence, {contents, wrapper})), IsErrorCode(ErrorCode::kParse));
  }
  // Bad calendar dates.
  EXPECT_THAT(ParseTbs(MakeTbs({.not_before = "200230000000Z"})), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseTbs(MakeTbs({.not_after = "2001010000000Z", .not_after_tag = der::kUtcTime})),
              IsErrorCode(ErrorCode::kParse));
  // Well-formed with those fixed.
  EXPECT_THAT(ParseTbs(MakeTbs({.extensions = {ext}})), IsOk());
}

TEST(Asn1TimeTest, UtcTimeCenturyRule) {
  using cert_internal::ParseAsn1Time;
  int64_t ms = 0;
  ASSERT_TRUE(ParseAsn1Time(der::kUtcTime, AsBytes("491231235959Z"), &ms));
  EXPECT_EQ(ms, 2524607999000);  // 2049
  ASSERT_TRUE(ParseAsn1Time(der::kUtcTime, AsBytes("500101000000Z"), &ms));
  EXPECT_EQ(ms, -631152000000);  // 1950
  ASSERT_TRUE(ParseAsn1Time(der::kGeneralizedTime, AsBytes("99991231235959Z"), &ms));
  EXPECT_EQ(ms, 253402300799000);
  ASSERT_TRUE(ParseAsn1Time(der::kGeneralizedTime, AsBytes("20000229120000Z"), &ms));
  EXPECT_EQ(ms, 951825600000);
  ASSERT_TRUE(ParseAsn1Time(der::kGeneralizedTime, AsBytes("20000229120000.5Z"), &ms));
  EXPECT_EQ(ms, 951825600500);
  ASSERT_TRUE(ParseAsn1Time(der::kUtcTime, AsBytes("000229130000+0100"), &ms));
  EXPECT_EQ(ms, 951825600000);
}

TEST(Asn1TimeTest, RejectsMalformedTimes) {
  using cert_internal::ParseAsn1Time;
  int64_t ms = 0;
  for (const char* bad :
       {"", "Z", "4912312359", "491231235959", "491231235959z", "491301000000Z", "490230000000Z",
        "010229000000Z", "491231245959Z", "491231236059Z", "49123123595aZ", "491231235959Z0",
        "491231235959+2400", "+91231235959Z", "491231235959+01"}) {
    EXPECT_FALSE(ParseAsn1Time(der::kUtcTime, AsBytes(bad), &ms)) << bad;
  }
  for (const char* bad : {"20491231235959", "204912312359Z", "20491231235959.Z", "2049123123595Z",
                          "19000229000000Z"}) {
    EXPECT_FALSE(ParseAsn1Time(der::kGeneralizedTime, AsBytes(bad), &ms)) << bad;
  }
  EXPECT_FALSE(ParseAsn1Time(der::kUtf8String, AsBytes("491231235959Z"), &ms));
}

TEST(TbsWithoutExtensionTest, AbsentExtensionReturnsInput) {
  const Bytes tbs = TbsOf("real-world/ct-python-testdata/google_cert.der");
  auto out = TbsWithoutExtension(tbs, oid::kCtSctList);
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(*out, tbs);
  // A v1 certificate has no extensions at all.
  const Bytes v1 = TbsOf("real-world/ct-python-testdata/v1_cert.pem");
  EXPECT_EQ(TbsWithoutExtension(v1, oid::kSubjectAltName).value(), v1);
}

TEST(TbsWithoutExtensionTest, RemovesEachExtensionOfARealCertificate) {
  const Bytes tbs_der = TbsOf("real-world/appmattus/bloomberg.pem");
  const ParsedTbs tbs = ParseTbs(tbs_der).value();
  const size_t count = ExtensionCount(tbs);
  ASSERT_GT(count, 3u);
  DerReader list(tbs.extensions);
  while (!list.empty()) {
    ByteView contents;
    ByteView whole;
    uint8_t tag;
    ASSERT_TRUE(list.ReadAny(&tag, &contents, &whole));
    DerReader ext(contents);
    ByteView ext_oid;
    ASSERT_TRUE(ext.Read(der::kOid, &ext_oid));
    auto out = TbsWithoutExtension(tbs_der, ext_oid);
    ASSERT_THAT(out, IsOk());
    EXPECT_LE(out->size() + whole.size(), tbs_der.size());
    auto reparsed = ParseTbs(*out);
    ASSERT_THAT(reparsed, IsOk());
    EXPECT_EQ(ExtensionCount(*reparsed), count - 1);
    EXPECT_FALSE(reparsed->FindExtension(ext_oid).value().has_value());
    EXPECT_TRUE(Equal(reparsed->subject, tbs.subject));
    EXPECT_TRUE(Equal(reparsed->spki, tbs.spki));
    EXPECT_TRUE(Equal(reparsed->serial, tbs.serial));
    // Every byte of the TBS contents before [3] is untouched.
    const ByteView in_contents = SequenceContents(tbs_der);
    const ByteView out_contents = SequenceContents(*out);
    const auto prefix = tbs.spki.data() + tbs.spki.size() - in_contents.data();
    ASSERT_LE(prefix, static_cast<long>(out_contents.size()));
    EXPECT_TRUE(
        std::equal(in_contents.begin(), in_contents.begin() + prefix, out_contents.begin()));
  }
}

TEST(TbsWithoutExtensionTest, FixesLengthsAcrossHeaderSizeBoundaries) {
  // An extension list of 130 bytes (long-form length) shrinks to 9 bytes (short form): every
  // enclosing header changes size, and the bytes around the removed extension stay identical.
  static constexpr uint8_t kOther[] = {0x55, 0x1d, 0x0e};  // subjectKeyIdentifier
  const Bytes keep = testing::Extension(kOther, Bytes{0x04, 0x01, 0x07});
  const Bytes big = testing::Extension(oid::kCtSctList, Bytes(116, 0xab));
  const Bytes tbs = MakeTbs(
      {.subject = testing::CnRdn(der::kUtf8String, "a.example"), .extensions = {keep, big}});
  auto out = TbsWithoutExtension(tbs, oid::kCtSctList);
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(*out, MakeTbs({.subject = testing::CnRdn(der::kUtf8String, "a.example"),
                           .extensions = {keep}}));
  auto reparsed = ParseTbs(*out);
  ASSERT_THAT(reparsed, IsOk());
  EXPECT_TRUE(Equal(reparsed->extensions, keep));

  // Removing the only extension drops [3] as well (RFC 6962 §3.2 precert TBS).
  const Bytes only_big =
      MakeTbs({.subject = testing::CnRdn(der::kUtf8String, "a.example"), .extensions = {big}});
  EXPECT_EQ(TbsWithoutExtension(only_big, oid::kCtSctList).value(),
            MakeTbs({.subject = testing::CnRdn(der::kUtf8String, "a.example")}));
}

TEST(TbsWithoutExtensionTest, RejectsMalformedInput) {
  EXPECT_THAT(TbsWithoutExtension({}, oid::kCtSctList), IsErrorCode(ErrorCode::kParse));
  Bytes tbs = TbsOf("real-world/ct-python-testdata/google_cert.der");
  tbs.push_back(0);
  EXPECT_THAT(TbsWithoutExtension(tbs, oid::kCtSctList), IsErrorCode(ErrorCode::kParse));
}

TEST(FormatNameTest, RendersAttributesInEncodingOrder) {
  using testing::CnRdn;
  using testing::Rdn;
  const Bytes name = Tlv(
      der::kSequence,
      {Rdn({0x55, 0x04, 0x06}, Tlv(der::kPrintableString, "US")),
       Rdn({0x55, 0x04, 0x0a}, Tlv(der::kUtf8String, "Acme, Inc. + Co")),
       // A multi-valued RDN: OU + CN.
       Tlv(der::kSet,
           {Tlv(der::kSequence, {testing::Oid({0x55, 0x04, 0x0b}), Tlv(der::kUtf8String, "Ops")}),
            Tlv(der::kSequence,
                {testing::Oid({0x55, 0x04, 0x03}), Tlv(der::kUtf8String, "Line\nBreak\\")})}),
       Rdn({0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01},
           Tlv(der::kIa5String, "a@example.com")),
       Rdn({0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19},
           Tlv(der::kIa5String, "com")),
       Rdn({0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03},
           Tlv(der::kPrintableString, "DE")),
       // An unknown type (2.999.1) holding a non-string value.
       Rdn({0x88, 0x37, 0x01}, Tlv(der::kInteger, {Bytes{0x05}}))});
  auto text = FormatName(name);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text,
            "C=US, O=Acme\\, Inc. \\+ Co, OU=Ops + CN=Line\\x0aBreak\\x5c, "
            "emailAddress=a@example.com, DC=com, jurisdictionC=DE, 2.999.1=#020105");
}

TEST(FormatNameTest, EmptyAndMalformedNames) {
  EXPECT_EQ(FormatName(Bytes{0x30, 0x00}).value(), "");
  EXPECT_THAT(FormatName({}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(FormatName(Bytes{0x30, 0x04, 0x31, 0x02, 0x30, 0x00}),
              IsErrorCode(ErrorCode::kParse));  // an attribute without type and value
  // An empty RDN SET breaks SIZE (1..MAX) but is tolerated, as OpenSSL and Go do.
  EXPECT_EQ(FormatName(Bytes{0x30, 0x02, 0x31, 0x00}).value(), "");
  EXPECT_THAT(FormatName(Bytes{0x30, 0x00, 0x00}), IsErrorCode(ErrorCode::kParse));
  // An attribute type that is not a valid OID is shown as hex, not rejected.
  const Bytes bad_oid =
      Tlv(der::kSequence, {testing::Rdn({0x80, 0x01}, Tlv(der::kUtf8String, "x"))});
  EXPECT_EQ(FormatName(bad_oid).value(), "OID.#8001=x");
}

}  // namespace
}  // namespace ctwatch
