// Internal-name rules: the built-in set, overrides, RE2 patterns, and non-public names.
#include "policy/internal_names.h"

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::Compile;
using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsOk;

std::unique_ptr<InternalNameRules> Rules(const InternalNameConfig& c) {
  auto r = InternalNameRules::Create(c);
  EXPECT_THAT(r, IsOk());
  return r.has_value() ? std::move(r).value() : nullptr;
}

TEST(InternalNamesTest, BuiltinLabelsAsWholeLabelsOrHyphenatedParts) {
  const auto r = Rules({});
  EXPECT_EQ(r->Match("jenkins", "jenkins.example.com"),
            std::vector<std::string>{"internal label jenkins"});
  EXPECT_FALSE(r->Match("vpn2", "").empty());
  EXPECT_FALSE(r->Match("dev-api", "").empty());
  EXPECT_FALSE(r->Match("api.staging", "").empty());
  EXPECT_FALSE(r->Match("grafana.ops", "").empty());
  EXPECT_TRUE(r->Match("devices", "").empty());
  EXPECT_TRUE(r->Match("www", "").empty());
  EXPECT_TRUE(r->Match("advantage", "").empty());
  EXPECT_TRUE(r->Match("", "").empty());
}

TEST(InternalNamesTest, NumberedHostsAndPrivateAddressLabels) {
  const auto r = Rules({});
  EXPECT_FALSE(r->Match("db01.prod", "").empty());
  EXPECT_FALSE(r->Match("dc-2", "").empty());
  EXPECT_FALSE(r->Match("10-0-3-17", "").empty());
  EXPECT_FALSE(r->Match("ip-192-168-1-20.eu", "").empty());
  EXPECT_FALSE(r->Match("172-20-0-1", "").empty());
  EXPECT_TRUE(r->Match("172-32-0-1", "").empty());  // not private
  EXPECT_TRUE(r->Match("8-8-8-8", "").empty());
  EXPECT_TRUE(r->Match("dbadmin-tools", "").empty());  // "db" without a number
}

TEST(InternalNamesTest, OverridesAndPatterns) {
  InternalNameConfig c;
  c.ignore_labels = {"dev"};
  c.extra_labels = {"bastion2x"};
  c.patterns = {"^build-[0-9]+\\.", "\\.lab\\.example\\.com$"};
  const auto r = Rules(c);
  EXPECT_TRUE(r->Match("dev", "dev.example.com").empty());
  EXPECT_FALSE(r->Match("bastion2x", "").empty());
  EXPECT_EQ(r->Match("build-7", "build-7.example.com"),
            std::vector<std::string>{"pattern ^build-[0-9]+\\."});
  EXPECT_FALSE(r->Match("x", "x.lab.example.com").empty());

  InternalNameConfig none;
  none.builtin = false;
  EXPECT_TRUE(Rules(none)->Match("jenkins", "jenkins.example.com").empty());
  EXPECT_EQ(Rules(none)->rule_count(), 0u);
}

TEST(InternalNamesTest, BadPatternsAreErrors) {
  InternalNameConfig c;
  c.patterns = {"(unclosed"};
  EXPECT_THAT(InternalNameRules::Create(c), IsError(ErrorCode::kInvalidArgument, "(unclosed"));
  InternalNameConfig bad_label;
  bad_label.extra_labels = {"no spaces"};
  EXPECT_THAT(InternalNameRules::Create(bad_label),
              IsError(ErrorCode::kInvalidArgument, "no spaces"));
}

TEST(InternalNamesTest, NonPublicNames) {
  InternalNameConfig c;
  c.extra_suffixes = {"corp.example.net"};
  const auto r = Rules(c);
  for (const char* n : {"localhost", "exchange01", "jenkins.corp", "nas.home.arpa", "printer.local",
                        "*.cluster.internal", "x.corp.example.net", "server.lan", "10.1.2.3",
                        "192.168.0.1", "fd00::1", "fe80::1", "::1", "app.unknowntld"}) {
    EXPECT_TRUE(r->IsNonPublic(n)) << n;
  }
  for (const char* n : {"www.example.com", "example.co.uk", "8.8.8.8", "2001:db8::1",
                        "foo.github.io", "*.example.org"}) {
    EXPECT_FALSE(r->IsNonPublic(n)) << n;
  }
}

TEST(InternalNamesTest, TheOwnedDomainItselfIsNotTheHostPart) {
  PolicyConfig c;
  c.domains = {"example-corp.com", "dev.example.org"};
  const auto p = Compile(c);
  EXPECT_TRUE(p->InternalRules("www.example-corp.com").empty());
  EXPECT_TRUE(p->InternalRules("dev.example.org").empty());
  EXPECT_TRUE(p->InternalRules("www.dev.example.org").empty());
  EXPECT_FALSE(p->InternalRules("jenkins.dev.example.org").empty());
  EXPECT_FALSE(p->InternalRules("vpn.example-corp.com").empty());
}

}  // namespace
}  // namespace ctwatch
