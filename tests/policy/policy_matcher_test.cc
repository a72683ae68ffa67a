// PolicyMatcher: what Concerns() lets through and which findings Judge() returns, with their
// severities and dedup keys.
#include "policy/policy_matcher.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/encoding.h"
#include "policy/policy_test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::Compile;
using ::ctwatch::testing::DnsNames;
using ::ctwatch::testing::IsError;

Sha256Hash Key(uint8_t fill) {
  Sha256Hash h;
  h.fill(fill);
  return h;
}

PolicyConfig IssuerPolicy() {
  PolicyConfig c = ::ctwatch::testing::TestPolicyConfig();
  c.allowed_issuers = {{.label = "Our CA", .spki_sha256 = Key(1)},
                       {.label = "Backup CA", .spki_sha256 = Key(2)}};
  return c;
}

CertFacts Facts(std::vector<std::string> dns, std::optional<Sha256Hash> issuer = Key(1)) {
  CertFacts f;
  f.identity = Key(7);
  f.names.dns_names = std::move(dns);
  f.issuer_dn = "CN=Some CA";
  f.issuer_key_hash = issuer;
  return f;
}

std::vector<FindingDraft> OfKind(const std::vector<FindingDraft>& all, const std::string& kind) {
  std::vector<FindingDraft> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const FindingDraft& f) { return f.kind == kind; });
  return out;
}

TEST(PolicyMatcherTest, OwnedCertificateAsBefore) {
  const auto p = Compile(IssuerPolicy());
  CertFacts f = Facts({"www.example.com", "other.net"});
  f.names.common_names = {"www.example.com"};
  const auto findings = p->Judge(f);
  const auto owned = OfKind(findings, "owned_certificate");
  ASSERT_EQ(owned.size(), 1u);
  EXPECT_EQ(owned[0].names, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(owned[0].dedup_key, "owned_certificate:" + HexEncode(Key(7)));
  EXPECT_EQ(owned[0].severity, Severity::kInfo);
  EXPECT_TRUE(p->Judge(Facts({"other.net"})).empty());
}

TEST(PolicyMatcherTest, UnexpectedIssuerPerOwnedName) {
  const auto p = Compile(IssuerPolicy());
  EXPECT_TRUE(OfKind(p->Judge(Facts({"www.example.com"}, Key(2))), "unexpected_issuer").empty());
  const auto foreign =
      OfKind(p->Judge(Facts({"www.example.com", "api.examplebank.net", "x.org"}, Key(9))),
             "unexpected_issuer");
  ASSERT_EQ(foreign.size(), 2u);
  EXPECT_EQ(foreign[0].severity, Severity::kHigh);
  EXPECT_EQ(foreign[0].names, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(foreign[0].dedup_key, "unexpected_issuer:" + HexEncode(Key(7)) + ":www.example.com");
  EXPECT_NE(foreign[0].detail.find("sha256:" + HexEncode(Key(9))), std::string::npos)
      << foreign[0].detail;
  EXPECT_NE(foreign[0].detail.find("not trusted"), std::string::npos);
  EXPECT_NE(foreign[0].detail.find("Our CA, Backup CA"), std::string::npos);
  const auto unknown =
      OfKind(p->Judge(Facts({"www.example.com"}, std::nullopt)), "unexpected_issuer");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].severity, Severity::kMedium);
  // Without allowed issuers, issuers are not checked.
  EXPECT_TRUE(OfKind(Compile(::ctwatch::testing::TestPolicyConfig())
                         ->Judge(Facts({"www.example.com"}, Key(9))),
                     "unexpected_issuer")
                  .empty());
}

TEST(PolicyMatcherTest, InternalNamesUnderOwnedDomains) {
  const auto p = Compile(IssuerPolicy());
  const auto internal = OfKind(
      p->Judge(Facts({"jenkins.example.com", "www.example.com", "10-0-3-17.examplebank.net"})),
      "internal_name_exposed");
  ASSERT_EQ(internal.size(), 2u);
  EXPECT_EQ(internal[0].names, std::vector<std::string>{"jenkins.example.com"});
  EXPECT_NE(internal[0].detail.find("internal label jenkins"), std::string::npos);
  EXPECT_EQ(internal[1].names, std::vector<std::string>{"10-0-3-17.examplebank.net"});
  EXPECT_EQ(internal[0].severity, Severity::kMedium);
}

TEST(PolicyMatcherTest, NonPublicNamesBesideAnOwnedName) {
  const auto p = Compile(IssuerPolicy());
  CertFacts f =
      Facts({"www.example.com", "jenkins.corp", "localhost", "intranet.home.arpa", "other.net"});
  f.names.ip_addresses = {"10.0.0.5", "8.8.8.8"};
  const auto internal = OfKind(p->Judge(f), "internal_name_exposed");
  std::vector<std::string> names;
  for (const auto& x : internal) names.push_back(x.names[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"jenkins.corp", "localhost", "intranet.home.arpa",
                                             "10.0.0.5"}));
  // Without an owned name the same non-public names are none of our business.
  EXPECT_FALSE(p->Concerns(DnsNames({"jenkins.corp", "localhost"})));
  EXPECT_TRUE(p->Judge(Facts({"jenkins.corp", "localhost"})).empty());
}

TEST(PolicyMatcherTest, LookalikeFindings) {
  const auto p = Compile(IssuerPolicy());
  const auto findings =
      p->Judge(Facts({"examp1ebank.net", "www.examp1ebank.net", "unrelated.org"}, Key(9)));
  EXPECT_TRUE(OfKind(findings, "unexpected_issuer").empty());  // no owned name
  const auto look = OfKind(findings, "lookalike");
  ASSERT_EQ(look.size(), 2u);
  EXPECT_EQ(look[0].detail, "examp1ebank.net looks like examplebank.net: homoglyph 1→l");
  EXPECT_EQ(look[0].severity, Severity::kHigh);
  EXPECT_EQ(look[0].dedup_key, "lookalike:" + HexEncode(Key(7)) + ":examp1ebank.net");
  EXPECT_EQ(look[1].dedup_key, "lookalike:" + HexEncode(Key(7)) + ":www.examp1ebank.net");
  const auto typo = OfKind(p->Judge(Facts({"exmplebank.net"})), "lookalike");
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_EQ(typo[0].severity, Severity::kMedium);
}

TEST(PolicyMatcherTest, PrecertAndCertificateGiveTheSameKeys) {
  const auto p = Compile(IssuerPolicy());
  CertFacts precert = Facts({"www.example.com", "jenkins.example.com", "examp1ebank.net"}, Key(9));
  precert.entry_type = EntryType::kPrecert;
  CertFacts cert = precert;
  cert.entry_type = EntryType::kCert;
  cert.names.common_names = {"www.example.com"};  // the CN repeats a SAN
  auto keys = [](const std::vector<FindingDraft>& fs) {
    std::vector<std::string> k;
    for (const auto& f : fs) k.push_back(f.dedup_key);
    return k;
  };
  const auto a = keys(p->Judge(precert));
  EXPECT_EQ(a, keys(p->Judge(cert)));
  std::vector<std::string> unique = a;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end()) << "one finding per key";
  EXPECT_EQ(a.size(), 5u);  // owned_certificate, 2 x unexpected_issuer, internal, lookalike
}

TEST(PolicyMatcherTest, ConcernsOwnedAndLookalikesOnly) {
  const auto p = Compile(IssuerPolicy());
  EXPECT_TRUE(p->Concerns(DnsNames({"a.example.com"})));
  EXPECT_TRUE(p->Concerns(CertNames{.common_names = {"WWW.EXAMPLE.COM."}}));
  EXPECT_TRUE(p->Concerns(DnsNames({"examplebank-login.com"})));
  EXPECT_FALSE(p->Concerns(DnsNames({"www.wikipedia.org", "cdn.jsdelivr.net"})));
  EXPECT_FALSE(p->Concerns(CertNames{.ip_addresses = {"10.0.0.1"}}));
  EXPECT_FALSE(p->Concerns(CertNames{.common_names = {"Example Bank Server"}}));
}

TEST(PolicyMatcherTest, ExclusionsAreNotOurs) {
  PolicyConfig c = IssuerPolicy();
  c.exclude = {"customers.example.com"};
  const auto p = Compile(c);
  EXPECT_FALSE(p->Concerns(DnsNames({"shop1.customers.example.com"})));
  EXPECT_TRUE(p->Judge(Facts({"shop1.customers.example.com"}, Key(9))).empty());
  EXPECT_FALSE(p->Lookalike("examp1e.customers.example.com").has_value());
}

TEST(PolicyMatcherTest, InvalidPoliciesNameTheEntry) {
  PolicyConfig c;
  c.domains = {"exa mple.com"};
  EXPECT_THAT(PolicyMatcher::Create(c), IsError(ErrorCode::kInvalidArgument, "exa mple.com"));
  c.domains = {"example.com"};
  c.lookalike.brands = {"co.uk"};
  EXPECT_THAT(PolicyMatcher::Create(c), IsError(ErrorCode::kInvalidArgument, "co.uk"));
  c.lookalike.brands = {};
  c.lookalike.keywords = {"log in"};
  EXPECT_THAT(PolicyMatcher::Create(c), IsError(ErrorCode::kInvalidArgument, "log in"));
}

}  // namespace
}  // namespace ctwatch
