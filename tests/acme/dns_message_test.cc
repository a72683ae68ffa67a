// DNS messages (RFC 1035, RFC 2136) and TSIG (RFC 8945) without a server: building, the strict
// parser's refusals, key files, and a TSIG answer signed the way a server signs it.
#include "acme/dns_message.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "acme/dns_transport.h"
#include "acme/tsig.h"
#include "core/byte_reader.h"
#include "core/encoding.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

Bytes Hex(std::string_view hex) { return *HexDecode(hex); }

TEST(DnsMessageTest, QueryBytes) {
  // id 0x1234, RD, one question: example.com TXT IN.
  EXPECT_EQ(HexEncode(dns::BuildQuery(0x1234, "example.com", dns::kTypeTxt, true)),
            "123401000001000000000000"
            "076578616d706c6503636f6d00"
            "00100001");
}

TEST(DnsMessageTest, UpdateBytes) {
  dns::ResourceRecord add;
  add.name = "_acme-challenge.example.com";
  add.type = dns::kTypeTxt;
  add.rr_class = dns::kClassIn;
  add.ttl = 60;
  add.rdata = dns::TxtRdata("abc");
  const Bytes m = dns::BuildUpdate(7, "example.com", {add});
  // Header: opcode 5 (0x2800), ZOCOUNT 1, PRCOUNT 0, UPCOUNT 1, ADCOUNT 0.
  EXPECT_EQ(HexEncode(ByteView(m).first(12)), "000728000001000000010000");
  auto parsed = dns::ParseMessage(m);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->opcode, dns::kOpcodeUpdate);
  ASSERT_EQ(parsed->questions.size(), 1u);  // the zone section has the question's shape
  EXPECT_EQ(parsed->questions[0].name, "example.com");
  EXPECT_EQ(parsed->questions[0].type, dns::kTypeSoa);
  ASSERT_EQ(parsed->authority.size(), 1u);  // the update section sits where NS records would
  EXPECT_EQ(parsed->authority[0].txt, std::vector<std::string>{"abc"});
  EXPECT_EQ(parsed->authority[0].ttl, 60u);
}

TEST(DnsMessageTest, ParsesCompressedAnswers) {
  // Answer to "www.example.com CNAME": www.example.com CNAME host.example.com, both compressed.
  Bytes m = Hex("abcd8180000100010000000003777777076578616d706c6503636f6d0000050001");
  // c00c: pointer to the question name; rdata "host" + pointer to example.com (offset 16).
  const Bytes rr =
      Hex("c00c000500010000003c0007"
          "04686f7374"
          "c010");
  m.insert(m.end(), rr.begin(), rr.end());
  auto parsed = dns::ParseMessage(m);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_TRUE(parsed->response);
  ASSERT_EQ(parsed->answers.size(), 1u);
  EXPECT_EQ(parsed->answers[0].name, "www.example.com");
  EXPECT_EQ(parsed->answers[0].target, "host.example.com");
  EXPECT_EQ(parsed->answers[0].ttl, 60u);
}

TEST(DnsMessageTest, RefusesMalformedMessages) {
  const Bytes good = Hex("abcd8180000100000000000003777777076578616d706c6503636f6d0000100001");
  ASSERT_THAT(dns::ParseMessage(good), IsOk());
  // Trailing bytes.
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(dns::ParseMessage(trailing), IsErrorCode(ErrorCode::kParse));
  // A question that is not there.
  Bytes missing = good;
  missing[5] = 2;
  EXPECT_THAT(dns::ParseMessage(missing), IsErrorCode(ErrorCode::kParse));
  // A compression pointer to itself, and one pointing forward.
  const Bytes self = Hex("abcd81800001000000000000c00c00100001");
  EXPECT_THAT(dns::ParseMessage(self), IsErrorCode(ErrorCode::kParse));
  const Bytes forward = Hex("abcd81800001000000000000c01000100001000000");
  EXPECT_THAT(dns::ParseMessage(forward), IsErrorCode(ErrorCode::kParse));
  // A label running past the end, and a reserved label type.
  EXPECT_THAT(dns::ParseMessage(Hex("abcd8180000100000000000009777777")),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(dns::ParseMessage(Hex("abcd8180000100000000000040777777")),
              IsErrorCode(ErrorCode::kParse));
  // An answer whose RDATA runs past the end; a TXT string longer than its RDATA.
  Bytes rdata = good;
  rdata[7] = 1;
  const Bytes long_rdata = Hex("c00c001000010000003c00ff0161");
  rdata.insert(rdata.end(), long_rdata.begin(), long_rdata.end());
  EXPECT_THAT(dns::ParseMessage(rdata), IsErrorCode(ErrorCode::kParse));
  Bytes txt = good;
  txt[7] = 1;
  const Bytes bad_txt =
      Hex("c00c001000010000003c0002"
          "0561");
  txt.insert(txt.end(), bad_txt.begin(), bad_txt.end());
  EXPECT_THAT(dns::ParseMessage(txt), IsErrorCode(ErrorCode::kParse));
  // Too short for a header.
  EXPECT_THAT(dns::ParseMessage(Hex("abcd")), IsErrorCode(ErrorCode::kParse));
}

TEST(DnsMessageTest, CanonicalNames) {
  EXPECT_EQ(*dns::CanonicalName("_ACME-Challenge.Example.COM."), "_acme-challenge.example.com");
  EXPECT_FALSE(dns::CanonicalName("a..b").has_value());
  EXPECT_FALSE(dns::CanonicalName(std::string(64, 'a') + ".com").has_value());
  EXPECT_FALSE(dns::CanonicalName("a b.com").has_value());
  EXPECT_TRUE(dns::IsSubdomain("a.example.com", "example.com"));
  EXPECT_TRUE(dns::IsSubdomain("example.com", "example.com"));
  EXPECT_FALSE(dns::IsSubdomain("badexample.com", "example.com"));
}

TEST(DnsMessageTest, TxtRdataSplitsLongValues) {
  const std::string value(300, 'x');
  const Bytes rdata = dns::TxtRdata(value);
  EXPECT_EQ(rdata.size(), 302u);
  EXPECT_EQ(rdata[0], 255);
  EXPECT_EQ(rdata[256], 45);
}

TEST(DnsTransportTest, ServerAddresses) {
  EXPECT_EQ(ParseDnsServer("127.0.0.1:5353")->port, 5353);
  EXPECT_EQ(ParseDnsServer("127.0.0.1")->port, 53);
  EXPECT_EQ(ParseDnsServer("[::1]:54")->host, "::1");
  EXPECT_EQ(ParseDnsServer("::1")->host, "::1");
  EXPECT_EQ(ParseDnsServer("[::1]:54")->ToString(), "[::1]:54");
  EXPECT_FALSE(ParseDnsServer("127.0.0.1:0").has_value());
  EXPECT_FALSE(ParseDnsServer("127.0.0.1:x").has_value());
  EXPECT_FALSE(ParseDnsServer("").has_value());
}

constexpr const char* kKeyFile =
    "# made by tsig-keygen\n"
    "key \"other\" {\n\talgorithm hmac-sha256;\n\tsecret \"b3RoZXI=\";\n};\n"
    "key \"ctwatch-key\" {\n\talgorithm hmac-sha256;\n"
    "\tsecret \"65fJXtYbI7f5AcQzkvChCB6INGj/75ibLILfgD7uMLo=\";\n};\n";

TEST(TsigTest, KeyFiles) {
  auto first = ParseBindKeyFile(kKeyFile);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->name, "other");
  auto named = ParseBindKeyFile(kKeyFile, "ctwatch-key.");
  ASSERT_THAT(named, IsOk());
  EXPECT_EQ(named->name, "ctwatch-key");
  EXPECT_EQ(named->secret.size(), 32u);
  EXPECT_THAT(ParseBindKeyFile(kKeyFile, "nosuch"), IsErrorCode(ErrorCode::kNotFound));
  EXPECT_THAT(MakeTsigKey("k", "hmac-md5", "a2V5"), IsErrorCode(ErrorCode::kInvalidArgument));
  auto bad = MakeTsigKey("k", "hmac-sha256", "not base64!");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.find("not base64!"), std::string::npos);  // never the secret
}

// Signs an answer the way a server does (RFC 8945 §4.3.3 / §5.3): MAC over the request MAC,
// the answer and the TSIG variables.
Bytes ServerSign(const TsigKey& key, ByteView request_mac, Bytes answer, uint64_t now,
                 bool corrupt) {
  Bytes data;
  AppendPrefixed(&data, request_mac, 2);
  data.insert(data.end(), answer.begin(), answer.end());
  Bytes vars;
  dns::AppendName(key.name, &vars);
  AppendUint(&vars, dns::kClassAny, 2);
  AppendUint(&vars, 0, 4);
  dns::AppendName(key.algorithm, &vars);
  AppendUint(&vars, now, 6);
  AppendUint(&vars, 300, 2);
  AppendUint(&vars, 0, 2);
  AppendUint(&vars, 0, 2);
  data.insert(data.end(), vars.begin(), vars.end());
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.secret.data(), static_cast<int>(key.secret.size()), data.data(),
       data.size(), mac, &len);
  if (corrupt) mac[0] ^= 1;
  Bytes rdata;
  dns::AppendName(key.algorithm, &rdata);
  AppendUint(&rdata, now, 6);
  AppendUint(&rdata, 300, 2);
  AppendPrefixed(&rdata, ByteView(mac, len), 2);
  AppendUint(&rdata, static_cast<uint64_t>((answer[0] << 8) | answer[1]), 2);
  AppendUint(&rdata, 0, 2);
  AppendUint(&rdata, 0, 2);
  dns::AppendName(key.name, &answer);
  AppendUint(&answer, dns::kTypeTsig, 2);
  AppendUint(&answer, dns::kClassAny, 2);
  AppendUint(&answer, 0, 4);
  AppendPrefixed(&answer, rdata, 2);
  answer[11] = static_cast<uint8_t>(answer[11] + 1);
  return answer;
}

TEST(TsigTest, SignAndVerify) {
  auto key = ParseBindKeyFile(kKeyFile, "ctwatch-key");
  ASSERT_THAT(key, IsOk());
  const uint64_t now = 1'800'000'000;
  Bytes request = dns::BuildUpdate(0x4242, "example.test", {});
  auto mac = TsigSign(*key, now, &request);
  ASSERT_THAT(mac, IsOk());
  auto parsed_request = dns::ParseMessage(request);
  ASSERT_THAT(parsed_request, IsOk());
  ASSERT_TRUE(parsed_request->has_tsig);
  EXPECT_EQ(parsed_request->tsig.key_name, "ctwatch-key");
  EXPECT_EQ(parsed_request->tsig.algorithm, "hmac-sha256");
  EXPECT_EQ(parsed_request->tsig.time_signed, now);
  EXPECT_EQ(parsed_request->tsig.original_id, 0x4242);
  EXPECT_EQ(parsed_request->tsig.mac, *mac);

  // The server's answer: the update header with QR set and no records.
  Bytes answer(request.begin(), request.begin() + 12);
  answer[2] |= 0x80;
  answer[11] = 0;
  answer[5] = 0;  // no zone section in this answer
  const Bytes signed_answer = ServerSign(*key, *mac, answer, now + 2, false);
  auto parsed = dns::ParseMessage(signed_answer);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT(TsigVerify(*key, *mac, signed_answer, *parsed, now + 3), IsOk());
  // A wrong MAC, another request MAC, a clock far off, an unsigned answer.
  const Bytes forged = ServerSign(*key, *mac, answer, now + 2, true);
  EXPECT_THAT(TsigVerify(*key, *mac, forged, *dns::ParseMessage(forged), now),
              IsErrorCode(ErrorCode::kVerification));
  Bytes other_mac = *mac;
  other_mac[0] ^= 1;
  EXPECT_THAT(TsigVerify(*key, other_mac, signed_answer, *parsed, now),
              IsErrorCode(ErrorCode::kVerification));
  EXPECT_THAT(TsigVerify(*key, *mac, signed_answer, *parsed, now + 1000),
              IsErrorCode(ErrorCode::kVerification));
  EXPECT_THAT(TsigVerify(*key, *mac, answer, *dns::ParseMessage(answer), now),
              IsErrorCode(ErrorCode::kVerification));
}

}  // namespace
}  // namespace ctwatch
