// DNS-01 through RFC 2136 dynamic updates with TSIG against a real BIND 9 named on loopback
// (bind_harness.h): records added, found by the zone's authoritative servers, CNAME-delegated
// _acme-challenge names followed, records removed, a wrong key refused; then pebble resolving
// through that named issues a certificate with a wildcard and a delegated name.
#include <gtest/gtest.h>

#include "acme/acme_engine.h"
#include "acme/dns_message.h"
#include "acme/dns_transport.h"
#include "acme/rfc2136_solver.h"
#include "bind_harness.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::BindServer;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

BindServer* SharedBind() {
  static std::unique_ptr<BindServer> server = [] {
    auto started = BindServer::Start({{"example.test",
                                       "_acme-challenge.alias IN CNAME alias.delegated.test.\n"
                                       "www IN A 127.0.0.1\n"},
                                      {"delegated.test", ""}});
    if (!started.has_value()) {
      ADD_FAILURE() << "cannot start named: " << started.error().ToString();
      return std::unique_ptr<BindServer>();
    }
    return std::move(started).value();
  }();
  return server.get();
}

Dns01Config Rfc2136Config(const BindServer& bind) {
  Dns01Config c;
  c.rfc2136.server = bind.address();
  c.rfc2136.key_name = bind.key_name();
  c.rfc2136.key_secret = bind.key_secret();
  c.rfc2136.nameserver_port = bind.port();
  c.rfc2136.timeout_ms = 2'000;
  c.propagation_timeout_ms = 10'000;
  c.propagation_interval_ms = 50;
  return c;
}

// The TXT values at `name` as named serves them.
std::vector<std::string> Txt(const BindServer& bind, const std::string& name) {
  std::vector<std::string> out;
  auto answer = DnsExchange({"127.0.0.1", bind.port()},
                            dns::BuildQuery(9, name, dns::kTypeTxt, false), 2'000);
  if (!answer.has_value()) return out;
  auto m = dns::ParseMessage(*answer);
  if (!m.has_value()) return out;
  for (const auto& rr : m->answers) {
    if (rr.type == dns::kTypeTxt && rr.name == name) out.push_back(rr.txt.at(0));
  }
  return out;
}

ChallengeTask Task(const std::string& name, const std::string& key_authorization,
                   bool wildcard = false) {
  return {"dns-01", {"dns", name}, wildcard, "token", key_authorization};
}

TEST(Rfc2136Test, AddsChecksAndRemovesRecords) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  auto solver = Dns01Rfc2136Solver::Create(Rfc2136Config(*bind));
  ASSERT_THAT(solver, IsOk());
  const ChallengeTask a = Task("www.example.test", "token-a.thumb");
  const ChallengeTask b = Task("www.example.test", "token-b.thumb", true);
  ASSERT_THAT((*solver)->Present(a), IsOk());
  ASSERT_THAT((*solver)->Present(b), IsOk());
  auto values = Txt(*bind, "_acme-challenge.www.example.test");
  EXPECT_EQ(values.size(), 2u);  // added, not replaced
  EXPECT_THAT((*solver)->Settle({a, b}), IsOk());
  ASSERT_THAT((*solver)->CleanUp(a), IsOk());
  EXPECT_EQ(Txt(*bind, "_acme-challenge.www.example.test"),
            std::vector<std::string>{Dns01RecordValue("token-b.thumb")});
  ASSERT_THAT((*solver)->CleanUp(b), IsOk());
  ASSERT_THAT((*solver)->CleanUp(b), IsOk());  // idempotent
  EXPECT_TRUE(Txt(*bind, "_acme-challenge.www.example.test").empty());
}

TEST(Rfc2136Test, FollowsACnameToAnotherZone) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  auto solver = Dns01Rfc2136Solver::Create(Rfc2136Config(*bind));
  ASSERT_THAT(solver, IsOk());
  auto target = (*solver)->Locate("_acme-challenge.alias.example.test.");
  ASSERT_THAT(target, IsOk());
  EXPECT_EQ(target->name, "alias.delegated.test");
  EXPECT_EQ(target->zone, "delegated.test");
  auto plain = (*solver)->Locate("_acme-challenge.deep.www.example.test");
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(plain->zone, "example.test");
  const ChallengeTask t = Task("alias.example.test", "token-c.thumb");
  ASSERT_THAT((*solver)->Present(t), IsOk());
  EXPECT_EQ(Txt(*bind, "alias.delegated.test"),
            std::vector<std::string>{Dns01RecordValue("token-c.thumb")});
  EXPECT_THAT((*solver)->Settle({t}), IsOk());
  ASSERT_THAT((*solver)->CleanUp(t), IsOk());
  EXPECT_TRUE(Txt(*bind, "alias.delegated.test").empty());
}

TEST(Rfc2136Test, ConfiguredZoneAndUnknownZone) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  Dns01Config config = Rfc2136Config(*bind);
  config.rfc2136.zone = "example.test.";
  auto solver = Dns01Rfc2136Solver::Create(config);
  ASSERT_THAT(solver, IsOk());
  EXPECT_EQ((*solver)->Locate("_acme-challenge.x.example.test")->zone, "example.test");
  EXPECT_THAT((*solver)->Locate("_acme-challenge.www.nosuchzone.test"),
              IsErrorCode(ErrorCode::kNotFound));
}

TEST(Rfc2136Test, WrongKeyIsRefusedAndTheSecretNeverShows) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  Dns01Config config = Rfc2136Config(*bind);
  config.rfc2136.key_secret = "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1rZXk=";
  auto solver = Dns01Rfc2136Solver::Create(config);
  ASSERT_THAT(solver, IsOk());
  auto r = (*solver)->Present(Task("www.example.test", "token-d.thumb"));
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kVerification));
  EXPECT_NE(r.error().message.find("BADSIG"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(config.rfc2136.key_secret), std::string::npos);
  EXPECT_TRUE(Txt(*bind, "_acme-challenge.www.example.test").empty());
  // An unknown key name: BADKEY.
  config = Rfc2136Config(*bind);
  config.rfc2136.key_name = "nosuch-key";
  auto other = Dns01Rfc2136Solver::Create(config);
  auto r2 = (*other)->Present(Task("www.example.test", "token-d.thumb"));
  ASSERT_FALSE(r2.has_value());
  EXPECT_NE(r2.error().message.find("BADKEY"), std::string::npos) << r2.error().message;
}

TEST(Rfc2136Test, PropagationCheckHasADeadline) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  Dns01Config config = Rfc2136Config(*bind);
  config.propagation_timeout_ms = 300;
  auto solver = Dns01Rfc2136Solver::Create(config);
  ASSERT_THAT(solver, IsOk());
  // Never presented: the authoritative server never serves it.
  auto r = (*solver)->Settle({Task("www.example.test", "token-never.thumb")});
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kTimeout));
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(bind->port())), std::string::npos)
      << r.error().message;
}

TEST(Rfc2136Test, PebbleIssuesAWildcardThroughBind) {
  BindServer* bind = SharedBind();
  ASSERT_NE(bind, nullptr);
  auto* pebble = ::ctwatch::testing::SharedPebble({.dns_server = bind->address()});
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("rfc2136");
  AcmeConfig config = ::ctwatch::testing::PebbleAcmeConfig(*pebble, dir);
  config.dns01 = Rfc2136Config(*bind);
  auto engine = AcmeEngine::Open(config, dir + "/ctwatch.db");
  ASSERT_THAT(engine, IsOk());
  AcmeCertificateConfig cert;
  cert.name = "bind";
  cert.domains = {"*.example.test", "example.test", "alias.example.test"};
  cert.challenge = "dns-01";
  auto r = (*engine)->Issue(cert);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->certificate.names,
            (std::vector<std::string>{"*.example.test", "alias.example.test", "example.test"}));
  // Every record was removed again.
  EXPECT_TRUE(Txt(*bind, "_acme-challenge.example.test").empty());
  EXPECT_TRUE(Txt(*bind, "alias.delegated.test").empty());
}

}  // namespace
}  // namespace ctwatch
