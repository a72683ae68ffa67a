#include "policy/watch_list.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

CertNames Dns(std::vector<std::string> names) { return CertNames{.dns_names = std::move(names)}; }

WatchList Make(std::vector<std::string> domains) {
  auto w = WatchList::Create(domains);
  EXPECT_THAT(w, IsOk());
  return std::move(w).value();
}

TEST(WatchListTest, CoversDomainAndSubdomainsLabelWise) {
  const WatchList w = Make({"example.com"});
  EXPECT_TRUE(w.Concerns(Dns({"example.com"})));
  EXPECT_TRUE(w.Concerns(Dns({"a.b.example.com"})));
  EXPECT_FALSE(w.Concerns(Dns({"myexample.com"})));
  EXPECT_FALSE(w.Concerns(Dns({"example.com.evil.net"})));
  EXPECT_FALSE(w.Concerns(Dns({"com"})));
}

TEST(WatchListTest, CaseAndTrailingDotInsensitive) {
  const WatchList w = Make({"Example.COM."});
  EXPECT_TRUE(w.Concerns(Dns({"WWW.EXAMPLE.com."})));
  EXPECT_EQ(w.CoveringDomain("Www.Example.Com"), "example.com");
}

TEST(WatchListTest, WildcardsMatchNamesBelowThem) {
  const WatchList w = Make({"shop.example.com"});
  EXPECT_TRUE(w.Concerns(Dns({"*.example.com"})));   // covers shop.example.com itself
  EXPECT_TRUE(w.Concerns(Dns({"*.shop.example.com"})));
  EXPECT_FALSE(w.Concerns(Dns({"*.com"})));          // covers example.com, not shop.example.com
  EXPECT_FALSE(w.Concerns(Dns({"*.other.com"})));
}

TEST(WatchListTest, IdnDomainsMatchTheirALabels) {
  const WatchList w = Make({"bücher.example"});
  EXPECT_TRUE(w.Concerns(Dns({"www.xn--bcher-kva.example"})));
  const WatchList ascii = Make({"xn--bcher-kva.example"});
  // A CN in UTF-8 is compared in its A-label form.
  EXPECT_TRUE(ascii.Concerns(CertNames{.common_names = {"shop.bücher.example"}}));
}

TEST(WatchListTest, CommonNamesAndIpsCount) {
  const WatchList w = Make({"example.org"});
  EXPECT_TRUE(w.Concerns(CertNames{.common_names = {"mail.example.org"}}));
  EXPECT_FALSE(w.Concerns(CertNames{.ip_addresses = {"192.0.2.1"}}));
}

TEST(WatchListTest, RejectsInvalidDomains) {
  EXPECT_THAT(WatchList::Create({"*.example.com"}), IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(WatchList::Create({""}), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST(WatchListTest, JudgeNamesTheOwnedNamesOnce) {
  const WatchList w = Make({"example.com"});
  CertFacts f;
  f.identity.fill(7);
  f.names = CertNames{.dns_names = {"www.example.com", "other.net"}, .common_names = {"www.example.com"}};
  f.issuer_dn = "CN=Test CA";
  auto findings = w.Judge(f);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, "owned_certificate");
  EXPECT_EQ(findings[0].names, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(findings[0].identity, f.identity);
  f.names = Dns({"other.net"});
  EXPECT_TRUE(w.Judge(f).empty());
}

}  // namespace
}  // namespace ctwatch
