// The [policy] section: every key, defaults, and errors that name file, line and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include "app/config.h"
#include "app/policy_run_file.h"
#include "core/encoding.h"
#include "core/file.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsOk;

class PolicyConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctwatch-policy-config-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  Result<Config> Load(const std::string& policy) {
    path_ = dir_ + "/ctwatch.toml";
    EXPECT_THAT(WriteFileAtomic(path_, "[logs]\nlist = \"x.json\"\n" + policy), IsOk());
    return LoadConfig(path_);
  }
  std::string dir_, path_;
};

TEST_F(PolicyConfigTest, FullExample) {
  auto c = Load(R"([policy]
domains = ["examplebank.net", "Bücher.example"]
names = ["status.example.org"]
exclude = ["customers.examplebank.net"]

[[policy.issuer]]
label = "Our CA"
spki_sha256 = "01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01"
[[policy.issuer]]
label = "Backup CA"
spki_sha256 = "0202020202020202020202020202020202020202020202020202020202020202"

[policy.internal]
builtin = true
extra_labels = ["bastion"]
ignore_labels = ["dev"]
extra_suffixes = ["corp.examplebank.net"]
patterns = ['^build-[0-9]+\.']

[policy.lookalike]
enabled = true
brands_from_domains = true
brands = ["contoso", "fabrikam.com"]
keywords = ["login", "secure"]
extra_keywords = ["kundenportal"]
allow = ["examplebank-partner.com"]
min_brand_length = 5
min_fuzzy_length = 6
)");
  ASSERT_THAT(c, IsOk());
  const PolicyConfig& p = c->policy;
  EXPECT_EQ(p.domains, (std::vector<std::string>{"examplebank.net", "Bücher.example"}));
  EXPECT_EQ(p.names, std::vector<std::string>{"status.example.org"});
  EXPECT_EQ(p.exclude, std::vector<std::string>{"customers.examplebank.net"});
  ASSERT_EQ(p.allowed_issuers.size(), 2u);
  EXPECT_EQ(p.allowed_issuers[0].label, "Our CA");
  EXPECT_EQ(p.allowed_issuers[0].spki_sha256[31], 1);
  EXPECT_EQ(p.allowed_issuers[1].spki_sha256[0], 2);
  EXPECT_EQ(p.internal.extra_labels, std::vector<std::string>{"bastion"});
  EXPECT_EQ(p.internal.ignore_labels, std::vector<std::string>{"dev"});
  EXPECT_EQ(p.internal.patterns, std::vector<std::string>{"^build-[0-9]+\\."});
  EXPECT_EQ(p.lookalike.brands.size(), 2u);
  EXPECT_EQ(p.lookalike.keywords.size(), 2u);
  EXPECT_EQ(p.lookalike.allow, std::vector<std::string>{"examplebank-partner.com"});
  EXPECT_EQ(p.lookalike.min_brand_length, 5);
  EXPECT_EQ(p.lookalike.min_fuzzy_length, 6);
}

TEST_F(PolicyConfigTest, DefaultsWithoutASection) {
  auto c = Load("");
  ASSERT_THAT(c, IsOk());
  EXPECT_TRUE(c->policy.domains.empty());
  EXPECT_TRUE(c->policy.internal.builtin);
  EXPECT_TRUE(c->policy.lookalike.enabled);
  EXPECT_EQ(c->policy.lookalike.min_brand_length, 4);
}

TEST_F(PolicyConfigTest, ErrorsNameFileLineAndKey) {
  struct Bad {
    std::string toml;
    std::string expected;
  };
  const std::vector<Bad> cases = {
      {"[policy]\ndomains = [\"ok.com\", \"bad name.com\"]\n",
       ":4:22: policy.domains: owned domain \"bad name.com\""},
      {"[policy]\nnames = [\"*.x.com\"]\n", ":4:10: policy.names"},
      {"[policy]\nexclude = [\"\"]\n", ":4:12: policy.exclude"},
      {"[policy]\ndomain = [\"x.com\"]\n", ":4:1: policy.domain: unknown key"},
      {"[[policy.issuer]]\nspki_sha256 = \"00\"\n", "policy.issuer.label: required"},
      {"[[policy.issuer]]\nlabel = \"x\"\nspki_sha256 = \"00\"\n",
       ":5:15: policy.issuer.spki_sha256"},
      {"[[policy.issuer]]\nlabel = \"x\"\nspki_sha256 = \"" + std::string(64, 'a') +
           "\"\nspki = 1\n",
       "policy.issuer.spki: unknown key"},
      {"[policy.internal]\npatterns = [\"ok\", \"(bad\"]\n",
       ":4:19: policy.internal.patterns: pattern \"(bad\""},
      {"[policy.internal]\nbuiltin = \"yes\"\n",
       ":4:11: policy.internal.builtin: expected true or false"},
      {"[policy.internal]\nextra_labels = [\"a b\"]\n", "policy.internal.extra_labels"},
      {"[policy.internal]\nextra_suffixes = [\".corp\"]\n", "policy.internal.extra_suffixes"},
      {"[policy.lookalike]\nbrands = [\"co.uk\"]\n",
       ":4:11: policy.lookalike.brands: brand \"co.uk\" is a public suffix"},
      {"[policy.lookalike]\nbrands = [\"ab\"]\n", "policy.lookalike.brands"},
      {"[policy.lookalike]\nkeywords = [\"log in\"]\n", "policy.lookalike.keywords"},
      {"[policy.lookalike]\nallow = [\"*.x.com\"]\n", "policy.lookalike.allow"},
      {"[policy.lookalike]\nmin_fuzzy_length = 1\n",
       "policy.lookalike.min_fuzzy_length: must be between 3 and 63"},
      {"[policy.lookalike]\nfuzzy = true\n", "policy.lookalike.fuzzy: unknown key"},
      {"[policy]\ninternal = 3\n", "policy.internal: expected a table"},
  };
  for (const Bad& b : cases) {
    EXPECT_THAT(Load(b.toml), IsError(ErrorCode::kInvalidArgument, b.expected)) << b.toml;
  }
  // The file name leads every message.
  EXPECT_THAT(Load("[policy]\nnames = [\"*.x.com\"]\n"),
              IsError(ErrorCode::kInvalidArgument, path_ + ":4:"));
}

TEST_F(PolicyConfigTest, TheOldWatchSectionPointsToPolicy) {
  EXPECT_THAT(Load("[watch]\ndomains = [\"example.com\"]\n"),
              IsError(ErrorCode::kInvalidArgument,
                      "watch: moved: the owned domains are now [policy] domains"));
}

TEST_F(PolicyConfigTest, RunFileAndReloadStatus) {
  const std::string db = dir_ + "/ctwatch.db";
  EXPECT_THAT(FindRunningInstance(db), ::ctwatch::testing::IsErrorCode(ErrorCode::kNotFound));
  {
    auto pid_file = RunPidFile::Create(db, "ctwatch.toml");
    ASSERT_THAT(pid_file, IsOk());
    // This test binary is not a "ctwatch" process unless its name says so; check the file itself.
    auto text = ReadFile(RunPidFilePath(db));
    ASSERT_THAT(text, IsOk());
    EXPECT_EQ(text->substr(0, text->find('\n')), std::to_string(getpid()));
  }
  EXPECT_FALSE(FileExists(RunPidFilePath(db))) << "removed when run stops";
  EXPECT_FALSE(ReadReloadStatus(db).has_value());
  ASSERT_THAT(WriteReloadStatus(db, {.generation = 42, .ok = false, .message = "bad\npattern"}),
              IsOk());
  auto status = ReadReloadStatus(db);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->generation, 42u);
  EXPECT_FALSE(status->ok);
  EXPECT_EQ(status->message, "bad pattern");
}

}  // namespace
}  // namespace ctwatch
