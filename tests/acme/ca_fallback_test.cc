// Several CAs against two real pebbles: the first CA unreachable → the certificate comes from the
// second; rate limiting at the first (the ledger) → the second; a certificate pinned to one CA
// never falls back; errors that another CA would not fix do not fall back; and the expected
// issuers list every configured CA with the issuer keys learned from the chains.
#include <gtest/gtest.h>

#include "acme/ca_set.h"
#include "acme/rate_limit_ledger.h"
#include "cert/facts.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::PebbleServer;

class CaFallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    first_ = ::ctwatch::testing::SharedPebble();
    ASSERT_NE(first_, nullptr);
    // Both pebbles check HTTP-01 on the same port, where the engine's responder listens.
    second_ = ::ctwatch::testing::SharedPebble({.instance = 1, .http_port = first_->http_port()});
    ASSERT_NE(second_, nullptr);
    dir_ = ::ctwatch::testing::MakeTempDir("fallback");
    config_ = ::ctwatch::testing::PebbleAcmeConfig(*first_, dir_);
    config_.cas.clear();
  }

  void AddCa(const std::string& name, const std::string& directory, const std::string& ca_file) {
    AcmeCaConfig ca;
    ca.name = name;
    ca.directory_url = directory;
    ca.ca_file = ca_file;
    config_.cas.push_back(ca);
  }

  AcmeEngine* Engine() {
    if (!engine_) {
      auto ledger = RateLimitLedger::Open(dir_ + "/ctwatch.db", config_);
      EXPECT_THAT(ledger, IsOk());
      ledger_ = std::move(*ledger);
      EngineOptions options;
      options.observer = ledger_.get();
      options.client.backoff_base_ms = 1;  // an unreachable CA fails fast
      options.client.backoff_max_ms = 10;
      options.client.request_timeout_ms = 2'000;
      auto engine = AcmeEngine::Open(config_, dir_ + "/ctwatch.db", options);
      EXPECT_THAT(engine, IsOk());
      engine_ = std::move(*engine);
    }
    return engine_.get();
  }

  static AcmeCertificateConfig Cert(const std::string& name) {
    AcmeCertificateConfig c;
    c.name = name;
    c.domains = {name + ".fallback.test"};
    return c;
  }

  PebbleServer* first_ = nullptr;
  PebbleServer* second_ = nullptr;
  std::string dir_;
  AcmeConfig config_;
  std::unique_ptr<RateLimitLedger> ledger_;
  std::unique_ptr<AcmeEngine> engine_;
};

TEST_F(CaFallbackTest, FirstCaUnreachableTheSecondIssues) {
  const std::string down =
      "https://127.0.0.1:" + std::to_string(::ctwatch::testing::UnusedPort()) + "/dir";
  AddCa("down", down, second_->ca_file());
  AddCa("second", second_->directory_url(), second_->ca_file());
  std::vector<FallbackAttempt> attempts;
  auto r = IssueWithFallback(Engine(), Cert("outage"), {}, 0, &attempts);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->certificate.ca, "second");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].ca, "down");
  EXPECT_FALSE(attempts[0].error.empty());
  EXPECT_EQ(attempts[1].ca, "second");
  EXPECT_TRUE(attempts[1].error.empty());
  // The certificate chains to the second pebble.
  auto root = second_->Management("/intermediates/0");
  ASSERT_THAT(root, IsOk());
  auto intermediate = PemCertificatesToDer(*root);
  ASSERT_THAT(intermediate, IsOk());
  auto facts = FactsFromCertificate((*intermediate)[0]);
  ASSERT_THAT(facts, IsOk());

  // Expected issuers: both CAs, with the issuer key learned from the chain for "second".
  auto expected = ExpectedIssuers(Engine()->config(), Engine()->inventory());
  ASSERT_THAT(expected, IsOk());
  ASSERT_EQ(expected->size(), 2u);
  EXPECT_EQ((*expected)[0].ca, "down");
  EXPECT_TRUE((*expected)[0].keys.empty());
  EXPECT_EQ((*expected)[1].ca, "second");
  ASSERT_EQ((*expected)[1].keys.size(), 1u);
  EXPECT_EQ((*expected)[1].keys[0].spki_sha256, facts->spki_sha256);

  // Pinned to the unreachable CA: no fallback.
  AcmeCertificateConfig pinned = Cert("pinned");
  pinned.ca = "down";
  auto failed = IssueWithFallback(Engine(), pinned, {});
  ASSERT_FALSE(failed.has_value());
  EXPECT_TRUE(failed.error().code == ErrorCode::kNetwork ||
              failed.error().code == ErrorCode::kTimeout)
      << failed.error().ToString();
}

TEST_F(CaFallbackTest, RateLimitedAtTheFirstCaUsesTheSecond) {
  AddCa("first", first_->directory_url(), first_->ca_file());
  AddCa("second", second_->directory_url(), second_->ca_file());
  config_.cas[0].limits.certificates_per_name_set = 1;
  auto one = IssueWithFallback(Engine(), Cert("limited"), {});
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(one->certificate.ca, "first");
  std::vector<FallbackAttempt> attempts;
  auto two = IssueWithFallback(Engine(), Cert("limited"), {.replaces_id = one->certificate.id}, 0,
                               &attempts);
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(two->certificate.ca, "second");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_NE(attempts[0].error.find("refused before sending"), std::string::npos);
  // The replacement is recorded across CAs.
  EXPECT_EQ((*Engine()->inventory()->GetCertificate(one->certificate.id))->replaced_by,
            two->certificate.id);
  auto expected = ExpectedIssuers(Engine()->config(), Engine()->inventory());
  ASSERT_THAT(expected, IsOk());
  EXPECT_EQ((*expected)[0].keys.size(), 1u);
  EXPECT_EQ((*expected)[1].keys.size(), 1u);
  EXPECT_NE((*expected)[0].keys[0].spki_sha256, (*expected)[1].keys[0].spki_sha256);
}

TEST_F(CaFallbackTest, ValidationFailuresDoNotFallBack) {
  AddCa("first", first_->directory_url(), first_->ca_file());
  AddCa("second", second_->directory_url(), second_->ca_file());
  config_.http01.port = ::ctwatch::testing::UnusedPort();  // nobody answers pebble's check
  std::vector<FallbackAttempt> attempts;
  auto r = IssueWithFallback(Engine(), Cert("invalid"), {}, 0, &attempts);
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kVerification));
  EXPECT_EQ(attempts.size(), 1u);
}

}  // namespace
}  // namespace ctwatch
