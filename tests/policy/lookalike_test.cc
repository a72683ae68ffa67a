// Every look-alike technique with positive and negative cases, label-boundary traps, IDN
// homographs in punycode, mixed scripts, wildcards, upper case and trailing dots.
#include <gtest/gtest.h>

#include <cctype>

#include "cert/dns_name.h"
#include "policy/policy_test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::DnsNames;
using ::ctwatch::testing::TestPolicy;

struct Case {
  const char* name;
  const char* technique;
  const char* brand;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name << " (" << c.technique << ")"; }

class TechniqueTest : public ::testing::TestWithParam<Case> {};

// Readable, stable test names: the name under test, e.g. "examp1ebank_net".
std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string out = std::to_string(info.index) + "_";
  for (const char* p = info.param.name; *p != '\0'; ++p) {
    out.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
  }
  return out;
}

TEST_P(TechniqueTest, DetectsAndNamesTheTechnique) {
  const Case& c = GetParam();
  const std::optional<LookalikeMatch> m = TestPolicy().Lookalike(c.name);
  ASSERT_TRUE(m.has_value()) << c.name;
  EXPECT_EQ(m->technique, c.technique) << m->Detail(c.name);
  EXPECT_EQ(m->brand, c.brand) << m->Detail(c.name);
  EXPECT_EQ(m->explanation.rfind(m->technique, 0), 0u)
      << "explanation starts with the technique: " << m->explanation;
  EXPECT_TRUE(TestPolicy().Concerns(DnsNames({c.name}))) << "look-alikes must be stored";
}

INSTANTIATE_TEST_SUITE_P(
    Techniques, TechniqueTest,
    ::testing::Values(
        Case{"examp1ebank.net", "homoglyph", "examplebank.net"},
        Case{"exarnplebank.com", "homoglyph", "examplebank.net"},
        Case{"examp1e-bank.org", "homoglyph", "examplebank.net"},
        Case{"examplebank.com", "tld-swap", "examplebank.net"},
        Case{"examplebank.co.uk", "tld-swap", "examplebank.net"},
        Case{"contoso.xyz", "tld-swap", "contoso"},
        Case{"example-bank.net", "hyphenation", "examplebank.net"},
        Case{"exampleb-ank.com", "hyphenation", "examplebank.net"},
        Case{"exmplebank.net", "omission", "examplebank.net"},
        Case{"contso.com", "omission", "contoso"},
        Case{"exampelbank.net", "transposition", "examplebank.net"},
        Case{"cnotoso.com", "transposition", "contoso"},
        Case{"examplebannk.net", "repetition", "examplebank.net"},
        Case{"conttoso.com", "repetition", "contoso"},
        Case{"exomplebank.net", "vowel-swap", "examplebank.net"},
        Case{"contosa.com", "vowel-swap", "contoso"},
        Case{"examplwbank.net", "replacement", "examplebank.net"},
        Case{"xontoso.com", "replacement", "contoso"},
        Case{"examplebvank.net", "insertion", "examplebank.net"},
        Case{"contoaso.com", "insertion", "contoso"},
        Case{"examplebank7.net", "addition", "examplebank.net"},
        Case{"contoso7.com", "addition", "contoso"},
        Case{"exaoplebank.net", "bitsquatting", "examplebank.net"},
        Case{"contnso.com", "bitsquatting", "contoso"},
        Case{"examplebanks.com", "plural", "examplebank.net"},
        Case{"contosos.net", "plural", "contoso"},
        Case{"exam.plebank.net", "dot-insertion", "examplebank.net"},
        Case{"examplebank-login.com", "combosquat", "examplebank.net"},
        Case{"secure-examplebank.com", "combosquat", "examplebank.net"},
        Case{"examplebanklogin.com", "combosquat", "examplebank.net"},
        Case{"verifycontoso.net", "combosquat", "contoso"},
        Case{"examplebank-net.com", "tld-in-label", "examplebank.net"},
        Case{"examplebanknet.xyz", "tld-in-label", "examplebank.net"},
        Case{"examplebank.net.secure-login.xyz", "brand-in-subdomain", "examplebank.net"},
        Case{"www.examplebank.net-login.online", "brand-in-subdomain", "examplebank.net"},
        Case{"example.com.secure-login.xyz", "brand-in-subdomain", "example.com"},
        Case{"examplebank-login.evil.com", "brand-in-subdomain", "examplebank.net"},
        Case{"contoso.account-verify.top", "brand-in-subdomain", "contoso"},
        // Unicode: punycode IDN homographs, mixed scripts and a whole-script Cyrillic label.
        Case{"xn--exmplebank-0qi.net", "idn-homograph",
             "examplebank.net"},  // exаmplebank (а Cyrillic)
        Case{"xn--exmplebank-r5a.com", "idn-homograph", "examplebank.net"},  // exämplebank
        Case{"xn--ontoso-hrf.com", "idn-homograph", "contoso"},              // сontoso
        Case{"xn--e1argc3h.com", "idn-homograph", "scope.org"},  // ѕсоре, all Cyrillic
        // Upper case, trailing dots and wildcards are normalised first.
        Case{"EXAMP1EBANK.NET.", "homoglyph", "examplebank.net"},
        Case{"*.examp1ebank.net", "homoglyph", "examplebank.net"},
        Case{"*.ExampleBank-Login.com.", "combosquat", "examplebank.net"}),
    CaseName);

TEST(LookalikeTest, DetailExplainsItself) {
  const std::optional<LookalikeMatch> m = TestPolicy().Lookalike("examp1ebank.net");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->Detail("examp1ebank.net"),
            "examp1ebank.net looks like examplebank.net: homoglyph 1→l");
  const auto tld = TestPolicy().Lookalike("examplebank.com");
  ASSERT_TRUE(tld.has_value());
  EXPECT_EQ(tld->explanation, "tld-swap .com→.net");
  const auto idn = TestPolicy().Lookalike("xn--exmplebank-0qi.net");
  ASSERT_TRUE(idn.has_value());
  EXPECT_EQ(idn->Detail("xn--exmplebank-0qi.net"),
            "xn--exmplebank-0qi.net (exаmplebank.net) looks like examplebank.net: idn-homograph "
            "а (U+0430 CYRILLIC SMALL LETTER A)→a; mixed scripts Latin+Cyrillic");
  const auto sub = TestPolicy().Lookalike("examplebank.net.secure-login.xyz");
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(sub->explanation, "brand-in-subdomain: examplebank in front of secure-login.xyz");
}

TEST(LookalikeTest, IdnPunycodeRoundTrip) {
  // The punycode in the cases above is what IDNA makes of the Unicode forms.
  EXPECT_EQ(DomainToAscii("exаmplebank.net"), "xn--exmplebank-0qi.net");
  EXPECT_EQ(DomainToAscii("exämplebank.com"), "xn--exmplebank-r5a.com");
  EXPECT_EQ(DomainToAscii("сontoso.com"), "xn--ontoso-hrf.com");
  EXPECT_EQ(DomainToAscii("ѕсоре.com"), "xn--e1argc3h.com");
}

TEST(LookalikeTest, LabelBoundaryTraps) {
  const PolicyMatcher& p = TestPolicy();
  // Neither owned nor the brand itself: at most a distance-2 typo, never an exact match.
  EXPECT_EQ(p.Classify("myexamplebank.net"), NameClass::kForeign);
  if (auto m = p.Lookalike("myexamplebank.net")) {
    EXPECT_NE(m->technique, "tld-swap");
    EXPECT_NE(m->technique, "homoglyph");
    EXPECT_NE(m->explanation.find("distance 2"), std::string::npos) << m->explanation;
  }
  EXPECT_EQ(p.Classify("examplebank.net.evil.com"), NameClass::kForeign);
  EXPECT_TRUE(p.Lookalike("examplebank.net.evil.com").has_value());
  // Brands inside longer words without separator or keyword are not look-alikes.
  EXPECT_FALSE(p.Lookalike("counterexamples-database.org").has_value());
  EXPECT_FALSE(p.Lookalike("bestcontosoproducts.com").has_value());
  // The brand as a label of the public suffix is not the brand.
  EXPECT_FALSE(p.Lookalike("www.bbc.co.uk").has_value());
}

TEST(LookalikeTest, OwnedHomeAndAllowlistedNamesNeverCount) {
  const PolicyMatcher& p = TestPolicy();
  for (const char* name : {"examplebank.net", "www.examplebank.net", "examp1ebank.examplebank.net",
                           "*.examplebank.net", "EXAMPLE.COM.", "login.examplebank-partner.com"}) {
    EXPECT_FALSE(p.Lookalike(name).has_value()) << name;
  }
  EXPECT_TRUE(p.Concerns(DnsNames({"www.examplebank.net"})));
  EXPECT_FALSE(p.Concerns(DnsNames({"login.examplebank-partner.com"})));
}

TEST(LookalikeTest, UnrelatedNamesAreNotLookalikes) {
  const PolicyMatcher& p = TestPolicy();
  for (const char* name :
       {"www.google.com", "mail.yahoo.co.uk", "samplebox.net", "exchange.contractors.org",
        "bank.net", "banking-portal.com", "cdn.examplary-news.com", "scopes-and-lenses.com.au",
        "telescope.net", "microscope-shop.de", "r3---sn-abc.googlevideo.com",
        "xn--bcher-kva.example", "kontor.se", "consoles.com", "contest.io",
        "api.stage.cloudprovider.net", "localhost", "192.0.2.1"}) {
    const auto m = p.Lookalike(name);
    EXPECT_FALSE(m.has_value()) << m->Detail(name);
    EXPECT_FALSE(p.Concerns(DnsNames({name}))) << name;
  }
}

TEST(LookalikeTest, ShortOwnedLabelsAreNotBrandsUnlessListed) {
  PolicyConfig c;
  c.domains = {"abc.com"};
  auto m = PolicyMatcher::Create(c);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)->brand_count(), 0u);
  ASSERT_EQ((*m)->warnings().size(), 1u);
  EXPECT_NE((*m)->warnings()[0].find("abc"), std::string::npos);
  c.lookalike.brands = {"abc"};
  m = PolicyMatcher::Create(c);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE((*m)->Lookalike("abc.net").has_value());
  EXPECT_FALSE((*m)->Lookalike("abd.net").has_value());  // no edit distance below 5 characters
}

TEST(LookalikeTest, DisabledMeansNoLookalikes) {
  PolicyConfig c = ::ctwatch::testing::TestPolicyConfig();
  c.lookalike.enabled = false;
  auto m = PolicyMatcher::Create(c);
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE((*m)->Lookalike("examp1ebank.net").has_value());
  EXPECT_FALSE((*m)->Concerns(DnsNames({"examp1ebank.net"})));
}

TEST(LookalikeTest, KeywordsCanBeReplaced) {
  PolicyConfig c = ::ctwatch::testing::TestPolicyConfig();
  c.lookalike.keywords = {"kundenportal"};
  auto m = PolicyMatcher::Create(c);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE((*m)->Lookalike("examplebankkundenportal.com").has_value());
  EXPECT_FALSE((*m)->Lookalike("examplebanklogin.com").has_value());
  EXPECT_TRUE((*m)->Lookalike("examplebank-login.com").has_value());  // a hyphen still separates
}

}  // namespace
}  // namespace ctwatch
