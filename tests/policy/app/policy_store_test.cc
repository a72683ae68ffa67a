// The store methods the policy commands add: CommitRescan (certificates, sightings and
// findings without moving the log) and ListNamesUnder (the name index, label-wise).
#include <gtest/gtest.h>
#include <unistd.h>

#include "store/store.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;

Sha256Hash Hash(uint8_t v) {
  Sha256Hash h;
  h.fill(v);
  return h;
}

MatchedEntry Match(uint64_t index, uint8_t id, std::vector<std::string> names,
                   int64_t not_after_ms) {
  MatchedEntry m;
  m.index = index;
  m.timestamp_ms = 1'000'000 + index;
  m.certificate.identity = Hash(id);
  m.certificate.entry_type = "cert";
  m.certificate.issuer_dn = "CN=CA " + std::to_string(id % 2);
  m.certificate.not_before_ms = 0;
  m.certificate.not_after_ms = not_after_ms;
  m.certificate.names = std::move(names);
  m.certificate.der = {1, 2, 3};
  return m;
}

class PolicyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctwatch-policy-store-XXXXXX";
    auto store = OpenSqliteStore({.path = std::string(mkdtemp(tmpl)) + "/ctwatch.db"});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    ASSERT_THAT(store_->EnsureLog({.log_id = Hash(9),
                                   .description = "log",
                                   .api = "rfc6962",
                                   .url = "u",
                                   .list_state = "usable"},
                                  {}),
                IsOk());
  }
  std::unique_ptr<Store> store_;
};

TEST_F(PolicyStoreTest, NamesUnderADomainAreLabelWise) {
  RescanBatch batch{.log_id = Hash(9)};
  batch.matches.push_back(Match(3, 1, {"example.com", "www.example.com"}, 4'000'000'000'000));
  batch.matches.push_back(Match(5, 2, {"*.example.com", "vpn.example.com"}, 1));
  batch.matches.push_back(
      Match(7, 3, {"myexample.com", "example.com.evil.net"}, 4'000'000'000'000));
  ASSERT_THAT(store_->CommitRescan(batch), IsOk());
  auto rows = store_->ListNamesUnder("Example.COM.");
  ASSERT_THAT(rows, IsOk());
  std::vector<std::string> names;
  for (const NameCertificate& r : *rows) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"example.com", "*.example.com", "vpn.example.com",
                                             "www.example.com"}));
  EXPECT_EQ((*rows)[0].first_seen_ms, 1'000'003);
  EXPECT_EQ((*rows)[1].issuer_dn, "CN=CA 0");
}

TEST_F(PolicyStoreTest, RescanStoresFindingsOnceAndLeavesThePosition) {
  const auto before = store_->GetLogProgress(Hash(9));
  ASSERT_THAT(before, IsOk());
  RescanBatch batch{.log_id = Hash(9)};
  MatchedEntry m = Match(42, 1, {"www.example.com"}, 1);
  m.findings.push_back({.kind = "lookalike",
                        .severity = Severity::kHigh,
                        .identity = Hash(1),
                        .names = {"www.example.com"},
                        .detail = "d",
                        .dedup_key = "lookalike:x"});
  batch.matches.push_back(m);
  auto added = store_->CommitRescan(batch);
  ASSERT_THAT(added, IsOk());
  EXPECT_EQ(*added, 1u);
  added = store_->CommitRescan(batch);  // again: nothing new, nothing doubled
  ASSERT_THAT(added, IsOk());
  EXPECT_EQ(*added, 0u);
  auto findings = store_->ListFindings({});
  ASSERT_THAT(findings, IsOk());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].index, 42u);
  auto certs = store_->ListCertificates({.name = "www.example.com"});
  ASSERT_THAT(certs, IsOk());
  ASSERT_EQ(certs->size(), 1u);
  ASSERT_EQ((*certs)[0].sightings.size(), 1u);
  EXPECT_TRUE((*certs)[0].sightings[0].verified);
  const auto after = store_->GetLogProgress(Hash(9));
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ((*after)->position, (*before)->position);
}

}  // namespace
}  // namespace ctwatch
