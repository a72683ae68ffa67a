// Problem documents, ACME resources, identifiers, Link headers and renewal arithmetic.
#include "acme/resources.h"

#include <gtest/gtest.h>

#include "acme/acme_client.h"
#include "acme/problem.h"
#include "acme/renewal.h"
#include "core/encoding.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

TEST(ProblemTest, ParsesTypeDetailStatusAndSubproblems) {
  auto p = ParseProblem(R"({
    "type": "urn:ietf:params:acme:error:malformed",
    "detail": "Some of the identifiers requested were rejected",
    "status": 400,
    "subproblems": [
      {"type": "urn:ietf:params:acme:error:malformed",
       "detail": "Invalid underscore in DNS name \"_example.org\"",
       "identifier": {"type": "dns", "value": "_example.org"}},
      {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
       "detail": "This CA will not issue for \"example.net\"",
       "identifier": {"type": "dns", "value": "example.net"}}
    ]})");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->Is("malformed"));
  EXPECT_FALSE(p->Is("badNonce"));
  EXPECT_FALSE(p->Is("malforme"));
  EXPECT_EQ(p->status, 400);
  ASSERT_EQ(p->subproblems.size(), 2u);
  EXPECT_EQ(p->subproblems[1].identifier_value, "example.net");
  EXPECT_NE(p->ToString().find("rejectedIdentifier"), std::string::npos);
  EXPECT_EQ(p->ToString().find("urn:ietf"), std::string::npos);
}

TEST(ProblemTest, RejectsNonProblemsAndBoundsDetail) {
  EXPECT_FALSE(ParseProblem("not json").has_value());
  EXPECT_FALSE(ParseProblem("[]").has_value());
  EXPECT_FALSE(ParseProblem(R"({"detail":"no type"})").has_value());
  auto p = ParseProblem(R"({"type":"urn:ietf:params:acme:error:badNonce","detail":")" +
                        std::string(100000, 'x') + R"(","status":"400"})");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->Is("badNonce"));
  EXPECT_LE(p->detail.size(), 2048u);
  EXPECT_EQ(p->status, 0);  // a string status is ignored
}

TEST(ProblemTest, ErrorCodes) {
  AcmeProblem p;
  p.type = "urn:ietf:params:acme:error:rateLimited";
  EXPECT_EQ(ErrorCodeForProblem(p, 429), ErrorCode::kRateLimited);
  p.type = "urn:ietf:params:acme:error:accountDoesNotExist";
  EXPECT_EQ(ErrorCodeForProblem(p, 400), ErrorCode::kNotFound);
  p.type = "urn:ietf:params:acme:error:serverInternal";
  EXPECT_EQ(ErrorCodeForProblem(p, 503), ErrorCode::kRateLimited);
  EXPECT_EQ(ErrorCodeForProblem(p, 500), ErrorCode::kHttpStatus);
}

TEST(ResourcesTest, DirectoryWithProfilesAndAri) {
  auto d = ParseDirectory(R"({
    "newNonce": "https://ca.test/nonce", "newAccount": "https://ca.test/acct",
    "newOrder": "https://ca.test/order", "revokeCert": "https://ca.test/revoke",
    "keyChange": "https://ca.test/key", "renewalInfo": "https://ca.test/ari",
    "meta": {"termsOfService": "https://ca.test/tos", "externalAccountRequired": true,
             "profiles": {"classic": "90 days", "shortlived": "6 days"}}})");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->renewal_info, "https://ca.test/ari");
  EXPECT_TRUE(d->external_account_required);
  EXPECT_EQ(d->profiles.size(), 2u);
  EXPECT_EQ(d->profiles.at("shortlived"), "6 days");
  EXPECT_THAT(
      ParseDirectory(
          R"({"newNonce":"https://x/n","newAccount":"ftp://x/a","newOrder":"https://x/o"})"),
      IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseDirectory(R"({"newNonce":"https://x/n"})"), IsErrorCode(ErrorCode::kParse));
}

TEST(ResourcesTest, OrderAuthorizationChallenge) {
  auto o = ParseOrder(R"({"status":"valid","expires":"2026-01-01T00:00:00Z",
    "identifiers":[{"type":"dns","value":"a.test"},{"type":"ip","value":"127.0.0.1"}],
    "authorizations":["https://ca.test/authz/1","https://ca.test/authz/2"],
    "finalize":"https://ca.test/finalize/1","certificate":"https://ca.test/cert/1",
    "unknownMember": {"ignored": true}})");
  ASSERT_THAT(o, IsOk());
  EXPECT_EQ(o->identifiers.size(), 2u);
  EXPECT_EQ(o->authorizations.size(), 2u);
  EXPECT_EQ(o->certificate, "https://ca.test/cert/1");
  // Status outside the whitelist, a valid order without certificate, a non-URL.
  EXPECT_FALSE(ParseOrder(R"({"status":"done","finalize":"https://ca.test/f"})").has_value());
  EXPECT_FALSE(ParseOrder(R"({"status":"valid","finalize":"https://ca.test/f"})").has_value());
  EXPECT_FALSE(
      ParseOrder(R"j({"status":"pending","finalize":"javascript:alert(1)"})j").has_value());
  EXPECT_FALSE(
      ParseOrder(R"({"status":"pending","finalize":"https://ca.test/f","authorizations":"x"})")
          .has_value());

  auto a = ParseAuthorization(R"({"status":"pending","identifier":{"type":"dns","value":"w.test"},
    "wildcard":true,"challenges":[
      {"type":"dns-01","url":"https://ca.test/chal/1","status":"pending","token":"abc-_123"},
      {"type":"future-01","url":"https://ca.test/chal/2","status":"pending","something":1}]})");
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->wildcard);
  ASSERT_EQ(a->challenges.size(), 2u);
  EXPECT_EQ(a->challenges[0].token, "abc-_123");
  // A token that could escape a webroot directory is refused.
  EXPECT_FALSE(
      ParseChallenge(
          R"({"type":"http-01","url":"https://ca.test/c","status":"pending","token":"../../etc/passwd"})")
          .has_value());
  auto c =
      ParseChallenge(R"({"type":"http-01","url":"https://ca.test/c","status":"invalid","token":"t",
    "error":{"type":"urn:ietf:params:acme:error:unauthorized","detail":"404"}})");
  ASSERT_THAT(c, IsOk());
  ASSERT_TRUE(c->error.has_value());
  EXPECT_TRUE(c->error->Is("unauthorized"));
}

TEST(ResourcesTest, IdentifiersAreCanonical) {
  auto ids = IdentifiersForNames({"WWW.Example.COM.", "*.example.com", "127.0.0.1",
                                  "2001:DB8:0:0::1", "www.example.com", "bücher.example"});
  ASSERT_THAT(ids, IsOk());
  std::vector<AcmeIdentifier> expected = {{"dns", "*.example.com"},
                                          {"dns", "www.example.com"},
                                          {"dns", "xn--bcher-kva.example"},
                                          {"ip", "127.0.0.1"},
                                          {"ip", "2001:db8::1"}};
  EXPECT_EQ(*ids, expected);
  auto round = IdentifiersFromJson(IdentifiersToJson(*ids));
  ASSERT_THAT(round, IsOk());
  EXPECT_EQ(*round, *ids);
  for (const char* bad : {"", "a..b", "*.*.example.com", "foo.*.example.com", "-a.example.com",
                          "under_score.example.com", "localhost", "a b.example"}) {
    EXPECT_THAT(IdentifiersForNames({bad}), IsErrorCode(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(LinksTest, ParsesRelationsAcrossHeaders) {
  auto links = ParseLinks(
      {R"(<https://ca.test/dir>;rel="index", <https://ca.test/cert/1/alt/1>;rel="alternate")",
       R"(<https://ca.test/cert/1/alt/2>; rel=alternate; title="a, b")",
       R"(<https://ca.test/next>;rel="next alternate")"},
      "alternate");
  EXPECT_EQ(links,
            (std::vector<std::string>{"https://ca.test/cert/1/alt/1",
                                      "https://ca.test/cert/1/alt/2", "https://ca.test/next"}));
  EXPECT_EQ(ParseLinks({R"(<https://ca.test/dir>;rel="index")"}, "up").size(), 0u);
  EXPECT_EQ(ParseLinks({R"(<file:///etc/passwd>;rel="alternate")"}, "alternate").size(), 0u);
}

TEST(RenewalTest, AriCertIdVectorFromRfc9773) {
  const Bytes aki = *HexDecode("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
  auto id = AriCertId(aki, "0087654321");
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(*id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  EXPECT_FALSE(AriCertId({}, "01").has_value());
}

TEST(RenewalTest, OneThirdOrHalfOfTheLifetimeLeft) {
  constexpr int64_t kDay = 86'400'000;
  EXPECT_EQ(RenewalTimeMs(0, 90 * kDay), 60 * kDay);
  EXPECT_EQ(RenewalTimeMs(0, 6 * kDay), 3 * kDay);
  EXPECT_EQ(RenewalTimeMs(0, 45 * kDay), 30 * kDay);
}

}  // namespace
}  // namespace ctwatch
