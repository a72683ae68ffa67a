// JWS, JWK and thumbprints against the RFC vectors: RFC 7515 A.1 (HS256) and A.3 (ES256),
// RFC 7638 §3.1 (thumbprint), the DER ↔ r‖s conversion, and the ACME flattened form.
#include "acme/jws.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "acme/keys.h"
#include "core/encoding.h"
#include "core/sha256.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;

// RFC 7515 Appendix A.3 (ES256).
constexpr char kA3X[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kA3Y[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kA3D[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr char kA3SigningInput[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr char kA3Signature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 7638 §3.1.
constexpr char kRsaN[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWK"
    "RXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
    "FDW2QvzqY368QQMic"
    "AtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
    "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3"
    "XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
constexpr char kRsaThumbprint[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

Bytes B64u(std::string_view s) {
  auto b = Base64UrlDecode(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(Bytes());
}

// An EC P-256 key from RFC 7515 coordinates (and the private scalar when given).
EvpPkeyPtr EcKey(std::string_view x, std::string_view y, std::string_view d = {}) {
  Bytes point = {0x04};
  const Bytes bx = B64u(x), by = B64u(y);
  point.insert(point.end(), bx.begin(), bx.end());
  point.insert(point.end(), by.begin(), by.end());
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  BIGNUM* priv = nullptr;
  if (!d.empty()) {
    const Bytes bd = B64u(d);
    priv = BN_bin2bn(bd.data(), static_cast<int>(bd.size()), nullptr);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, d.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(priv);
  return EvpPkeyPtr(key);
}

EvpPkeyPtr RsaPublicKey(std::string_view n, std::string_view e) {
  const Bytes bn = B64u(n), be = B64u(e);
  BIGNUM* nn = BN_bin2bn(bn.data(), static_cast<int>(bn.size()), nullptr);
  BIGNUM* ee = BN_bin2bn(be.data(), static_cast<int>(be.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, nn);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ee);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(nn);
  BN_free(ee);
  return EvpPkeyPtr(key);
}

Status VerifyJws(EVP_PKEY* key, JwsAlgorithm alg, const nlohmann::json& jws) {
  const std::string input =
      jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
  Bytes sig = B64u(jws["signature"].get<std::string>());
  if (alg != JwsAlgorithm::kRs256) {
    EXPECT_EQ(sig.size(), alg == JwsAlgorithm::kEs256 ? 64u : 96u);
    auto der = EcdsaRawToDer(sig);
    if (!der.has_value()) return der.error();
    sig = *der;
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestVerifyInit(ctx.get(), nullptr,
                       alg == JwsAlgorithm::kEs384 ? EVP_sha384() : EVP_sha256(), nullptr, key);
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return MakeError(ErrorCode::kVerification, "bad signature");
  }
  return OkStatus();
}

nlohmann::json DecodeJson(const std::string& b64) {
  const Bytes raw = B64u(b64);
  return nlohmann::json::parse(AsChars(raw));
}

TEST(JwsTest, Rfc7515A3SignatureVerifiesAfterRawToDer) {
  EvpPkeyPtr key = EcKey(kA3X, kA3Y);
  ASSERT_TRUE(key);
  auto der = EcdsaRawToDer(B64u(kA3Signature));
  ASSERT_THAT(der, IsOk());
  EXPECT_THAT(VerifySha256Signature(key.get(), AsBytes(kA3SigningInput), *der), IsOk());
  // And back: DER → r‖s gives the RFC's 64 bytes.
  auto raw = EcdsaDerToRaw(*der, 32);
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(Base64UrlEncode(*raw), kA3Signature);
}

TEST(JwsTest, Rfc7515A3KeyGivesItsJwkAndSignsVerifiably) {
  auto signer = JwsSigner::Create(EcKey(kA3X, kA3Y, kA3D));
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->algorithm(), JwsAlgorithm::kEs256);
  EXPECT_EQ(signer->jwk()["x"], kA3X);
  EXPECT_EQ(signer->jwk()["y"], kA3Y);
  EXPECT_EQ(signer->jwk()["crv"], "P-256");
  EXPECT_EQ(signer->jwk().size(), 4u);  // no "d", nothing else
  auto sig = signer->Sign(kA3SigningInput);
  ASSERT_THAT(sig, IsOk());
  ASSERT_EQ(sig->size(), 64u);
  auto der = EcdsaRawToDer(*sig);
  ASSERT_THAT(der, IsOk());
  EXPECT_THAT(VerifySha256Signature(signer->key(), AsBytes(kA3SigningInput), *der), IsOk());
}

TEST(JwsTest, Rfc7515A1Hs256) {
  const Bytes key = B64u(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  const std::string input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ";
  auto mac = HmacSha256(key, AsBytes(input));
  ASSERT_THAT(mac, IsOk());
  EXPECT_EQ(Base64UrlEncode(*mac), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST(JwsTest, Rfc7638ThumbprintExample) {
  nlohmann::json jwk = {
      {"kty", "RSA"}, {"n", kRsaN}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
  auto t = JwkThumbprint(jwk);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(*t, kRsaThumbprint);
  // The same from the key itself: PublicJwk writes n and e without leading zeros.
  EvpPkeyPtr key = RsaPublicKey(kRsaN, "AQAB");
  ASSERT_TRUE(key);
  auto from_key = PublicJwk(key.get());
  ASSERT_THAT(from_key, IsOk());
  EXPECT_EQ((*from_key)["n"], kRsaN);
  EXPECT_EQ((*from_key)["e"], "AQAB");
  auto t2 = JwkThumbprint(*from_key);
  ASSERT_THAT(t2, IsOk());
  EXPECT_EQ(*t2, kRsaThumbprint);
}

TEST(JwsTest, ThumbprintOfEcKeyUsesExactlyTheRequiredMembers) {
  nlohmann::json jwk = {{"crv", "P-256"}, {"kty", "EC"}, {"x", kA3X}, {"y", kA3Y}, {"use", "sig"}};
  auto with_extra = JwkThumbprint(jwk);
  jwk.erase("use");
  auto plain = JwkThumbprint(jwk);
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(*with_extra, *plain);
  EXPECT_EQ(*plain,
            Base64UrlEncode(Sha256(AsBytes(std::string(R"({"crv":"P-256","kty":"EC","x":")") +
                                           kA3X + R"(","y":")" + kA3Y + R"("})"))));
  EXPECT_FALSE(JwkThumbprint({{"kty", "EC"}, {"x", "a"}}).has_value());
}

TEST(JwsTest, DerToRawPadsShortIntegersAndRejectsGarbage) {
  // SEQUENCE { INTEGER 1, INTEGER 0x00ff..(33 bytes, high bit set) }
  Bytes der = {0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00};
  for (int i = 0; i < 32; ++i) der.push_back(0xff);
  auto raw = EcdsaDerToRaw(der, 32);
  ASSERT_THAT(raw, IsOk());
  ASSERT_EQ(raw->size(), 64u);
  EXPECT_EQ((*raw)[0], 0);
  EXPECT_EQ((*raw)[31], 1);
  EXPECT_EQ((*raw)[32], 0xff);
  EXPECT_EQ((*raw)[63], 0xff);
  // Round trip.
  auto back = EcdsaRawToDer(*raw);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, der);
  // Trailing bytes, truncation and a component too long for the curve fail.
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(EcdsaDerToRaw(trailing, 32).has_value());
  EXPECT_FALSE(EcdsaDerToRaw(ByteView(der).first(10), 32).has_value());
  EXPECT_FALSE(EcdsaDerToRaw(der, 16).has_value());
  EXPECT_FALSE(EcdsaRawToDer(Bytes(63, 1)).has_value());
}

class SignJwsTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(SignJwsTest, FlattenedJwsWithKidOrJwkVerifies) {
  auto key = GenerateKey(GetParam());
  ASSERT_THAT(key, IsOk());
  auto signer = JwsSigner::Create(std::move(*key));
  ASSERT_THAT(signer, IsOk());
  const std::string alg = JwsAlgorithmName(signer->algorithm());

  auto with_kid = SignJws(
      *signer,
      {.url = "https://ca.test/new-order", .nonce = "n0nce", .kid = "https://ca.test/acct/1"},
      R"({"identifiers":[]})");
  ASSERT_THAT(with_kid, IsOk());
  EXPECT_EQ(with_kid->size(), 3u);
  const nlohmann::json header = DecodeJson((*with_kid)["protected"]);
  EXPECT_EQ(header["alg"], alg);
  EXPECT_EQ(header["nonce"], "n0nce");
  EXPECT_EQ(header["url"], "https://ca.test/new-order");
  EXPECT_EQ(header["kid"], "https://ca.test/acct/1");
  EXPECT_FALSE(header.contains("jwk"));
  EXPECT_THAT(VerifyJws(signer->key(), signer->algorithm(), *with_kid), IsOk());

  // newAccount style: jwk instead of kid; POST-as-GET: empty payload.
  auto with_jwk = SignJws(*signer, {.url = "https://ca.test/acct/1", .nonce = "x"}, "");
  ASSERT_THAT(with_jwk, IsOk());
  const nlohmann::json header2 = DecodeJson((*with_jwk)["protected"]);
  EXPECT_EQ(header2["jwk"], signer->jwk());
  EXPECT_FALSE(header2.contains("kid"));
  EXPECT_EQ((*with_jwk)["payload"], "");
  EXPECT_THAT(VerifyJws(signer->key(), signer->algorithm(), *with_jwk), IsOk());

  // keyChange inner JWS: no nonce at all.
  auto inner = SignJws(*signer, {.url = "https://ca.test/key-change"}, "{}");
  ASSERT_THAT(inner, IsOk());
  EXPECT_FALSE(DecodeJson((*inner)["protected"]).contains("nonce"));
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, SignJwsTest,
                         ::testing::Values(KeyType::kEcdsaP256, KeyType::kEcdsaP384,
                                           KeyType::kRsa2048));

TEST(JwsTest, AlgorithmFollowsTheKey) {
  for (auto [type, alg] :
       {std::pair{KeyType::kEcdsaP256, "ES256"}, std::pair{KeyType::kEcdsaP384, "ES384"},
        std::pair{KeyType::kRsa2048, "RS256"}}) {
    auto signer = JwsSigner::Create(std::move(GenerateKey(type)).value());
    ASSERT_THAT(signer, IsOk());
    EXPECT_STREQ(JwsAlgorithmName(signer->algorithm()), alg);
  }
}

TEST(JwsTest, ExternalAccountBindingIsHs256OverTheAccountJwk) {
  auto signer = JwsSigner::Create(std::move(GenerateKey(KeyType::kEcdsaP256)).value());
  ASSERT_THAT(signer, IsOk());
  auto mac_key = DecodeEabKey("zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W");
  ASSERT_TRUE(mac_key.has_value());
  EXPECT_EQ(mac_key->size(), 48u);
  auto eab =
      SignExternalAccountBinding("kid-1", *mac_key, "https://ca.test/new-acct", signer->jwk());
  ASSERT_THAT(eab, IsOk());
  const nlohmann::json header = DecodeJson((*eab)["protected"]);
  EXPECT_EQ(header, (nlohmann::json{
                        {"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca.test/new-acct"}}));
  EXPECT_EQ(DecodeJson((*eab)["payload"]), signer->jwk());
  auto mac = HmacSha256(*mac_key, AsBytes((*eab)["protected"].get<std::string>() + "." +
                                          (*eab)["payload"].get<std::string>()));
  ASSERT_THAT(mac, IsOk());
  EXPECT_EQ((*eab)["signature"], Base64UrlEncode(*mac));
  // Keys given with padding or in standard base64 decode to the same bytes.
  EXPECT_EQ(DecodeEabKey("YWJj+/8="), DecodeEabKey("YWJj-_8"));
  EXPECT_FALSE(DecodeEabKey("").has_value());
}

TEST(JwsTest, KeyAuthorization) { EXPECT_EQ(KeyAuthorization("tok", "thumb"), "tok.thumb"); }

}  // namespace
}  // namespace ctwatch
