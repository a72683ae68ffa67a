// Expected versus foreign issuance end to end, on 127.0.0.1 only: the ACME engine (`ctwatch
// acme issue`) obtains certificates from the real pebble; the test submits them, and
// precertificates made from them, to the project's test log (add-chain / add-pre-chain,
// tools/testlog) while `ctwatch run` tails that log; the verdicts are read back through
// `ctwatch certs --json` and `ctwatch findings --json`.
//
// About the precertificates: pebble issues final certificates without embedded SCTs and never
// shows us its precertificates. A precertificate is made here from pebble's certificate: the
// same TBSCertificate plus the critical poison extension (RFC 6962 §3.1), signed with a key of
// the test of the same algorithm (we do not have pebble's CA key), and submitted with pebble's
// chain. The test log does not check that signature (see tools/testlog/corpus.h), so the log
// entry holds exactly the TBS a precertificate from pebble would have: the test asserts that
// ctwatch's identity of it equals the identity of the certificate the engine downloaded.
//
// The other CA is a CA key made by the test (P-256, self-signed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../acme/pebble_harness.h"
#include "acme/acme_client.h"
#include "acme/inventory_store.h"
#include "acme/jws.h"
#include "acme/keys.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/http.h"
#include "core/openssl_util.h"
#include "core/sha256.h"
#include "subprocess.h"
#include "test_util.h"
#include "testlog/test_log_server.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::Child;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::Lines;
using ::ctwatch::testing::PebbleServer;
using ::ctwatch::testing::SharedPebble;
using ::ctwatch::testing::Slurp;
using ::nlohmann::json;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

const std::string kCtwatch = CTWATCH_BINARY_DIR "/bin/ctwatch";

// ---- a test PKI (OpenSSL) ----

EvpPkeyPtr NewEcKey() { return EvpPkeyPtr(EVP_EC_gen("P-256")); }

Bytes Der(X509* cert) {
  const int n = i2d_X509(cert, nullptr);
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

X509Ptr ParseDer(const Bytes& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string Pem(const Bytes& der) {
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  const std::string b64 = Base64Encode(der);
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END CERTIFICATE-----\n";
}

std::string SpkiHex(EVP_PKEY* key) {
  auto der = PublicKeyToDer(key);
  return der.has_value() ? HexEncode(Sha256(*der)) : std::string();
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct TestCa {
  EvpPkeyPtr key;
  X509Ptr cert;
  Bytes der;
};

TestCa MakeCa(const std::string& cn) {
  TestCa ca;
  ca.key = NewEcKey();
  ca.cert.reset(X509_new());
  X509* c = ca.cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(c, name);
  X509_gmtime_adj(X509_getm_notBefore(c), -86400);
  X509_gmtime_adj(X509_getm_notAfter(c), 3650L * 86400);
  X509_set_pubkey(c, ca.key.get());
  AddExt(c, c, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(c, c, NID_subject_key_identifier, "hash");
  X509_sign(c, ca.key.get(), EVP_sha256());
  ca.der = Der(c);
  return ca;
}

Bytes IssueLeaf(const TestCa& ca, EVP_PKEY* key, const std::vector<std::string>& names, long serial,
                long age_s = 0) {
  X509Ptr cert(X509_new());
  X509* c = cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_set_issuer_name(c, X509_get_subject_name(ca.cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(c), -age_s);
  X509_gmtime_adj(X509_getm_notAfter(c), 90L * 86400);
  X509_set_pubkey(c, key);
  std::string san;
  for (const std::string& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
  AddExt(c, ca.cert.get(), NID_subject_alt_name, san.c_str());
  AddExt(c, ca.cert.get(), NID_authority_key_identifier, "keyid:always");
  X509_sign(c, ca.key.get(), EVP_sha256());
  return Der(c);
}

// The precertificate of `cert_der` (see the file comment): its TBS plus the critical poison
// extension (1.3.6.1.4.1.11129.2.4.3, value ASN.1 NULL), signed with a fresh key of the same
// algorithm as the certificate's signature so that the TBS's signature field is unchanged.
Bytes PrecertOf(const Bytes& cert_der) {
  X509Ptr cert = ParseDer(cert_der);
  EXPECT_NE(cert, nullptr);
  if (!cert) return {};
  const int nid = X509_get_signature_nid(cert.get());
  EvpPkeyPtr key;
  const EVP_MD* md = EVP_sha256();
  if (nid == NID_sha256WithRSAEncryption) {
    key.reset(EVP_RSA_gen(2048));
  } else if (nid == NID_ecdsa_with_SHA256) {
    key = NewEcKey();
  } else if (nid == NID_ecdsa_with_SHA384) {
    key.reset(EVP_EC_gen("P-384"));
    md = EVP_sha384();
  } else {
    ADD_FAILURE() << "pebble signs with " << OBJ_nid2sn(nid) << ": not handled here";
    return {};
  }
  ASN1_OBJECT* poison_oid = OBJ_txt2obj("1.3.6.1.4.1.11129.2.4.3", 1);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  const unsigned char null_der[] = {0x05, 0x00};
  ASN1_OCTET_STRING_set(value, null_der, 2);
  X509_EXTENSION* poison = X509_EXTENSION_create_by_OBJ(nullptr, poison_oid, 1, value);
  X509_add_ext(cert.get(), poison, -1);
  X509_EXTENSION_free(poison);
  ASN1_OCTET_STRING_free(value);
  ASN1_OBJECT_free(poison_oid);
  EXPECT_GT(X509_sign(cert.get(), key.get(), md), 0) << OpenSslErrors();
  return Der(cert.get());
}

// ---- the world: pebble, the test log, ctwatch ----

class IssuanceE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FileExists(kCtwatch)) << kCtwatch;
    dir_ = testing::TempDir(std::string("issuance-e2e-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    testlog::ServerOptions o;
    o.corpus.initial_size = 8;
    o.corpus.pool_size = 8;
    o.threads = 8;
    auto server = testlog::TestLogServer::Create(o);
    ASSERT_THAT(server, IsOk());
    log_ = std::move(server).value();
    ASSERT_THAT(log_->Start(), IsOk());
    ASSERT_THAT(WriteFileAtomic(dir_ + "/loglist.json", log_->LogListJson(true)), IsOk());
    WriteConfigs();
  }
  void TearDown() override {
    StopDaemon();
    if (log_) log_->Stop();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string acme_config() const { return dir_ + "/acme.toml"; }
  std::string run_config() const { return dir_ + "/run.toml"; }

  // run.toml: the monitor (no [[acme.certificate]], so `ctwatch run` never orders anything);
  // acme.toml: the same plus the engine's certificates. Both share the database.
  void WriteConfigs(const std::string& extra_policy = "") {
    std::ostringstream common;
    common << "[service]\ndatabase = \"" << dir_ << "/ctwatch.db\"\nlog_level = \"debug\"\n"
           << "[logs]\nlist = \"" << dir_ << "/loglist.json\"\nstart = \"beginning\"\n"
           << "poll_interval = \"1s\"\nrequests_per_second = 0\n"
           << "[policy]\ndomains = [\"issuance.test\"]\n"
           << extra_policy
           << "[policy.lookalike]\nenabled = false\n[policy.internal]\nbuiltin = false\n";
    ASSERT_THAT(WriteFileAtomic(run_config(), common.str()), IsOk());
    if (pebble_ == nullptr) return;
    std::ostringstream acme;
    acme << common.str() << "[acme]\nstorage = \"" << dir_ << "/acme\"\n"
         << "contact = [\"ops@issuance.test\"]\n"
         << "[acme.http01]\nlisten = \"127.0.0.1\"\nport = " << pebble_->http_port() << "\n"
         << "[[acme.ca]]\nname = \"pebble\"\ndirectory = \"" << pebble_->directory_url()
         << "\"\nca_file = \"" << pebble_->ca_file() << "\"\n";
    for (const auto& [name, domains] : lineages_) {
      acme << "[[acme.certificate]]\nname = \"" << name << "\"\ndomains = [";
      for (size_t i = 0; i < domains.size(); ++i)
        acme << (i ? ", " : "") << '"' << domains[i] << '"';
      acme << "]\nchallenge = \"http-01\"\n";
    }
    ASSERT_THAT(WriteFileAtomic(acme_config(), acme.str()), IsOk());
  }
  void UsePebble() {
    pebble_ = SharedPebble();
    ASSERT_NE(pebble_, nullptr);
    WriteConfigs();
  }

  struct Run {
    int exit_code = -1;
    std::string out, err;
  };
  Run Ctwatch(std::vector<std::string> args, const std::string& config,
              std::vector<std::string> env = {}) {
    args.insert(args.begin(), kCtwatch);
    args.push_back("--config");
    args.push_back(config);
    const std::string n = std::to_string(runs_++);
    Child child(args, env, dir_ + "/out." + n, dir_ + "/err." + n);
    Run r;
    r.exit_code = child.Wait(std::chrono::seconds(120));
    r.out = Slurp(dir_ + "/out." + n);
    r.err = Slurp(dir_ + "/err." + n);
    return r;
  }
  std::vector<json> JsonLines(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.push_back("--json");
    Run r = Ctwatch(a, run_config());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> out;
    for (const std::string& line : Lines(r.out)) out.push_back(json::parse(line));
    return out;
  }

  void StartDaemon(const std::string& config = "") {
    daemon_ = std::make_unique<Child>(
        std::vector<std::string>{kCtwatch, "run", "--config",
                                 config.empty() ? run_config() : config},
        std::vector<std::string>{}, dir_ + "/daemon.out", dir_ + "/daemon.err");
    ASSERT_TRUE(daemon_->started());
  }
  void StopDaemon() {
    if (!daemon_) return;
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->Wait(std::chrono::seconds(30)), 0) << Slurp(dir_ + "/daemon.err");
    daemon_.reset();
  }

  // identity -> sighting verdicts ("<entry_type>:<verdict>", oldest first).
  std::map<std::string, std::vector<std::string>> Verdicts() {
    std::map<std::string, std::vector<std::string>> out;
    for (const json& c : JsonLines({"certs"})) {
      auto& v = out[c["identity"].get<std::string>()];
      for (const json& s : c["sightings"]) {
        v.push_back(s["entry_type"].get<std::string>() + ":" +
                    (s["verdict"].is_null() ? std::string("-") : s["verdict"].get<std::string>()));
      }
    }
    return out;
  }
  // foreign_issuance findings by identity.
  std::map<std::string, json> ForeignFindings() {
    std::map<std::string, json> out;
    for (const json& f : JsonLines({"findings", "--kind", "foreign_issuance"})) {
      out[f["identity"].get<std::string>()] = f;
    }
    return out;
  }
  // Polls `done` every 200 ms for up to `timeout`; the seconds it took, or -1.
  template <typename F>
  double WaitFor(F done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto start = Clock::now();
    while (Clock::now() - start < timeout) {
      if (done()) return std::chrono::duration<double>(Clock::now() - start).count();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return -1;
  }
  bool HasVerdicts(const std::string& identity, const std::vector<std::string>& expected) {
    auto v = Verdicts();
    auto it = v.find(identity);
    return it != v.end() && it->second == expected;
  }

  // add-chain / add-pre-chain; the SCT's fields must be there.
  void Submit(bool precert, const std::vector<Bytes>& chain) {
    json body;
    body["chain"] = json::array();
    for (const Bytes& c : chain) body["chain"].push_back(Base64Encode(c));
    httplib::Client client("127.0.0.1", log_->port());
    auto res = client.Post(precert ? "/rfc6962/ct/v1/add-pre-chain" : "/rfc6962/ct/v1/add-chain",
                           body.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const json sct = json::parse(res->body);
    EXPECT_EQ(sct["sct_version"], 0);
    EXPECT_FALSE(sct["signature"].get<std::string>().empty());
  }

  // The identity ctwatch gives `cert_der` (read back from the inventory or from `certs`).
  std::string IdentityOf(const Bytes& cert_der) {
    for (const json& c : JsonLines({"certs"})) {
      if (c["cert_sha256"].is_string() && c["cert_sha256"] == HexEncode(Sha256(cert_der))) {
        return c["identity"];
      }
    }
    return "";
  }

  std::unique_ptr<InventoryStore> Inventory() {
    auto store = OpenInventoryStore(dir_ + "/ctwatch.db");
    EXPECT_THAT(store, IsOk());
    return store.has_value() ? std::move(store).value() : nullptr;
  }

  // The certificate (leaf first, then its chain) of a lineage the engine installed.
  std::vector<Bytes> Installed(const std::string& lineage) {
    auto inventory = Inventory();
    auto active = inventory->ActiveCertificate(lineage);
    EXPECT_THAT(active, IsOk());
    if (!active.has_value() || !active->has_value()) return {};
    std::vector<Bytes> out = {(*active)->cert_der};
    auto chain = PemCertificatesToDer((*active)->chain_pem);
    if (chain.has_value()) out.insert(out.end(), chain->begin(), chain->end());
    return out;
  }

  std::string dir_;
  std::unique_ptr<testlog::TestLogServer> log_;
  PebbleServer* pebble_ = nullptr;
  std::vector<std::pair<std::string, std::vector<std::string>>> lineages_ = {
      {"web", {"web.issuance.test", "www.issuance.test"}}, {"api", {"api.issuance.test"}}};
  std::unique_ptr<Child> daemon_;
  int runs_ = 0;
};

// The certificate chain of the order the paused engine is about to download, fetched from
// pebble with the engine's own account.
std::vector<Bytes> FetchFromPebble(const PebbleServer& pebble, InventoryStore* store,
                                   const std::string& lineage) {
  auto accounts = store->ListAccounts();
  auto orders = store->ListOrders(lineage, true);
  if (!accounts.has_value() || accounts->empty() || !orders.has_value() || orders->empty()) {
    ADD_FAILURE() << "no account or open order";
    return {};
  }
  const std::string url = orders->front().certificate_url;
  EXPECT_FALSE(url.empty());
  auto key = ReadPrivateKeyFile(accounts->front().key_path);
  EXPECT_THAT(key, IsOk());
  auto signer = JwsSigner::Create(std::move(*key));
  CurlHttpClient http(CurlOptions{.ca_file = pebble.ca_file()});
  AcmeClient client(&http, SystemClock::Get(), pebble.directory_url());
  client.SetAccount(&*signer, accounts->front().account_url);
  auto r = client.PostAsGet("certificate", url);
  EXPECT_THAT(r, IsOk());
  if (!r.has_value()) return {};
  auto chain = PemCertificatesToDer(r->body);
  EXPECT_THAT(chain, IsOk());
  return chain.has_value() ? *chain : std::vector<Bytes>{};
}

TEST_F(IssuanceE2ETest, OwnCertificatesAreExpectedInBothOrdersAndBeforeTheDownload) {
  UsePebble();
  // 1. The engine orders "web" and stops right before downloading the certificate: the
  //    expectation is registered, the certificate exists at pebble, not in the inventory.
  const std::string paused = dir_ + "/paused";
  Child issue({kCtwatch, "acme", "issue", "web", "--config", acme_config()},
              {"CTWATCH_ACME_PAUSE_AT=downloading", "CTWATCH_ACME_PAUSE_FILE=" + paused},
              dir_ + "/issue.out", dir_ + "/issue.err");
  ASSERT_GE(WaitFor([&] { return FileExists(paused); }, std::chrono::seconds(60)), 0)
      << Slurp(dir_ + "/issue.err");
  const std::vector<Bytes> web = FetchFromPebble(*pebble_, Inventory().get(), "web");
  ASSERT_GE(web.size(), 2u);
  const Bytes web_precert = PrecertOf(web[0]);

  // 2. Its precertificate reaches CT first; ctwatch judges it expected_pending.
  StartDaemon();
  std::vector<Bytes> pre_chain = web;
  pre_chain[0] = web_precert;
  Submit(true, pre_chain);
  std::string web_id;
  const double pending_s = WaitFor([&] {
    for (const auto& [id, v] : Verdicts()) {
      if (v == std::vector<std::string>{"precert:expected_pending"}) web_id = id;
    }
    return !web_id.empty();
  });
  ASSERT_GE(pending_s, 0) << Slurp(dir_ + "/daemon.err");
  EXPECT_TRUE(ForeignFindings().empty());
  // Killed (SIGKILL) and restarted while the order is in flight: still pending, nothing raised.
  daemon_->Signal(SIGKILL);
  daemon_->Wait(std::chrono::seconds(10));
  daemon_.reset();
  StartDaemon();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a reconciliation and a poll
  EXPECT_TRUE(HasVerdicts(web_id, {"precert:expected_pending"}));
  EXPECT_TRUE(ForeignFindings().empty());

  // 3. The engine resumes and downloads: the same sighting becomes expected.
  issue.Signal(SIGKILL);
  issue.Wait(std::chrono::seconds(10));
  Run resumed = Ctwatch({"acme", "issue", "web"}, acme_config());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto inventory = Inventory();
  const std::optional<Bytes> web_id_bytes = HexDecode(web_id);
  ASSERT_TRUE(web_id_bytes.has_value() && web_id_bytes->size() == 32);
  Sha256Hash web_identity{};
  std::copy(web_id_bytes->begin(), web_id_bytes->end(), web_identity.begin());
  auto stored = inventory->FindByIdentity(web_identity);
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value())
      << "the precertificate's identity is not the downloaded certificate's";
  EXPECT_EQ((*stored)->cert_der, web[0]);
  const double expected_s = WaitFor([&] { return HasVerdicts(web_id, {"precert:expected"}); });
  EXPECT_GE(expected_s, 0);

  // 4. Then the final certificate: expected at once (same identity).
  Submit(false, web);
  EXPECT_GE(WaitFor([&] { return HasVerdicts(web_id, {"precert:expected", "cert:expected"}); }), 0);

  // 5. The other order for "api": certificate first, then its precertificate.
  Run api_issue = Ctwatch({"acme", "issue", "api"}, acme_config());
  ASSERT_EQ(api_issue.exit_code, 0) << api_issue.err;
  const std::vector<Bytes> api = Installed("api");
  ASSERT_GE(api.size(), 2u);
  Submit(false, api);
  std::string api_id;
  ASSERT_GE(WaitFor([&] { return !(api_id = IdentityOf(api[0])).empty(); }), 0);
  EXPECT_GE(WaitFor([&] { return HasVerdicts(api_id, {"cert:expected"}); }), 0);
  std::vector<Bytes> api_pre = api;
  api_pre[0] = PrecertOf(api[0]);
  Submit(true, api_pre);
  EXPECT_GE(WaitFor([&] { return HasVerdicts(api_id, {"cert:expected", "precert:expected"}); }), 0);
  EXPECT_TRUE(ForeignFindings().empty());

  // 6. The inventory shows where CT showed them.
  for (const json& c : JsonLines({"inventory", "list"})) {
    EXPECT_TRUE(c["ct"]["seen"].get<bool>()) << c.dump();
    EXPECT_EQ(c["ct"]["sightings"].size(), 2u) << c.dump();
  }

  // 7. A restart changes no verdict.
  const auto before = Verdicts();
  StopDaemon();
  StartDaemon();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // a reconciliation and a poll
  EXPECT_EQ(Verdicts(), before);
  EXPECT_TRUE(ForeignFindings().empty());
  std::fprintf(stderr,
               "[measure] precert -> expected_pending %.1f s; download -> expected %.1f s\n",
               pending_s, expected_s);
}

// One `ctwatch run` that both renews (the ACME scheduler) and monitors: the certificate its
// engine obtains is judged expected when it reaches the log, precertificate and certificate.
TEST_F(IssuanceE2ETest, CtwatchRunJudgesTheCertificatesItsOwnEngineObtains) {
  UsePebble();
  StartDaemon(acme_config());
  std::vector<Bytes> api;
  ASSERT_GE(WaitFor([&] { return !(api = Installed("api")).empty(); }, std::chrono::seconds(60)), 0)
      << Slurp(dir_ + "/daemon.err");
  std::vector<Bytes> pre = api;
  pre[0] = PrecertOf(api[0]);
  Submit(true, pre);
  Submit(false, api);
  std::string id;
  ASSERT_GE(WaitFor([&] { return !(id = IdentityOf(api[0])).empty(); }), 0);
  EXPECT_GE(WaitFor([&] {
              return HasVerdicts(id, {"precert:expected", "cert:expected"});
            }),
            0)
      << Slurp(dir_ + "/daemon.err");
  EXPECT_TRUE(ForeignFindings().empty());
}

TEST_F(IssuanceE2ETest, ForeignIssuanceIsFoundAndResolvedByImportOrAuthorization) {
  UsePebble();
  Run issued = Ctwatch({"acme", "issue", "web"}, acme_config());
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  auto ours = Inventory()->ActiveCertificate("web");
  ASSERT_THAT(ours, IsOk());
  ASSERT_TRUE(ours->has_value());
  auto our_key = ReadPrivateKeyFile((*ours)->path + "/privkey.pem");
  ASSERT_THAT(our_key, IsOk());
  StartDaemon();

  const TestCa other = MakeCa("Other CA");
  const std::vector<std::string> names = {"web.issuance.test", "www.issuance.test"};
  // (a) Our names and our key, but from another CA: not the certificate we obtained.
  const Bytes a = IssueLeaf(other, our_key->get(), names, 101);
  const auto submitted = Clock::now();
  Submit(false, {a, other.der});
  std::string a_id;
  ASSERT_GE(WaitFor([&] {
              return !(a_id = IdentityOf(a)).empty() && ForeignFindings().count(a_id) == 1;
            }),
            0)
      << Slurp(dir_ + "/daemon.err");
  const double latency_s = std::chrono::duration<double>(Clock::now() - submitted).count();
  json fa = ForeignFindings()[a_id];
  EXPECT_EQ(fa["severity"], "high");
  EXPECT_EQ(fa["state"], "open");
  EXPECT_THAT(fa["detail"].get<std::string>(), HasSubstr("fulfilled by another certificate"));
  EXPECT_THAT(fa["detail"].get<std::string>(), HasSubstr("Other CA"));
  EXPECT_TRUE(HasVerdicts(a_id, {"cert:foreign"}));

  // (b) Our names, a key we never used: critical.
  EvpPkeyPtr b_key = NewEcKey();
  const Bytes b = IssueLeaf(other, b_key.get(), names, 102);
  Submit(false, {b, other.der});
  std::string b_id;
  ASSERT_GE(WaitFor([&] {
              return !(b_id = IdentityOf(b)).empty() && ForeignFindings().count(b_id) == 1;
            }),
            0);
  EXPECT_EQ(ForeignFindings()[b_id]["severity"], "critical");
  EXPECT_THAT(ForeignFindings()[b_id]["detail"].get<std::string>(),
              HasSubstr("the public key was never ours"));

  // (c) A key of a CDN on another of our names, authorized below.
  EvpPkeyPtr c_key = NewEcKey();
  const Bytes c = IssueLeaf(other, c_key.get(), {"cdn.issuance.test"}, 103);
  Submit(false, {c, other.der});
  std::string c_id;
  ASSERT_GE(WaitFor([&] {
              return !(c_id = IdentityOf(c)).empty() && ForeignFindings().count(c_id) == 1;
            }),
            0);

  // Importing (b) explains it: resolved with a note, verdict expected, nothing deleted.
  ASSERT_THAT(WriteFileAtomic(dir_ + "/b.pem", Pem(b) + Pem(other.der)), IsOk());
  Run imported = Ctwatch({"inventory", "import", dir_ + "/b.pem"}, acme_config());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_GE(WaitFor([&] { return ForeignFindings()[b_id]["state"] == "resolved"; }), 0);
  EXPECT_THAT(ForeignFindings()[b_id]["note"].get<std::string>(), HasSubstr("expected"));
  EXPECT_TRUE(HasVerdicts(b_id, {"cert:expected"}));

  // Authorizing (c)'s key for the names below issuance.test, then a reload of the daemon.
  WriteConfigs("[[policy.authorization]]\nlabel = \"cdn\"\nspki_sha256 = \"" +
               SpkiHex(c_key.get()) + "\"\nnames = [\".issuance.test\"]\n");
  Run reload = Ctwatch({"policy", "reload"}, run_config());
  ASSERT_EQ(reload.exit_code, 0) << reload.err << reload.out;
  EXPECT_GE(WaitFor([&] { return ForeignFindings()[c_id]["state"] == "resolved"; }), 0)
      << Slurp(dir_ + "/daemon.err");
  EXPECT_THAT(ForeignFindings()[c_id]["note"].get<std::string>(),
              HasSubstr("authorization \"cdn\""));
  EXPECT_TRUE(HasVerdicts(c_id, {"cert:authorized"}));
  EXPECT_EQ(ForeignFindings()[a_id]["state"], "open");  // (a) is still not ours
  EXPECT_EQ(ForeignFindings().size(), 3u);

  // Who issues for us: pebble (expected) and the other CA (1 foreign, 1 expected, 1 authorized).
  std::map<std::string, json> issuers;
  for (const json& line : JsonLines({"audit", "issuance", "issuance.test"})) {
    if (line["type"] == "issuer") issuers[line["issuer"].get<std::string>()] = line;
  }
  ASSERT_EQ(issuers.count("CN=Other CA"), 1u);
  EXPECT_EQ(issuers["CN=Other CA"]["certificates"], 3);
  EXPECT_EQ(issuers["CN=Other CA"]["by_verdict"]["foreign"], 1);
  EXPECT_EQ(issuers["CN=Other CA"]["by_verdict"]["authorized"], 1);

  // A restart: the same verdicts and findings.
  const auto verdicts = Verdicts();
  const auto findings = ForeignFindings();
  StopDaemon();
  StartDaemon();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Verdicts(), verdicts);
  EXPECT_EQ(ForeignFindings(), findings);
  std::fprintf(stderr,
               "[measure] foreign_issuance: %.2f s from add-chain to the finding "
               "(poll_interval 1 s)\n",
               latency_s);
}

TEST_F(IssuanceE2ETest, ExpectationWindowClosingTurnsPendingIntoForeign) {
  const TestCa ca = MakeCa("Reseller CA");
  EvpPkeyPtr key = NewEcKey();
  const std::string key_file = dir_ + "/key.pem";
  {
    BioPtr bio(BIO_new_file(key_file.c_str(), "w"));
    ASSERT_TRUE(
        PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr));
  }
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Clear errors first.
  Run bad = Ctwatch({"expect", "add", "--spki", "12ab", "--name", "w.issuance.test"}, run_config());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("64 hex digits"));
  Run bad_name =
      Ctwatch({"expect", "add", "--from", key_file, "--name", "bad name!"}, run_config());
  EXPECT_EQ(bad_name.exit_code, 2);
  Run both = Ctwatch({"expect", "add", "--from", key_file, "--spki", std::string(64, 'a'), "--name",
                      "w.issuance.test"},
                     run_config());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(Ctwatch({"expect", "remove", "999"}, run_config()).exit_code, 2);

  Run added = Ctwatch({"expect", "add", "--from", key_file, "--name", "W.Issuance.Test", "--window",
                       "6s", "--note", "ordered by hand", "--json"},
                      run_config());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const json e = json::parse(added.out);
  EXPECT_EQ(e["spki_sha256"], SpkiHex(key.get()));
  EXPECT_EQ(e["names"], json::array({"w.issuance.test"}));
  EXPECT_THAT(added.err + added.out, ::testing::Not(HasSubstr("PRIVATE KEY")));
  // A second one, cancelled by hand: kept, no longer matches.
  Run other = Ctwatch(
      {"expect", "add", "--spki", std::string(64, 'b'), "--name", "x.issuance.test"}, run_config());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(Ctwatch({"expect", "remove", "2"}, run_config()).exit_code, 0);
  EXPECT_EQ(JsonLines({"expect", "list"}).size(), 1u);
  EXPECT_EQ(JsonLines({"expect", "list", "--all"}).size(), 2u);

  StartDaemon();
  const Bytes cert = IssueLeaf(ca, key.get(), {"w.issuance.test"}, 7);
  Submit(false, {cert, ca.der});
  std::string id;
  ASSERT_GE(WaitFor([&] {
              id = IdentityOf(cert);
              return !id.empty() && HasVerdicts(id, {"cert:expected_pending"});
            }),
            0)
      << Slurp(dir_ + "/daemon.err");
  EXPECT_TRUE(ForeignFindings().empty());
  // The window closes without the certificate reaching the inventory.
  const double foreign_s =
      WaitFor([&] { return ForeignFindings().count(id) == 1; }, std::chrono::seconds(20));
  ASSERT_GE(foreign_s, 0) << Slurp(dir_ + "/daemon.err");
  EXPECT_TRUE(HasVerdicts(id, {"cert:foreign"}));
  EXPECT_THAT(ForeignFindings()[id]["detail"].get<std::string>(),
              HasSubstr("closed without the certificate reaching the inventory"));
  EXPECT_EQ(ForeignFindings()[id]["severity"], "high");  // the key was expected, not unknown

  // A certificate we hold that no monitored log showed within the 24 h MMD is worth a warning.
  EvpPkeyPtr quiet_key = NewEcKey();
  const Bytes quiet = IssueLeaf(ca, quiet_key.get(), {"quiet.issuance.test"}, 8, 2 * 86400);
  ASSERT_THAT(WriteFileAtomic(dir_ + "/quiet.pem", Pem(quiet) + Pem(ca.der)), IsOk());
  ASSERT_EQ(Ctwatch({"inventory", "import", dir_ + "/quiet.pem"}, run_config()).exit_code, 0);
  Run listed = Ctwatch({"inventory", "list", "--json"}, run_config());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.err, HasSubstr("has not been seen in any monitored CT log within 24 h"));
  const json row = json::parse(Lines(listed.out).at(0));
  EXPECT_EQ(row["names"], json::array({"quiet.issuance.test"}));
  EXPECT_FALSE(row["ct"]["seen"].get<bool>());
  EXPECT_TRUE(row["ct"]["overdue"].get<bool>());
}

// `ctwatch rescan` judges issuance like the tailer: a certificate that became ours only with a
// policy change (a new owned domain) gets its verdict and finding when its range is re-read.
TEST_F(IssuanceE2ETest, RescanGivesVerdictsUnderTheNewPolicy) {
  const TestCa ca = MakeCa("Some CA");
  EvpPkeyPtr key = NewEcKey();
  const Bytes cert = IssueLeaf(ca, key.get(), {"shop.issuance.test", "shop.newbrand.test"}, 9);
  Submit(false, {cert, ca.der});
  Run once = Ctwatch({"run", "--once"}, run_config());
  ASSERT_EQ(once.exit_code, 0) << once.err;
  // Owned (issuance.test) already: judged foreign by the tailer.
  const std::string id = IdentityOf(cert);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(HasVerdicts(id, {"cert:foreign"}));
  // Another certificate, only for the new domain: not stored before the policy change.
  const Bytes other = IssueLeaf(ca, key.get(), {"www.newbrand.test"}, 10);
  Submit(false, {other, ca.der});
  ASSERT_EQ(Ctwatch({"run", "--once"}, run_config()).exit_code, 0);
  EXPECT_TRUE(IdentityOf(other).empty());
  std::string policy = Slurp(run_config());
  const std::string from = "domains = [\"issuance.test\"]";
  policy.replace(policy.find(from), from.size(),
                 "domains = [\"issuance.test\", \"newbrand.test\"]");
  ASSERT_THAT(WriteFileAtomic(run_config(), policy), IsOk());
  Run rescan =
      Ctwatch({"rescan", "--log", "ctwatch test log (RFC 6962)", "--from", "0"}, run_config());
  ASSERT_EQ(rescan.exit_code, 0) << rescan.err;
  const std::string other_id = IdentityOf(other);
  ASSERT_FALSE(other_id.empty());
  EXPECT_TRUE(HasVerdicts(other_id, {"cert:foreign"}));
  EXPECT_EQ(ForeignFindings().count(other_id), 1u);
  EXPECT_TRUE(HasVerdicts(id, {"cert:foreign"}));  // unchanged, not doubled
  EXPECT_EQ(ForeignFindings().size(), 2u);
}

}  // namespace
}  // namespace ctwatch
