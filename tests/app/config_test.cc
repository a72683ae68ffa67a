#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/file.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsOk;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctwatch-config-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  std::string Write(const std::string& text) {
    const std::string path = dir_ + "/ctwatch.toml";
    EXPECT_THAT(WriteFileAtomic(path, text), IsOk());
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigTest, ShippedExampleLoads) {
  auto c = LoadConfig(std::string(CTWATCH_SOURCE_DIR) + "/config/ctwatch.toml");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->logs.tailing.poll_interval_ms, 60'000);
  EXPECT_EQ(c->logs.tailing.start.kind, StartPosition::Kind::kEnd);
  EXPECT_TRUE(FileExists(c->logs.fallback_list)) << c->logs.fallback_list;
  EXPECT_TRUE(FileExists(c->logs.list_key)) << c->logs.list_key;
  EXPECT_EQ(c->policy.domains, std::vector<std::string>{"example.com"});
  EXPECT_TRUE(c->policy.internal.builtin);
  EXPECT_TRUE(c->policy.lookalike.enabled);
}

TEST_F(ConfigTest, ValuesAndRelativePaths) {
  auto c = LoadConfig(Write(R"(
[service]
database = "db/x.db"
[logs]
list = "list.json"
start = 1234
poll_interval = "5m"
parallel_fetches = 4
requests_per_second = 2.5
[[logs.override]]
log = "Some Log"
start = "beginning"
batch_size = 32
[policy]
domains = ["example.com", "Bücher.example"]
)"));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->database, dir_ + "/db/x.db");
  EXPECT_EQ(c->logs.list, dir_ + "/list.json");
  EXPECT_EQ(c->logs.tailing.start.kind, StartPosition::Kind::kIndex);
  EXPECT_EQ(c->logs.tailing.start.index, 1234u);
  EXPECT_EQ(c->logs.tailing.poll_interval_ms, 300'000);
  EXPECT_EQ(c->logs.tailing.parallel_fetches, 4);
  EXPECT_DOUBLE_EQ(c->logs.tailing.requests_per_second, 2.5);
  bool disabled = true;
  TailingOptions t = TailingFor(c->logs, "Some Log", "", &disabled);
  EXPECT_FALSE(disabled);
  EXPECT_EQ(t.start.kind, StartPosition::Kind::kBeginning);
  EXPECT_EQ(t.batch_size, 32);
  EXPECT_EQ(TailingFor(c->logs, "Other", "", &disabled).batch_size, 256);
}

TEST_F(ConfigTest, ErrorsNameFileLineAndKey) {
  const std::string path = Write("[logs]\nlist = \"x\"\npoll_interval = \"soon\"\n");
  EXPECT_THAT(LoadConfig(path), IsError(ErrorCode::kInvalidArgument, path + ":3:17: logs.poll_interval"));
}

TEST_F(ConfigTest, UnknownKeysAreErrors) {
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\npol_interval = \"5m\"\n")),
              IsError(ErrorCode::kInvalidArgument, ":3:1: logs.pol_interval: unknown key"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\n[wacht]\n")),
              IsError(ErrorCode::kInvalidArgument, "wacht: unknown key"));
}

TEST_F(ConfigTest, SyntaxErrorsCarryPosition) {
  EXPECT_THAT(LoadConfig(Write("[logs\nlist = 1\n")),
              IsError(ErrorCode::kInvalidArgument, "ctwatch.toml:1:"));
}

TEST_F(ConfigTest, BadValuesAreRejected) {
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\nstart = \"middle\"\n")),
              IsError(ErrorCode::kInvalidArgument, "logs.start"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\nparallel_fetches = 0\n")),
              IsError(ErrorCode::kInvalidArgument, "logs.parallel_fetches: must be between 1 and 32"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\n[policy]\ndomains = [\"*.example.com\"]\n")),
              IsError(ErrorCode::kInvalidArgument, "policy.domains"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"x\"\n[watch]\ndomains = [\"example.com\"]\n")),
              IsError(ErrorCode::kInvalidArgument, "watch: moved"));
  EXPECT_THAT(LoadConfig(Write("[service]\nlog_level = \"loud\"\n[logs]\nlist = \"x\"\n")),
              IsError(ErrorCode::kInvalidArgument, "service.log_level"));
  EXPECT_THAT(LoadConfig(Write("[service]\n")), IsError(ErrorCode::kInvalidArgument, "[logs]"));
  EXPECT_THAT(LoadConfig(dir_ + "/missing.toml"), IsError(ErrorCode::kNotFound, "missing.toml"));
}

TEST(DurationTest, Units) {
  EXPECT_EQ(ParseDurationMs("250ms"), 250);
  EXPECT_EQ(ParseDurationMs("90s"), 90'000);
  EXPECT_EQ(ParseDurationMs("90"), 90'000);
  EXPECT_EQ(ParseDurationMs("6h"), 21'600'000);
  EXPECT_EQ(ParseDurationMs("1d"), 86'400'000);
  EXPECT_FALSE(ParseDurationMs("1w").has_value());
  EXPECT_FALSE(ParseDurationMs("s").has_value());
  EXPECT_FALSE(ParseDurationMs("-5s").has_value());
}

// [[policy.authorization]] (docs/policy.md "Key authorizations"): names are normalised, keys
// take the same forms as [[policy.issuer]], and errors point at the key.
TEST_F(ConfigTest, PolicyAuthorizations) {
  const std::string key = "sha256:ab" + std::string(62, '5');
  auto c = LoadConfig(Write(R"(
[logs]
list = "l.json"
[policy]
domains = ["example.com"]
[[policy.authorization]]
label = "cdn"
spki_sha256 = ")" + key + R"("
names = ["WWW.Example.com", "*.img.example.com", ".static.example.com", "192.0.2.10", "2001:DB8::1"]
[[policy.authorization]]
spki_sha256 = ")" + std::string(64, 'c') + R"("
names = ["bücher.example.com"]
)"));
  ASSERT_THAT(c, IsOk());
  ASSERT_EQ(c->policy.authorizations.size(), 2u);
  const IssuanceAuthorization& a = c->policy.authorizations[0];
  EXPECT_EQ(a.label, "cdn");
  // The "sha256:" prefix goes, the hex digits a, b and 5 after it stay.
  EXPECT_EQ(a.spki_sha256[0], 0xab);
  EXPECT_EQ(a.spki_sha256[31], 0x55);
  EXPECT_EQ(a.names, (std::vector<std::string>{"www.example.com", "*.img.example.com",
                                               ".static.example.com", "192.0.2.10",
                                               "2001:db8::1"}));
  EXPECT_EQ(c->policy.authorizations[1].label, "key cccccccccccccccc");
  EXPECT_EQ(c->policy.authorizations[1].names,
            std::vector<std::string>{"xn--bcher-kva.example.com"});

  EXPECT_THAT(LoadConfig(Write(R"([logs]
list = "l.json"
[policy]
[[policy.authorization]]
spki_sha256 = "12ab"
names = ["www.example.com"]
)")),
              IsError(ErrorCode::kInvalidArgument, "policy.authorization.spki_sha256"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"l.json\"\n[policy]\n[[policy.authorization]]\nspki_sha256 = \"" +
                               std::string(64, 'a') + "\"\nnames = [\"a..b\"]\n")),
              IsError(ErrorCode::kInvalidArgument, "policy.authorization.names"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"l.json\"\n[policy]\n[[policy.authorization]]\nspki_sha256 = \"" +
                               std::string(64, 'a') + "\"\nnames = [\"w*.example.com\"]\n")),
              IsError(ErrorCode::kInvalidArgument, "is not a name"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"l.json\"\n[policy]\n[[policy.authorization]]\nspki_sha256 = \"" +
                               std::string(64, 'a') + "\"\nnames = []\n")),
              IsError(ErrorCode::kInvalidArgument, "required: the names"));
  EXPECT_THAT(LoadConfig(Write("[logs]\nlist = \"l.json\"\n[policy]\n[[policy.authorization]]\nspki_sha256 = \"" +
                               std::string(64, 'a') + "\"\nnames = [\"x.example.com\"]\n"
                               "colour = 1\n")),
              IsError(ErrorCode::kInvalidArgument, "colour"));
}

}  // namespace
}  // namespace ctwatch
