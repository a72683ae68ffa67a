// Keys, CSRs, key files, the TLS-ALPN-01 validation certificate and the file layout.
#include "acme/keys.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>

#include "acme/certificate_files.h"
#include "acme/challenge_solver.h"
#include "acme/deploy_hook.h"
#include "acme/tls_alpn_solver.h"
#include "core/file.h"
#include "core/sha256.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

std::string TempDir() { return ::ctwatch::testing::MakeTempDir("acme-keys"); }

unsigned Mode(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(KeysTest, EveryKeyTypeRoundTripsThroughPem) {
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa2048}) {
    auto key = GenerateKey(type);
    ASSERT_THAT(key, IsOk());
    auto kt = KeyTypeOf(key->get());
    ASSERT_THAT(kt, IsOk());
    EXPECT_EQ(*kt, type);
    auto pem = PrivateKeyToPem(key->get());
    ASSERT_THAT(pem, IsOk());
    EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
    auto back = PrivateKeyFromPem(*pem);
    ASSERT_THAT(back, IsOk());
    EXPECT_TRUE(SamePublicKey(back->get(), key->get()));
  }
  EXPECT_EQ(ParseKeyType("ecdsa-p384"), KeyType::kEcdsaP384);
  EXPECT_EQ(ParseKeyType("rsa4096"), KeyType::kRsa4096);
  EXPECT_FALSE(ParseKeyType("rsa1024").has_value());
}

TEST(KeysTest, KeyFilesAre0600AndReused) {
  const std::string dir = TempDir();
  const std::string path = dir + "/sub/account.key";
  bool created = false;
  auto first = LoadOrCreateKeyFile(path, KeyType::kEcdsaP256, &created);
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(created);
  EXPECT_EQ(Mode(path), 0600u);
  EXPECT_EQ(Mode(dir + "/sub"), 0700u);
  auto second = LoadOrCreateKeyFile(path, KeyType::kRsa2048, &created);
  ASSERT_THAT(second, IsOk());
  EXPECT_FALSE(created);
  EXPECT_TRUE(SamePublicKey(first->get(), second->get()));
  EXPECT_THAT(ReadPrivateKeyFile(dir + "/missing.key"), IsErrorCode(ErrorCode::kNotFound));
}

TEST(KeysTest, CsrCarriesEveryNameInTheSan) {
  auto key = GenerateKey(KeyType::kEcdsaP256);
  ASSERT_THAT(key, IsOk());
  auto der = MakeCsr(key->get(), {"a.test", "*.b.test"}, {"127.0.0.1", "2001:db8::1"});
  ASSERT_THAT(der, IsOk());
  const unsigned char* p = der->data();
  X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(der->size()));
  ASSERT_NE(req, nullptr);
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req);
  EXPECT_EQ(X509_REQ_verify(req, pub), 1);
  EXPECT_TRUE(SamePublicKey(pub, key->get()));
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  auto* names =
      static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  std::vector<std::string> got;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      got.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)));
    } else if (gn->type == GEN_IPADD) {
      got.push_back("ip/" + std::to_string(ASN1_STRING_length(gn->d.iPAddress)));
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a.test", "*.b.test", "ip/4", "ip/16"}));
  GENERAL_NAMES_free(names);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_free(req);
  EXPECT_THAT(MakeCsr(key->get(), {}, {}), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(MakeCsr(key->get(), {}, {"not-an-ip"}), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST(TlsAlpnTest, ValidationCertificateFollowsRfc8737) {
  auto made = MakeTlsAlpnCertificate({"dns", "a.test"}, "token.thumb");
  ASSERT_THAT(made, IsOk());
  X509* cert = made->certificate.get();
  const int index = X509_get_ext_by_OBJ(cert, OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1), -1);
  ASSERT_GE(index, 0);
  X509_EXTENSION* ext = X509_get_ext(cert, index);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext), 1);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  const Sha256Hash digest = Sha256(AsBytes("token.thumb"));
  Bytes expected = {0x04, 0x20};
  expected.insert(expected.end(), digest.begin(), digest.end());
  EXPECT_EQ(
      Bytes(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value)),
      expected);
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 0)->type, GEN_DNS);
  GENERAL_NAMES_free(names);
  EXPECT_EQ(X509_verify(cert, made->key.get()), 1);

  EXPECT_EQ(ReverseDnsName("127.0.0.1"), "1.0.0.127.in-addr.arpa");
  EXPECT_EQ(ReverseDnsName("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_THAT(MakeTlsAlpnCertificate({"ip", "127.0.0.1"}, "x"), IsOk());
}

TEST(Dns01Test, RecordNameAndValue) {
  EXPECT_EQ(Dns01RecordName("*.example.com"), "_acme-challenge.example.com.");
  EXPECT_EQ(Dns01RecordName("example.com"), "_acme-challenge.example.com.");
  // RFC 8555 §8.4: base64url(SHA-256(keyAuthorization)), 43 characters.
  EXPECT_EQ(Dns01RecordValue("token.thumb").size(), 43u);
}

TEST(CertificateFilesTest, InstallKeepsHistoryAndSwapsLiveAtomically) {
  const std::string root = TempDir();
  CertificateFiles files(root);
  auto v1 = files.Install("web", {"CERT1\n", "CHAIN\n", "KEY1\n"});
  ASSERT_THAT(v1, IsOk());
  EXPECT_EQ(*v1, root + "/archive/web/1");
  EXPECT_EQ(*ReadFile(root + "/live/web/fullchain.pem"), "CERT1\nCHAIN\n");
  EXPECT_EQ(Mode(root + "/archive/web/1/privkey.pem"), 0600u);
  EXPECT_EQ(Mode(root + "/archive/web"), 0700u);
  EXPECT_TRUE(std::filesystem::is_symlink(root + "/live/web"));
  // The same certificate again (a resumed order) reuses its version.
  auto again = files.Install("web", {"CERT1\n", "CHAIN\n", "KEY1\n"});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *v1);
  auto v2 = files.Install("web", {"CERT2\n", "CHAIN\n", "KEY2\n"});
  ASSERT_THAT(v2, IsOk());
  EXPECT_EQ(*v2, root + "/archive/web/2");
  EXPECT_EQ(*ReadFile(root + "/live/web/cert.pem"), "CERT2\n");
  EXPECT_EQ(*ReadFile(root + "/live/web/privkey.pem"), "KEY2\n");
  EXPECT_EQ(*ReadFile(root + "/archive/web/1/cert.pem"), "CERT1\n");  // history kept
  EXPECT_THAT(files.Install("../evil", {"C", "", "K"}), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(IsValidLineageName(".hidden"));
  EXPECT_FALSE(IsValidLineageName("a/b"));
  EXPECT_TRUE(IsValidLineageName("www.example.com"));
}

TEST(CertificateFilesTest, LockIsExclusive) {
  const std::string root = TempDir();
  auto first = FileLock::Acquire(root + "/locks/x.lock", 0);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(FileLock::Acquire(root + "/locks/x.lock", 100),
              IsErrorCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(FileLock::Acquire(root + "/locks/y.lock", 0), IsOk());
}

TEST(DeployHookTest, EnvironmentNamesTheFiles) {
  DeployInfo info;
  info.name = "web";
  info.live_dir = "/srv/acme/live/web";
  info.domains = {"a.test", "b.test"};
  info.serial_hex = "0abc";
  const auto env = DeployEnvironment(info);
  auto get = [&](const std::string& k) {
    for (const auto& [key, value] : env) {
      if (key == k) return value;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(get("CTWATCH_KEY_PATH"), "/srv/acme/live/web/privkey.pem");
  EXPECT_EQ(get("CTWATCH_FULLCHAIN_PATH"), "/srv/acme/live/web/fullchain.pem");
  EXPECT_EQ(get("CTWATCH_DOMAINS"), "a.test b.test");
  EXPECT_EQ(get("RENEWED_LINEAGE"), "/srv/acme/live/web");
  EXPECT_EQ(get("CTWATCH_RENEWAL"), "0");
}

}  // namespace
}  // namespace ctwatch
