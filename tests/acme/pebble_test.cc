// The ACME engine against the real pebble 2.4.0 + pebble-challtestsrv on 127.0.0.1: every
// challenge type, wildcards, IP identifiers, several names, EAB, key rollover, revocation,
// alternate chains, a badNonce storm, renewal history, key reuse and parallel orders.
// Each test uses its own account, database and storage; pebbles are shared per option set.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "acme/acme_engine.h"
#include "acme/keys.h"
#include "core/encoding.h"
#include "core/file.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::MakeTempDir;
using ::ctwatch::testing::PebbleAcmeConfig;
using ::ctwatch::testing::PebbleOptions;
using ::ctwatch::testing::PebbleServer;
using ::ctwatch::testing::SharedPebble;

unsigned Mode(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

std::vector<X509Ptr> PemCerts(const std::string& pem) {
  std::vector<X509Ptr> out;
  auto ders = PemCertificatesToDer(pem);
  if (!ders.has_value()) return out;
  for (const Bytes& der : *ders) {
    const unsigned char* p = der.data();
    out.emplace_back(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  }
  return out;
}

std::string CommonName(X509_NAME* name) {
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
  return buf;
}

// Verifies live/<name>/fullchain.pem up to `root_pem` (the only trust anchor).
::testing::AssertionResult ChainVerifies(const std::string& live_dir, const std::string& root_pem) {
  std::vector<X509Ptr> roots = PemCerts(root_pem);
  std::vector<X509Ptr> chain = PemCerts(*ReadFile(live_dir + "/fullchain.pem"));
  if (roots.empty() || chain.size() < 2) return ::testing::AssertionFailure() << "no certificates";
  X509_STORE* store = X509_STORE_new();
  for (auto& r : roots) X509_STORE_add_cert(store, r.get());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i].get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, chain[0].get(), untrusted);
  const int ok = X509_verify_cert(ctx);
  const int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  if (ok == 1) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << X509_verify_cert_error_string(err);
}

class PebbleTest : public ::testing::Test {
 protected:
  void SetUp() override { UsePebble({}); }

  void UsePebble(const PebbleOptions& options) {
    pebble_ = SharedPebble(options);
    ASSERT_NE(pebble_, nullptr);
    dir_ = MakeTempDir("acme-test");
    config_ = PebbleAcmeConfig(*pebble_, dir_);
    engine_.reset();
  }

  AcmeEngine* Engine() {
    if (!engine_) {
      auto e = AcmeEngine::Open(config_, dir_ + "/ctwatch.db", engine_options_);
      EXPECT_THAT(e, IsOk());
      if (e.has_value()) engine_ = std::move(*e);
    }
    return engine_.get();
  }

  static AcmeCertificateConfig Cert(const std::string& name, std::vector<std::string> domains,
                                    const std::string& challenge = "http-01") {
    AcmeCertificateConfig c;
    c.name = name;
    c.domains = std::move(domains);
    c.challenge = challenge;
    return c;
  }

  // Issues and checks what every issuance must give: files, modes, chain, inventory.
  IssueResult IssueOk(const AcmeCertificateConfig& cert, const IssueOptions& options = {}) {
    Result<IssueResult> r = Engine()->Issue(cert, options);
    EXPECT_THAT(r, IsOk());
    if (!r.has_value()) return {};
    const std::string live = dir_ + "/acme/live/" + cert.name;
    EXPECT_EQ(r->live_dir, live);
    EXPECT_TRUE(std::filesystem::is_symlink(live));
    for (const char* f : {"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}) {
      EXPECT_TRUE(FileExists(live + "/" + f)) << f;
    }
    EXPECT_EQ(Mode(live + "/privkey.pem"), 0600u);
    auto root = pebble_->Management("/roots/0");
    EXPECT_THAT(root, IsOk());
    if (root.has_value() && cert.preferred_chain.empty()) {
      EXPECT_TRUE(ChainVerifies(live, *root));
    }
    auto key = ReadPrivateKeyFile(live + "/privkey.pem");
    EXPECT_THAT(key, IsOk());
    auto certs = PemCerts(*ReadFile(live + "/cert.pem"));
    EXPECT_EQ(certs.size(), 1u);
    if (key.has_value() && !certs.empty()) {
      EXPECT_TRUE(SamePublicKey(X509_get0_pubkey(certs[0].get()), key->get()));
    }
    auto active = Engine()->inventory()->ActiveCertificate(cert.name);
    EXPECT_THAT(active, IsOk());
    if (active.has_value() && active->has_value()) {
      EXPECT_EQ((*active)->id, r->certificate.id);
    }
    auto ids = IdentifiersForNames(cert.domains);
    if (ids.has_value()) {
      EXPECT_EQ(r->certificate.names, IdentifierNames(*ids));
    }
    // No certificate key stays behind in pending/.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/acme/pending", ec)) {
      ADD_FAILURE() << "left behind: " << entry.path();
    }
    return *r;
  }

  PebbleServer* pebble_ = nullptr;
  std::string dir_;
  AcmeConfig config_;
  EngineOptions engine_options_;
  std::unique_ptr<AcmeEngine> engine_;
};

TEST_F(PebbleTest, Http01SeveralNamesOnOneCertificate) {
  AcmeCertificateConfig cert = Cert("multi", {"a.multi.test", "B.Multi.Test", "c.multi.test"});
  cert.deploy_hook = "env | grep -E '^(CTWATCH_|RENEWED_)' | sort > " + dir_ + "/deploy.env";
  IssueResult r = IssueOk(cert);
  EXPECT_EQ(r.certificate.names,
            (std::vector<std::string>{"a.multi.test", "b.multi.test", "c.multi.test"}));
  EXPECT_FALSE(r.renewal);
  EXPECT_THAT(r.deploy_status, IsOk());
  const std::string env = *ReadFile(dir_ + "/deploy.env");
  EXPECT_NE(env.find("CTWATCH_DOMAINS=a.multi.test b.multi.test c.multi.test"), std::string::npos);
  EXPECT_NE(env.find("CTWATCH_KEY_PATH=" + r.live_dir + "/privkey.pem"), std::string::npos);
  EXPECT_NE(env.find("CTWATCH_SERIAL=" + r.certificate.serial_hex), std::string::npos);

  // The account key is 0600 and is not the certificate key.
  const std::string account_key = dir_ + "/acme/accounts/pebble/account.key";
  EXPECT_EQ(Mode(account_key), 0600u);
  auto account = ReadPrivateKeyFile(account_key);
  auto cert_key = ReadPrivateKeyFile(r.live_dir + "/privkey.pem");
  ASSERT_THAT(account, IsOk());
  ASSERT_THAT(cert_key, IsOk());
  EXPECT_FALSE(SamePublicKey(account->get(), cert_key->get()));

  // The inventory knows the identity, and the finalize-time expectation is fulfilled.
  auto orders = Engine()->inventory()->ListOrders("multi", false);
  ASSERT_THAT(orders, IsOk());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].state, OrderState::kDone);
  EXPECT_EQ((*orders)[0].csr_spki_sha256, r.certificate.spki_sha256);
  EXPECT_EQ((*orders)[0].inventory_id, r.certificate.id);
  auto by_identity = Engine()->inventory()->FindByIdentity(r.certificate.identity);
  ASSERT_THAT(by_identity, IsOk());
  EXPECT_TRUE(by_identity->has_value());
  EXPECT_TRUE(Engine()->inventory()->OpenExpectations(SystemClock::Get()->NowMs())->empty());
}

TEST_F(PebbleTest, TlsAlpn01) {
  IssueResult r = IssueOk(Cert("alpn", {"alpn.test", "www.alpn.test"}, "tls-alpn-01"));
  EXPECT_EQ(r.certificate.names.size(), 2u);
}

TEST_F(PebbleTest, Dns01WildcardThroughTheExecHook) {
  IssueResult r = IssueOk(Cert("wild", {"*.wild.test", "wild.test"}, "dns-01"));
  EXPECT_EQ(r.certificate.names, (std::vector<std::string>{"*.wild.test", "wild.test"}));
  // lego-style calls: present and cleanup with the FQDN (trailing dot) and the TXT value.
  const std::string log = *ReadFile(pebble_->hook_log());
  size_t presents = 0, cleanups = 0;
  for (size_t pos = 0;
       (pos = log.find("present _acme-challenge.wild.test. ", pos)) != std::string::npos; ++pos) {
    ++presents;
  }
  for (size_t pos = 0;
       (pos = log.find("cleanup _acme-challenge.wild.test. ", pos)) != std::string::npos; ++pos) {
    ++cleanups;
  }
  // Pebble may reuse a valid authorization for wild.test; the wildcard always needs its own.
  EXPECT_GE(presents, 1u);
  EXPECT_EQ(presents, cleanups);
}

TEST_F(PebbleTest, IpIdentifierOverHttp01AndTlsAlpn01) {
  IssueResult r = IssueOk(Cert("ip", {"127.0.0.1"}));
  EXPECT_EQ(r.certificate.names, std::vector<std::string>{"127.0.0.1"});
  IssueResult r2 = IssueOk(Cert("ip-alpn", {"127.0.0.1"}, "tls-alpn-01"));
  EXPECT_EQ(r2.certificate.names, std::vector<std::string>{"127.0.0.1"});
}

TEST_F(PebbleTest, WebrootHttp01) {
  config_.http01.webroot = dir_ + "/www";
  ASSERT_THAT(MakeDirs(config_.http01.webroot + "/.well-known/acme-challenge", 0755), IsOk());
  httplib::Server server;
  ASSERT_TRUE(server.set_mount_point("/", config_.http01.webroot));
  ASSERT_TRUE(server.bind_to_port("127.0.0.1", pebble_->http_port()));
  std::thread thread([&] { server.listen_after_bind(); });
  IssueResult r = IssueOk(Cert("webroot", {"webroot.test"}));
  server.stop();
  thread.join();
  EXPECT_EQ(r.certificate.names, std::vector<std::string>{"webroot.test"});
  // The challenge file is gone again.
  std::error_code ec;
  EXPECT_TRUE(
      std::filesystem::is_empty(config_.http01.webroot + "/.well-known/acme-challenge", ec));
}

TEST_F(PebbleTest, RsaAccountKeyAndRsaCertificate) {
  config_.account_key_type = KeyType::kRsa2048;
  AcmeCertificateConfig cert = Cert("rsa", {"rsa.test"});
  cert.key_type = KeyType::kRsa2048;
  IssueResult r = IssueOk(cert);
  auto key = ReadPrivateKeyFile(r.live_dir + "/privkey.pem");
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(*KeyTypeOf(key->get()), KeyType::kRsa2048);
  auto account = ReadPrivateKeyFile(dir_ + "/acme/accounts/pebble/account.key");
  EXPECT_EQ(*KeyTypeOf(account->get()), KeyType::kRsa2048);
}

TEST_F(PebbleTest, EcdsaP384Certificate) {
  AcmeCertificateConfig cert = Cert("p384", {"p384.test"});
  cert.key_type = KeyType::kEcdsaP384;
  IssueResult r = IssueOk(cert);
  EXPECT_EQ(*KeyTypeOf(ReadPrivateKeyFile(r.live_dir + "/privkey.pem")->get()),
            KeyType::kEcdsaP384);
}

TEST_F(PebbleTest, ExternalAccountBindingRequired) {
  UsePebble({.eab_required = true});
  // Without EAB the account cannot be created.
  auto refused = Engine()->Issue(Cert("eab", {"eab.test"}));
  EXPECT_THAT(refused, IsErrorCode(ErrorCode::kInvalidArgument));
  engine_.reset();
  config_.cas[0].eab_kid = "kid-1";
  config_.cas[0].eab_hmac_key = pebble_->eab_keys().at("kid-1");
  IssueResult r = IssueOk(Cert("eab", {"eab.test"}));
  EXPECT_GT(r.certificate.id, 0);
  auto accounts = Engine()->inventory()->ListAccounts();
  ASSERT_THAT(accounts, IsOk());
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].eab_kid, "kid-1");
}

TEST_F(PebbleTest, ExternalAccountBindingWithAWrongKeyIsRefused) {
  UsePebble({.eab_required = true});
  config_.cas[0].eab_kid = "kid-1";
  config_.cas[0].eab_hmac_key = pebble_->eab_keys().at("kid-2");
  auto r = Engine()->Issue(Cert("eab", {"eab.test"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("unauthorized"), std::string::npos) << r.error().message;
}

TEST_F(PebbleTest, KeyRolloverThenIssuanceWithTheNewKey) {
  const AcmeCaConfig& ca = config_.cas[0];
  IssueResult before = IssueOk(Cert("roll", {"roll.test"}));
  auto session = Engine()->OpenSession(ca);
  ASSERT_THAT(session, IsOk());
  const std::string url = (*session)->account().account_url;
  const std::string key_path = dir_ + "/acme/accounts/pebble/account.key";
  const std::string old_pem = *ReadFile(key_path);

  ASSERT_THAT(Engine()->RolloverAccountKey(ca), IsOk());
  EXPECT_NE(*ReadFile(key_path), old_pem);
  EXPECT_EQ(Mode(key_path), 0600u);
  EXPECT_FALSE(FileExists(key_path + ".next"));
  // The new key finds the same account; the old one no longer finds any.
  auto found = Engine()->LookupAccount(ca);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->url, url);
  auto old_signer = JwsSigner::Create(std::move(PrivateKeyFromPem(old_pem)).value());
  ASSERT_THAT(old_signer, IsOk());
  CurlHttpClient http(CurlOptions{.ca_file = pebble_->ca_file()});
  AcmeClient client(&http, SystemClock::Get(), ca.directory_url);
  EXPECT_THAT(NewAccount(&client, *old_signer, {.only_return_existing = true}),
              IsErrorCode(ErrorCode::kNotFound));

  // Issuance goes on with the new key, on the same account.
  IssueResult after = IssueOk(Cert("roll2", {"roll2.test"}));
  EXPECT_GT(after.certificate.id, before.certificate.id);
  auto accounts = Engine()->inventory()->ListAccounts();
  ASSERT_THAT(accounts, IsOk());
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].account_url, url);
}

TEST_F(PebbleTest, InterruptedRolloverIsCompletedOnTheNextSession) {
  const AcmeCaConfig& ca = config_.cas[0];
  ASSERT_THAT(Engine()->OpenSession(ca), IsOk());
  const std::string key_path = dir_ + "/acme/accounts/pebble/account.key";
  const std::string old_pem = *ReadFile(key_path);
  ASSERT_THAT(Engine()->RolloverAccountKey(ca), IsOk());
  // Simulate a crash after keyChange but before the rename: old key in place, new one in .next.
  const std::string new_pem = *ReadFile(key_path);
  ASSERT_THAT(WriteFileAtomic(key_path + ".next", new_pem, 0600), IsOk());
  ASSERT_THAT(WriteFileAtomic(key_path, old_pem, 0600), IsOk());
  IssueOk(Cert("after-crash", {"after-crash.test"}));
  EXPECT_EQ(*ReadFile(key_path), new_pem);
  EXPECT_FALSE(FileExists(key_path + ".next"));
}

TEST_F(PebbleTest, RevocationIsVisibleInPebble) {
  IssueResult r = IssueOk(Cert("revoke", {"revoke.test"}));
  ASSERT_THAT(Engine()->Revoke(r.certificate.id, 4), IsOk());  // superseded
  std::string serial = r.certificate.serial_hex;
  while (serial.size() > 1 && serial[0] == '0') serial.erase(0, 1);
  auto status = pebble_->Management("/cert-status-by-serial/" + serial);
  ASSERT_THAT(status, IsOk());
  const nlohmann::json j = nlohmann::json::parse(*status);
  EXPECT_EQ(j["Status"], "Revoked");
  EXPECT_EQ(j["Reason"], 4);
  auto stored = Engine()->inventory()->GetCertificate(r.certificate.id);
  EXPECT_EQ((*stored)->status, "revoked");
  EXPECT_EQ((*stored)->revocation_reason, 4);
  // Revoking again is not an error (alreadyRevoked).
  EXPECT_THAT(Engine()->Revoke(r.certificate.id, 4), IsOk());
}

TEST_F(PebbleTest, AccountContactUpdateAndDeactivation) {
  const AcmeCaConfig& ca = config_.cas[0];
  auto updated = Engine()->UpdateContact(ca, {"mailto:new@example.test"});
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->contact, std::vector<std::string>{"mailto:new@example.test"});
  auto deactivated = Engine()->DeactivateAccount(ca);
  ASSERT_THAT(deactivated, IsOk());
  EXPECT_EQ(deactivated->status, "deactivated");
  EXPECT_THAT(Engine()->Issue(Cert("gone", {"gone.test"})),
              IsErrorCode(ErrorCode::kFailedPrecondition));
}

TEST_F(PebbleTest, RenewalReplacesAndKeepsHistoryAndKeyReuse) {
  AcmeCertificateConfig cert = Cert("renew", {"renew.test"});
  IssueResult first = IssueOk(cert);
  IssueResult second = IssueOk(cert, {.replaces_id = first.certificate.id});
  EXPECT_TRUE(second.renewal);
  EXPECT_NE(second.certificate.id, first.certificate.id);
  EXPECT_NE(second.certificate.spki_sha256, first.certificate.spki_sha256);  // new key by default
  auto old = Engine()->inventory()->GetCertificate(first.certificate.id);
  EXPECT_EQ((*old)->status, "replaced");
  EXPECT_EQ((*old)->replaced_by, second.certificate.id);
  cert.reuse_key = true;
  IssueResult third = IssueOk(cert, {.replaces_id = second.certificate.id});
  EXPECT_EQ(third.certificate.spki_sha256, second.certificate.spki_sha256);
  EXPECT_TRUE(FileExists(dir_ + "/acme/archive/renew/1/cert.pem"));
  EXPECT_TRUE(FileExists(dir_ + "/acme/archive/renew/3/cert.pem"));
  EXPECT_EQ(std::filesystem::read_symlink(dir_ + "/acme/live/renew"),
            std::filesystem::path("../archive/renew/3"));
  EXPECT_EQ(Engine()->inventory()->ListCertificates({.name = "renew"})->size(), 3u);
}

TEST_F(PebbleTest, ProfileIsLeftOutWhenTheCaListsNone) {
  // pebble 2.4.0 predates profiles: the order goes out without one instead of failing.
  IssueResult r = IssueOk(Cert("profile", {"profile.test"}), {.profile = "shortlived"});
  EXPECT_GT(r.certificate.id, 0);
}

TEST_F(PebbleTest, PreferredAlternateChain) {
  UsePebble({.alternate_roots = 1});
  auto alt_root = pebble_->Management("/roots/1");
  ASSERT_THAT(alt_root, IsOk());
  std::vector<X509Ptr> roots = PemCerts(*alt_root);
  ASSERT_EQ(roots.size(), 1u);
  const std::string alt_cn = CommonName(X509_get_subject_name(roots[0].get()));
  AcmeCertificateConfig cert = Cert("alt", {"alt.test"});
  cert.preferred_chain = alt_cn;
  IssueResult r = IssueOk(cert);
  std::vector<X509Ptr> chain = PemCerts(*ReadFile(r.live_dir + "/chain.pem"));
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(CommonName(X509_get_issuer_name(chain.back().get())), alt_cn);
  EXPECT_TRUE(ChainVerifies(r.live_dir, *alt_root));
  // Without a preference the default chain (root 0) is kept.
  IssueResult d = IssueOk(Cert("default-chain", {"default-chain.test"}));
  EXPECT_TRUE(ChainVerifies(d.live_dir, *pebble_->Management("/roots/0")));
}

TEST_F(PebbleTest, BadNonceStorm) {
  UsePebble({.nonce_reject = 50});
  auto session = Engine()->OpenSession(config_.cas[0]);
  ASSERT_THAT(session, IsOk());
  for (int i = 0; i < 10; ++i) ASSERT_THAT(FetchAccount((*session)->client()), IsOk());
  EXPECT_GT((*session)->client()->bad_nonce_retries(), 0);
  IssueResult r = IssueOk(Cert("storm", {"storm.test", "www.storm.test"}));
  EXPECT_THAT(Engine()->Revoke(r.certificate.id, 0), IsOk());
  IssueResult dns = IssueOk(Cert("storm-dns", {"*.storm.test"}, "dns-01"));
  EXPECT_GT(dns.certificate.id, 0);
}

TEST_F(PebbleTest, FailedValidationFailsTheOrderCleanlyAndTheNextOrderSucceeds) {
  config_.http01.port = ::ctwatch::testing::UnusedPort();  // pebble checks elsewhere
  AcmeCertificateConfig cert = Cert("fail", {"fail.test"});
  auto failed = Engine()->Issue(cert);
  ASSERT_THAT(failed, IsErrorCode(ErrorCode::kVerification));
  EXPECT_NE(failed.error().message.find("http-01 for fail.test failed"), std::string::npos);
  auto orders = Engine()->inventory()->ListOrders("fail", false);
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].state, OrderState::kFailed);
  EXPECT_TRUE((*orders)[0].challenges.empty());
  EXPECT_FALSE(Engine()->inventory()->FindOpenOrder("fail")->has_value());

  engine_.reset();
  config_.http01.port = pebble_->http_port();
  IssueResult r = IssueOk(cert);
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(Engine()->inventory()->ListOrders("fail", false)->size(), 2u);
}

TEST_F(PebbleTest, FailingDnsHookFailsTheOrder) {
  config_.dns01.exec = "/bin/false";
  auto r = Engine()->Issue(Cert("hookfail", {"*.hookfail.test"}, "dns-01"));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("dns-01 hook present"), std::string::npos) << r.error().message;
  EXPECT_FALSE(Engine()->inventory()->FindOpenOrder("hookfail")->has_value());
}

class RefuseEverything final : public OrderObserver {
 public:
  Status BeforeNewOrder(const OrderRecord& order) override {
    ++asked;
    return MakeError(
        ErrorCode::kRateLimited,
        "ledger: 5 certificates for " + IdentifiersToText(order.identifiers) + " this week");
  }
  int asked = 0;
};

TEST_F(PebbleTest, ObserverCanRefuseAnOrderBeforeItIsSent) {
  RefuseEverything ledger;
  engine_options_.observer = &ledger;
  auto r = Engine()->Issue(Cert("ledger", {"ledger.test"}));
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_EQ(ledger.asked, 1);
  auto orders = Engine()->inventory()->ListOrders("ledger", false);
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].state, OrderState::kFailed);
  EXPECT_TRUE((*orders)[0].order_url.empty());  // nothing went to the CA
}

TEST_F(PebbleTest, ParallelOrdersShareSolversAndStore) {
  std::vector<AcmeCertificateConfig> certs;
  for (int i = 0; i < 4; ++i) {
    certs.push_back(Cert("par" + std::to_string(i), {"par" + std::to_string(i) + ".test"},
                         i % 2 == 0 ? "http-01" : "tls-alpn-01"));
  }
  AcmeEngine* engine = Engine();
  ASSERT_NE(engine, nullptr);
  ASSERT_THAT(engine->OpenSession(config_.cas[0]), IsOk());  // register once
  std::vector<Result<IssueResult>> results(certs.size(),
                                           MakeError(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < certs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = engine->Issue(certs[i]); });
  }
  for (auto& t : threads) t.join();
  for (auto& r : results) EXPECT_THAT(r, IsOk());
  EXPECT_EQ(engine->inventory()->ListCertificates({})->size(), certs.size());
}

}  // namespace
}  // namespace ctwatch
