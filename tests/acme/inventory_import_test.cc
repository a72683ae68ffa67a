// `ctwatch inventory import`: a certbot layout (live/<name>/ symlinks into archive/, and
// renewal/<name>.conf naming the server) written around a certificate from pebble, and a lego
// layout made by lego 4.9.1 itself against the test pebble. Imported certificates get the same
// identity and facts as issued ones, are idempotent, name their CA when it is configured, teach
// the expected issuers, and a configured certificate of the same lineage renews from them.
#include "acme/inventory_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "acme/acme_engine.h"
#include "acme/ca_set.h"
#include "cert/facts.h"
#include "core/encoding.h"
#include "core/file.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::PebbleServer;

int64_t Now() { return SystemClock::Get()->NowMs(); }

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pebble_ = ::ctwatch::testing::SharedPebble();
    ASSERT_NE(pebble_, nullptr);
    dir_ = ::ctwatch::testing::MakeTempDir("import");
    config_ = ::ctwatch::testing::PebbleAcmeConfig(*pebble_, dir_);
    auto engine = AcmeEngine::Open(config_, dir_ + "/ctwatch.db");
    ASSERT_THAT(engine, IsOk());
    engine_ = std::move(*engine);
  }

  // A certificate from pebble obtained elsewhere (another engine, another database).
  IssueResult IssueElsewhere(const std::string& name, std::vector<std::string> domains) {
    const std::string other = dir_ + "/elsewhere-" + name;
    auto engine = AcmeEngine::Open(::ctwatch::testing::PebbleAcmeConfig(*pebble_, other),
                                   other + "/other.db");
    EXPECT_THAT(engine, IsOk());
    AcmeCertificateConfig cert;
    cert.name = name;
    cert.domains = std::move(domains);
    auto r = (*engine)->Issue(cert);
    EXPECT_THAT(r, IsOk());
    return *r;
  }

  // certbot 2.x layout: archive/<name>/cert1.pem..., live/<name>/* symlinks, renewal/<name>.conf.
  std::string WriteCertbotLayout(const std::string& name, const IssueResult& issued) {
    const std::string conf = dir_ + "/letsencrypt";
    const std::string archive = conf + "/archive/" + name;
    const std::string live = conf + "/live/" + name;
    EXPECT_THAT(MakeDirs(archive), IsOk());
    EXPECT_THAT(MakeDirs(live), IsOk());
    EXPECT_THAT(MakeDirs(conf + "/renewal"), IsOk());
    for (const char* f : {"cert", "chain", "fullchain", "privkey"}) {
      const std::string text = *ReadFile(issued.live_dir + "/" + f + ".pem");
      EXPECT_THAT(WriteFileAtomic(archive + "/" + f + "1.pem", text, 0600), IsOk());
      std::filesystem::create_symlink("../../archive/" + name + "/" + f + "1.pem",
                                      live + "/" + f + ".pem");
    }
    std::ostringstream r;
    r << "# renew_before_expiry = 30 days\nversion = 2.1.0\narchive_dir = " << archive
      << "\ncert = " << live << "/cert.pem\nprivkey = " << live << "/privkey.pem\nchain = " << live
      << "/chain.pem\nfullchain = " << live << "/fullchain.pem\n\n"
      << "# Options used in the renewal process\n[renewalparams]\naccount = 0123abcd\n"
      << "authenticator = standalone\nserver = " << pebble_->directory_url()
      << "\nkey_type = ecdsa\n";
    EXPECT_THAT(WriteFileAtomic(conf + "/renewal/" + name + ".conf", r.str()), IsOk());
    return conf;
  }

  PebbleServer* pebble_ = nullptr;
  std::string dir_;
  AcmeConfig config_;
  std::unique_ptr<AcmeEngine> engine_;
};

TEST_F(ImportTest, CertbotLayout) {
  const IssueResult issued = IssueElsewhere("web", {"web.import.test", "www.web.import.test"});
  const std::string conf = WriteCertbotLayout("web", issued);
  auto imported = ImportInventoryPath(engine_->inventory(), config_, conf, Now());
  ASSERT_THAT(imported, IsOk());
  ASSERT_EQ(imported->size(), 1u);
  const ImportedCertificate& c = (*imported)[0];
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_FALSE(c.known);
  EXPECT_EQ(c.layout, "certbot");
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.certificate.ca, "pebble");  // from [renewalparams] server
  EXPECT_EQ(c.certificate.source, "import");
  EXPECT_EQ(c.certificate.status, "active");
  // The same identity and facts as when it was issued.
  EXPECT_EQ(c.certificate.identity, issued.certificate.identity);
  EXPECT_EQ(c.certificate.spki_sha256, issued.certificate.spki_sha256);
  EXPECT_EQ(c.certificate.serial_hex, issued.certificate.serial_hex);
  EXPECT_EQ(c.certificate.aki, issued.certificate.aki);
  EXPECT_EQ(c.certificate.names, issued.certificate.names);
  EXPECT_EQ(c.certificate.chain_pem, issued.certificate.chain_pem);
  // The issuer joins the expected issuers of that CA.
  auto expected = ExpectedIssuers(config_, engine_->inventory());
  ASSERT_THAT(expected, IsOk());
  EXPECT_EQ((*expected)[0].keys.size(), 1u);
  // Again: nothing changes. One lineage directory works too.
  auto again = ImportInventoryPath(engine_->inventory(), config_, conf + "/live/web", Now());
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE((*again)[0].known);
  EXPECT_EQ((*again)[0].certificate.id, c.certificate.id);
  EXPECT_EQ(engine_->inventory()->ListCertificates({})->size(), 1u);

  // A configured certificate of that lineage renews from the imported one.
  AcmeCertificateConfig web;
  web.name = "web";
  web.domains = {"web.import.test", "www.web.import.test"};
  auto renewed = engine_->Issue(web, {.replaces_id = c.certificate.id});
  ASSERT_THAT(renewed, IsOk());
  EXPECT_TRUE(renewed->renewal);
  auto old = engine_->inventory()->GetCertificate(c.certificate.id);
  EXPECT_EQ((*old)->status, "replaced");
  EXPECT_EQ((*old)->replaced_by, renewed->certificate.id);
}

TEST_F(ImportTest, LegoLayoutMadeByLego) {
  // A pebble of its own: lego's listener (SO_REUSEADDR only) cannot bind the HTTP-01 port while
  // connections to an earlier responder on it linger in FIN_WAIT2.
  pebble_ = ::ctwatch::testing::SharedPebble({.instance = 2});
  ASSERT_NE(pebble_, nullptr);
  config_ = ::ctwatch::testing::PebbleAcmeConfig(*pebble_, dir_);
  const std::string lego_dir = dir_ + "/.lego";
  auto pid = ::ctwatch::testing::Spawn(
      {"lego", "--server", pebble_->directory_url(), "--accept-tos", "--email", "ops@example.test",
       "--domains", "lego.import.test", "--http", "--http.port",
       "127.0.0.1:" + std::to_string(pebble_->http_port()), "--path", lego_dir, "run"},
      {{"LEGO_CA_CERTIFICATES", pebble_->ca_file()}}, dir_ + "/lego.log");
  ASSERT_THAT(pid, IsOk());
  ASSERT_EQ(::ctwatch::testing::WaitExit(*pid, 60'000), 0) << "see " << dir_ << "/lego.log";
  const std::string crt = lego_dir + "/certificates/lego.import.test.crt";
  ASSERT_TRUE(FileExists(crt));
  ASSERT_TRUE(FileExists(lego_dir + "/certificates/lego.import.test.json"));

  auto imported = ImportInventoryPath(engine_->inventory(), config_, lego_dir, Now());
  ASSERT_THAT(imported, IsOk());
  ASSERT_EQ(imported->size(), 1u);
  const ImportedCertificate& c = (*imported)[0];
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.layout, "lego");
  EXPECT_EQ(c.name, "lego.import.test");
  EXPECT_EQ(c.certificate.ca, "pebble");  // accounts/127.0.0.1_<port>
  EXPECT_EQ(c.certificate.names, std::vector<std::string>{"lego.import.test"});
  auto ders = PemCertificatesToDer(*ReadFile(crt));
  ASSERT_THAT(ders, IsOk());
  EXPECT_EQ(*IdentityOfCertificate((*ders)[0]), c.certificate.identity);
  EXPECT_FALSE(c.certificate.chain_pem.empty());  // from lego.import.test.issuer.crt
  // The bare .crt (a PEM bundle) is the same certificate.
  auto pem = ImportInventoryPath(engine_->inventory(), config_, crt, Now());
  ASSERT_THAT(pem, IsOk());
  EXPECT_TRUE((*pem)[0].known);
  EXPECT_EQ((*pem)[0].layout, "pem");
  // The certificates/ folder alone works as well.
  auto folder =
      ImportInventoryPath(engine_->inventory(), config_, lego_dir + "/certificates", Now());
  ASSERT_THAT(folder, IsOk());
  EXPECT_TRUE((*folder)[0].known);
}

TEST_F(ImportTest, CommandLineAndBadPaths) {
  const IssueResult issued = IssueElsewhere("cli", {"cli.import.test"});
  const std::string conf = WriteCertbotLayout("cli", issued);
  std::ostringstream c;
  c << "[service]\ndatabase = \"" << dir_ << "/cli.db\"\n[logs]\nlist = \"list.json\"\n"
    << "[[acme.ca]]\nname = \"pebble\"\ndirectory = \"" << pebble_->directory_url() << "\"\n";
  ASSERT_THAT(WriteFileAtomic(dir_ + "/ctwatch.toml", c.str()), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir_ + "/junk.pem", "not a certificate"), IsOk());
  const std::string binary = std::string(CTWATCH_BINARY_DIR) + "/bin/ctwatch";
  auto run = [&](const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    auto pid = ::ctwatch::testing::Spawn(argv, {}, dir_ + "/" + log);
    return pid.has_value() ? ::ctwatch::testing::WaitExit(*pid, 30'000) : -1;
  };
  ASSERT_EQ(
      run({"inventory", "import", "-c", dir_ + "/ctwatch.toml", conf, "--json"}, "import.log"), 0);
  std::istringstream lines(*ReadFile(dir_ + "/import.log"));
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["result"], "imported");
  EXPECT_EQ(out[0]["name"], "cli");
  EXPECT_EQ(out[0]["certificate"]["source"], "import");
  EXPECT_EQ(out[0]["certificate"]["identity"], HexEncode(issued.certificate.identity));
  ASSERT_EQ(run({"inventory", "list", "-c", dir_ + "/ctwatch.toml", "--json"}, "list.log"), 0);
  EXPECT_NE(ReadFile(dir_ + "/list.log")->find("\"source\":\"import\""), std::string::npos);
  // A file that holds no certificate fails (1); a path that is nothing fails too.
  EXPECT_EQ(
      run({"inventory", "import", "-c", dir_ + "/ctwatch.toml", dir_ + "/junk.pem"}, "junk.log"),
      1);
  EXPECT_THAT(ImportInventoryPath(engine_->inventory(), config_, dir_ + "/nothing", Now()),
              IsErrorCode(ErrorCode::kNotFound));
  EXPECT_THAT(ImportInventoryPath(engine_->inventory(), config_, dir_ + "/acme", Now()),
              IsErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ctwatch
