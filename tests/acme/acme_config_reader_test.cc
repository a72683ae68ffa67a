// The [acme] section of the config file (src/app/acme_config_reader.cc), through LoadConfig.
// Built as acme_app_test (it links ctwatch_app).
#include <gtest/gtest.h>

#include "app/config.h"
#include "core/file.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsOk;

class AcmeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::ctwatch::testing::MakeTempDir("acme-config"); }
  Result<Config> Load(const std::string& acme) {
    const std::string path = dir_ + "/ctwatch.toml";
    EXPECT_THAT(WriteFileAtomic(path, "[logs]\nlist = \"list.json\"\n" + acme), IsOk());
    return LoadConfig(path);
  }
  std::string dir_;
};

TEST_F(AcmeConfigTest, NoSectionMeansNoCa) {
  auto c = Load("");
  ASSERT_THAT(c, IsOk());
  EXPECT_FALSE(c->acme.enabled());
  EXPECT_EQ(c->acme.storage, dir_ + "/acme");
}

TEST_F(AcmeConfigTest, FullSection) {
  auto c = Load(R"(
[acme]
storage = "state/acme"
contact = ["ops@example.com", "mailto:sec@example.com"]
account_key_type = "ec384"
validation_timeout = "2m"
[acme.http01]
listen = "0.0.0.0"
port = 8402
[acme.tls_alpn01]
port = 8443
[acme.dns01]
exec = "hooks/dns.sh"
propagation_wait = "30s"
[[acme.ca]]
name = "le"
directory = "https://acme-v02.api.letsencrypt.org/directory"
profile = "tlsserver"
[[acme.ca]]
name = "zerossl"
directory = "https://acme.zerossl.com/v2/DV90"
eab_kid = "kid"
eab_hmac_key = "a2V5"
ca_file = "zerossl.pem"
[[acme.certificate]]
name = "www"
domains = ["Example.com", "*.example.com"]
challenge = "dns-01"
key_type = "rsa3072"
reuse_key = true
deploy_hook = "systemctl reload nginx"
ca = "zerossl"
[[acme.certificate]]
name = "ip"
domains = ["192.0.2.1"]
)");
  ASSERT_THAT(c, IsOk());
  const AcmeConfig& a = c->acme;
  EXPECT_EQ(a.storage, dir_ + "/state/acme");
  EXPECT_EQ(a.contact,
            (std::vector<std::string>{"mailto:ops@example.com", "mailto:sec@example.com"}));
  EXPECT_EQ(a.account_key_type, KeyType::kEcdsaP384);
  EXPECT_EQ(a.validation_timeout_ms, 120'000);
  EXPECT_EQ(a.http01.listen_address, "0.0.0.0");
  EXPECT_EQ(a.http01.port, 8402);
  EXPECT_EQ(a.tls_alpn01.port, 8443);
  EXPECT_EQ(a.dns01.exec, dir_ + "/hooks/dns.sh");
  EXPECT_EQ(a.dns01.propagation_wait_ms, 30'000);
  ASSERT_EQ(a.cas.size(), 2u);
  EXPECT_EQ(a.cas[0].profile, "tlsserver");
  EXPECT_EQ(a.cas[1].ca_file, dir_ + "/zerossl.pem");
  ASSERT_EQ(a.certificates.size(), 2u);
  EXPECT_EQ(a.certificates[0].key_type, KeyType::kRsa3072);
  EXPECT_TRUE(a.certificates[0].reuse_key);
  EXPECT_EQ(a.certificates[0].ca, "zerossl");
  EXPECT_EQ(a.certificates[1].challenge, "http-01");
  EXPECT_EQ(a.FindCertificate("ip")->domains, std::vector<std::string>{"192.0.2.1"});
}

TEST_F(AcmeConfigTest, MistakesAreReportedWithTheKey) {
  const std::string ca = "[[acme.ca]]\nname = \"le\"\ndirectory = \"https://ca.example/dir\"\n";
  EXPECT_THAT(Load(ca + "[[acme.certificate]]\nname = \"w\"\ndomains = [\"*.example.com\"]\n"),
              IsError(ErrorCode::kInvalidArgument, "need dns-01"));
  EXPECT_THAT(Load(ca + "[acme.dns01]\nexec = \"/bin/true\"\n[[acme.certificate]]\nname = \"w\"\n"
                        "domains = [\"192.0.2.1\"]\nchallenge = \"dns-01\"\n"),
              IsError(ErrorCode::kInvalidArgument, "need http-01 or tls-alpn-01"));
  EXPECT_THAT(Load(ca + "[[acme.certificate]]\nname = \"w\"\ndomains = [\"a.example\"]\nchallenge "
                        "= \"dns-01\"\n"),
              IsError(ErrorCode::kInvalidArgument, "[acme.dns01] exec or [acme.dns01.rfc2136]"));
  EXPECT_THAT(Load(ca + "[[acme.certificate]]\nname = \"../w\"\ndomains = [\"a.example\"]\n"),
              IsError(ErrorCode::kInvalidArgument, "acme.certificate.name"));
  EXPECT_THAT(Load(ca + "[[acme.certificate]]\nname = \"w\"\ndomains = [\"bad_name.example\"]\n"),
              IsError(ErrorCode::kInvalidArgument, "acme.certificate.domains"));
  EXPECT_THAT(
      Load(ca + "[[acme.certificate]]\nname = \"w\"\ndomains = [\"a.example\"]\nca = \"nope\"\n"),
      IsError(ErrorCode::kInvalidArgument, "no [[acme.ca]] named"));
  EXPECT_THAT(Load(ca + "[[acme.certificate]]\nname = \"w\"\ndomains = [\"a.example\"]\nkey_type = "
                        "\"rsa1024\"\n"),
              IsError(ErrorCode::kInvalidArgument, "key_type"));
  EXPECT_THAT(
      Load(ca +
           "[[acme.certificate]]\nname = \"w\"\ndomains = [\"a.example\"]\ncolour = \"red\"\n"),
      IsError(ErrorCode::kInvalidArgument, "unknown key"));
  EXPECT_THAT(Load("[[acme.ca]]\nname = \"le\"\ndirectory = \"http://ca.example/dir\"\n"),
              IsError(ErrorCode::kInvalidArgument, "must be https://"));
  EXPECT_THAT(Load("[[acme.ca]]\nname = \"le\"\ndirectory = \"http://localhost.example/dir\"\n"),
              IsError(ErrorCode::kInvalidArgument, "must be https://"));
  EXPECT_THAT(Load("[[acme.ca]]\nname = \"le\"\ndirectory = \"http://127.0.0.1:14000/dir\"\n"),
              IsOk());
  EXPECT_THAT(Load("[[acme.ca]]\nname = \"le\"\ndirectory = \"https://x/dir\"\neab_kid = \"k\"\n"),
              IsError(ErrorCode::kInvalidArgument, "go together"));
  EXPECT_THAT(Load(ca + ca), IsError(ErrorCode::kInvalidArgument, "two CAs"));
  EXPECT_THAT(Load("[acme]\ncontact = [\"not an address\"]\n"),
              IsError(ErrorCode::kInvalidArgument, "not an e-mail address"));
  EXPECT_THAT(Load("[[acme.certificate]]\nname = \"w\"\ndomains = [\"a.example\"]\n"),
              IsError(ErrorCode::kInvalidArgument, "at least one [[acme.ca]]"));
}

TEST_F(AcmeConfigTest, RenewalLimitsStagingAndRfc2136) {
  ASSERT_THAT(WriteFileAtomic(dir_ + "/tsig.key",
                              "key \"ctwatch-key\" {\n\talgorithm hmac-sha256;\n"
                              "\tsecret \"65fJXtYbI7f5AcQzkvChCB6INGj/75ibLILfgD7uMLo=\";\n};\n"),
              IsOk());
  auto c = Load(R"(
[acme.renewal]
concurrency = 16
check_interval = "10m"
fallback_after_failures = 2
finding_after_failures = 4
[acme.dns01]
propagation_timeout = "90s"
propagation_interval = "500ms"
[acme.dns01.rfc2136]
server = "127.0.0.1:5353"
resolver = "[::1]:53"
key_file = "tsig.key"
zone = "example.com"
nameserver_port = 5353
ttl = 30
[[acme.ca]]
name = "le"
directory = "https://acme-v02.api.letsencrypt.org/directory"
staging_directory = "https://acme-staging-v02.api.letsencrypt.org/directory"
[acme.ca.limits]
certificates_per_name_set = 3
certificates_per_domain = 0
orders_window = "1h"
[[acme.certificate]]
name = "www"
domains = ["*.example.com"]
challenge = "dns-01"
)");
  ASSERT_THAT(c, IsOk());
  const AcmeConfig& a = c->acme;
  EXPECT_EQ(a.renewal.concurrency, 16);
  EXPECT_EQ(a.renewal.check_interval_ms, 600'000);
  EXPECT_EQ(a.renewal.fallback_after_failures, 2);
  EXPECT_EQ(a.renewal.finding_after_failures, 4);
  EXPECT_EQ(a.dns01.propagation_timeout_ms, 90'000);
  EXPECT_EQ(a.dns01.propagation_interval_ms, 500);
  EXPECT_EQ(a.dns01.rfc2136.server, "127.0.0.1:5353");
  EXPECT_EQ(a.dns01.rfc2136.key_name, "ctwatch-key");
  EXPECT_EQ(a.dns01.rfc2136.key_secret, "65fJXtYbI7f5AcQzkvChCB6INGj/75ibLILfgD7uMLo=");
  EXPECT_EQ(a.dns01.rfc2136.nameserver_port, 5353);
  EXPECT_EQ(a.dns01.rfc2136.ttl_s, 30);
  EXPECT_TRUE(a.dns01.enabled());
  EXPECT_EQ(a.cas[0].staging_directory_url,
            "https://acme-staging-v02.api.letsencrypt.org/directory");
  EXPECT_EQ(a.cas[0].limits.certificates_per_name_set, 3);
  EXPECT_EQ(a.cas[0].limits.certificates_per_domain, 0);
  EXPECT_EQ(a.cas[0].limits.orders_window_ms, 3'600'000);
  EXPECT_EQ(a.cas[0].limits.orders_per_account, 300);  // Let's Encrypt's default
  EXPECT_EQ(a.cas[0].limits.failed_validations_per_name, 5);

  // Defaults without the sections.
  auto d = Load("[[acme.ca]]\nname = \"le\"\ndirectory = \"https://ca.example/dir\"\n");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->acme.renewal.concurrency, 8);
  EXPECT_EQ(d->acme.cas[0].limits.certificates_per_name_set, 5);
  EXPECT_EQ(d->acme.cas[0].limits.certificates_window_ms, 7 * 86'400'000LL);
}

TEST_F(AcmeConfigTest, Rfc2136MistakesNeverShowTheSecret) {
  const std::string ca = "[[acme.ca]]\nname = \"le\"\ndirectory = \"https://ca.example/dir\"\n";
  EXPECT_THAT(Load("[acme.dns01.rfc2136]\nkey_name = \"k\"\nkey_secret = \"a2V5\"\n"),
              IsError(ErrorCode::kInvalidArgument, "acme.dns01.rfc2136.server"));
  EXPECT_THAT(Load("[acme.dns01]\nexec = \"/bin/true\"\n[acme.dns01.rfc2136]\nserver = "
                   "\"127.0.0.1\"\nkey_name = \"k\"\nkey_secret = \"a2V5\"\n"),
              IsError(ErrorCode::kInvalidArgument, "not both"));
  auto bad = Load("[acme.dns01.rfc2136]\nserver = \"127.0.0.1\"\nkey_name = \"k\"\n"
                  "key_secret = \"s3cr3t!!\"\n");
  ASSERT_THAT(bad, IsError(ErrorCode::kInvalidArgument, "not base64"));
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);
  EXPECT_THAT(Load("[acme.dns01.rfc2136]\nserver = \"127.0.0.1\"\nkey_name = \"k\"\n"
                   "key_secret = \"a2V5\"\nkey_algorithm = \"hmac-md5\"\n"),
              IsError(ErrorCode::kInvalidArgument, "only hmac-sha256"));
  EXPECT_THAT(Load("[acme.dns01.rfc2136]\nserver = \"127.0.0.1:99999\"\nkey_name = \"k\"\n"
                   "key_secret = \"a2V5\"\n"),
              IsError(ErrorCode::kInvalidArgument, "host[:port]"));
  EXPECT_THAT(Load(ca + "[acme.ca.limits]\ncertificates_per_name_set = -1\n"),
              IsError(ErrorCode::kInvalidArgument, "acme.ca.limits.certificates_per_name_set"));
  EXPECT_THAT(Load(ca + "[acme.ca.limits]\nper_fortnight = 3\n"),
              IsError(ErrorCode::kInvalidArgument, "unknown key"));
  EXPECT_THAT(Load(ca + "staging_directory = \"http://ca.example/dir\"\n"),
              IsError(ErrorCode::kInvalidArgument, "staging_directory"));
  EXPECT_THAT(Load("[acme.renewal]\nconcurrency = 0\n"),
              IsError(ErrorCode::kInvalidArgument, "acme.renewal.concurrency"));
}

}  // namespace
}  // namespace ctwatch
