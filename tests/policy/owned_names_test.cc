#include "policy/owned_names.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

OwnedNames Make(OwnedNames::Spec spec) {
  auto o = OwnedNames::Create(spec);
  EXPECT_THAT(o, IsOk());
  return std::move(o).value();
}

NameClass Class(const OwnedNames& o, std::string_view raw) {
  const std::optional<std::string> n = CanonicalDnsName(raw);
  EXPECT_TRUE(n.has_value()) << raw;
  return n ? o.Classify(*n).name_class : NameClass::kForeign;
}

TEST(OwnedNamesTest, CoversDomainAndSubdomainsLabelWise) {
  const OwnedNames o = Make({.domains = {"examplebank.net"}});
  EXPECT_EQ(Class(o, "examplebank.net"), NameClass::kOwned);
  EXPECT_EQ(Class(o, "a.b.examplebank.net"), NameClass::kOwned);
  EXPECT_EQ(Class(o, "myexamplebank.net"), NameClass::kForeign);  // label-boundary trap
  EXPECT_EQ(Class(o, "examplebank.net.evil.com"), NameClass::kForeign);
  EXPECT_EQ(Class(o, "net"), NameClass::kForeign);
}

TEST(OwnedNamesTest, CaseAndTrailingDotInsensitive) {
  const OwnedNames o = Make({.domains = {"Example.COM."}});
  EXPECT_EQ(Class(o, "WWW.EXAMPLE.com."), NameClass::kOwned);
  EXPECT_EQ(o.Classify("www.example.com").entry, "example.com");
}

TEST(OwnedNamesTest, WildcardsMatchNamesBelowThem) {
  const OwnedNames o = Make({.domains = {"shop.example.com"}});
  EXPECT_EQ(Class(o, "*.example.com"), NameClass::kOwned);  // covers shop.example.com itself
  EXPECT_EQ(Class(o, "*.shop.example.com"), NameClass::kOwned);
  EXPECT_NE(Class(o, "*.com"), NameClass::kOwned);
  EXPECT_EQ(Class(o, "*.other.com"), NameClass::kForeign);
}

TEST(OwnedNamesTest, IdnDomainsMatchTheirALabels) {
  const OwnedNames o = Make({.domains = {"bücher.example"}});
  EXPECT_EQ(Class(o, "www.xn--bcher-kva.example"), NameClass::kOwned);
  const OwnedNames ascii = Make({.domains = {"xn--bcher-kva.example"}});
  EXPECT_EQ(Class(ascii, "shop.bücher.example"), NameClass::kOwned);
}

TEST(OwnedNamesTest, ExactNamesAndExclusions) {
  const OwnedNames o = Make({.domains = {"example.com"},
                             .names = {"api.partner.example.com", "status.example.org"},
                             .exclude = {"partner.example.com"}});
  EXPECT_EQ(Class(o, "partner.example.com"), NameClass::kExcluded);
  EXPECT_EQ(Class(o, "x.partner.example.com"), NameClass::kExcluded);
  EXPECT_EQ(Class(o, "api.partner.example.com"), NameClass::kOwned);  // explicit beats excluded
  EXPECT_EQ(Class(o, "status.example.org"), NameClass::kOwned);
  EXPECT_EQ(Class(o, "www.status.example.org"), NameClass::kHome);  // not ours, not a look-alike
  EXPECT_EQ(Class(o, "*.example.org"), NameClass::kOwned);          // covers status.example.org
  EXPECT_EQ(Class(o, "www.example.org"), NameClass::kHome);
}

TEST(OwnedNamesTest, AllowlistIsHome) {
  const OwnedNames o = Make({.domains = {"example.com"}, .allow = {"example-partner.net"}});
  EXPECT_EQ(Class(o, "login.example-partner.net"), NameClass::kHome);
}

TEST(OwnedNamesTest, RejectsInvalidEntries) {
  EXPECT_THAT(OwnedNames::Create({.domains = {"*.example.com"}}),
              IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(OwnedNames::Create({.domains = {""}}), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(OwnedNames::Create({.exclude = {"bad name"}}),
              IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST(CanonicalDnsNameTest, Forms) {
  EXPECT_EQ(CanonicalDnsName("WWW.Bücher.Example."), "www.xn--bcher-kva.example");
  EXPECT_EQ(CanonicalDnsName("*.Example.com"), "*.example.com");
  EXPECT_FALSE(CanonicalDnsName("Example Server").has_value());
  EXPECT_FALSE(CanonicalDnsName("").has_value());
}

}  // namespace
}  // namespace ctwatch
