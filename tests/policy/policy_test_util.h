// Shared by the policy tests: a compiled test policy and short ways to ask it things.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "policy/policy_matcher.h"
#include "test_util.h"

namespace ctwatch::testing {

// Owns examplebank.net and example.com (so "examplebank" and "example" are brands), protects
// "contoso" and "scope" as extra brands, allows example-partner.net.
inline PolicyConfig TestPolicyConfig() {
  PolicyConfig c;
  c.domains = {"examplebank.net", "example.com"};
  c.lookalike.brands = {"contoso", "scope.org"};
  c.lookalike.allow = {"examplebank-partner.com"};
  return c;
}

inline std::shared_ptr<const PolicyMatcher> Compile(const PolicyConfig& config) {
  auto m = PolicyMatcher::Create(config);
  EXPECT_TRUE(m.has_value()) << (m.has_value() ? "" : m.error().ToString());
  return m.has_value() ? m.value() : nullptr;
}

inline const PolicyMatcher& TestPolicy() {
  static const std::shared_ptr<const PolicyMatcher> m = Compile(TestPolicyConfig());
  return *m;
}

inline CertNames DnsNames(std::vector<std::string> names) {
  return CertNames{.dns_names = std::move(names)};
}

}  // namespace ctwatch::testing
