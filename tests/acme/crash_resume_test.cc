// Crash safety, end to end with the ctwatch binary: `ctwatch acme issue` is paused at each step
// of an order (CTWATCH_ACME_PAUSE_AT, see src/acme/pause_point.h), killed with SIGKILL, and run
// again. The certificate must be obtained exactly once: one order at pebble for the name set,
// one inventory row, one archive version, one deploy-hook run, no key left in pending/.
// Also the CLI surface (acme list/renew/revoke/account, inventory list/show) on the result.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "acme/account.h"
#include "acme/inventory_store.h"
#include "acme/keys.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/http.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::MakeTempDir;
using ::ctwatch::testing::PebbleServer;
using ::ctwatch::testing::SharedPebble;
using ::ctwatch::testing::Spawn;
using ::ctwatch::testing::WaitExit;

const std::string kBinary = std::string(CTWATCH_BINARY_DIR) + "/bin/ctwatch";

std::string WriteConfig(const PebbleServer& pebble, const std::string& dir) {
  std::ostringstream c;
  c << "[service]\ndatabase = \"" << dir << "/ctwatch.db\"\nlog_level = \"info\"\n"
    << "[logs]\nlist = \"" << CTWATCH_SOURCE_DIR << "/config/log_list.json\"\n"
    << "[acme]\nstorage = \"" << dir << "/acme\"\ncontact = [\"ops@example.test\"]\n"
    << "[acme.http01]\nlisten = \"127.0.0.1\"\nport = " << pebble.http_port() << "\n"
    << "[[acme.ca]]\nname = \"pebble\"\ndirectory = \"" << pebble.directory_url() << "\"\n"
    << "ca_file = \"" << pebble.ca_file() << "\"\n"
    << "[[acme.certificate]]\nname = \"crash\"\ndomains = [\"crash.test\", \"www.crash.test\"]\n"
    << "challenge = \"http-01\"\ndeploy_hook = \"echo \\\"$CTWATCH_SERIAL\\\" >> " << dir
    << "/deploys\"\n";
  const std::string path = dir + "/ctwatch.toml";
  EXPECT_THAT(WriteFileAtomic(path, c.str()), IsOk());
  return path;
}

// Runs the binary to completion; its exit status.
int RunCtwatch(const std::vector<std::string>& args, const std::string& log,
               const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<std::string> argv = {kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  auto pid = Spawn(argv, env, log);
  if (!pid.has_value()) {
    ADD_FAILURE() << pid.error().ToString();
    return -1;
  }
  return WaitExit(*pid, 60'000);
}

// Orders of the account at pebble whose identifiers are exactly `names` (pebble lists every
// order that is not invalid).
int PebbleOrdersFor(const PebbleServer& pebble, InventoryStore* store,
                    const std::vector<std::string>& names) {
  auto accounts = store->ListAccounts();
  if (!accounts.has_value() || accounts->size() != 1) return -1;
  auto key = ReadPrivateKeyFile((*accounts)[0].key_path);
  if (!key.has_value()) return -1;
  auto signer = JwsSigner::Create(std::move(*key));
  CurlHttpClient http(CurlOptions{.ca_file = pebble.ca_file()});
  AcmeClient client(&http, SystemClock::Get(), pebble.directory_url());
  client.SetAccount(&*signer, (*accounts)[0].account_url);
  auto account = FetchAccount(&client);
  if (!account.has_value() || account->orders.empty()) return -1;
  int count = 0;
  std::string page = account->orders;
  while (!page.empty()) {
    auto r = client.PostAsGet("orders", page);
    if (!r.has_value()) return -1;
    auto list = ParseOrderList(r->body);
    for (const std::string& url : list->orders) {
      auto o = client.PostAsGet("order", url);
      auto order = ParseOrder(o->body);
      std::vector<std::string> got;
      for (const AcmeIdentifier& id : order->identifiers) got.push_back(id.value);
      std::sort(got.begin(), got.end());
      count += got == names;
    }
    auto next = r->Links("next");
    page = next.empty() ? "" : next[0];
  }
  return count;
}

class CrashResumeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashResumeTest, KilledDuringAStepThenRestartedObtainsTheCertificateOnce) {
  ASSERT_TRUE(FileExists(kBinary)) << kBinary;
  PebbleServer* pebble = SharedPebble();
  ASSERT_NE(pebble, nullptr);
  const std::string step = GetParam();
  const std::string dir = MakeTempDir("crash-" + step);
  const std::string config = WriteConfig(*pebble, dir);
  const std::string paused = dir + "/paused";

  auto pid = Spawn({kBinary, "acme", "issue", "-c", config},
                   {{"CTWATCH_ACME_PAUSE_AT", step}, {"CTWATCH_ACME_PAUSE_FILE", paused}},
                   dir + "/run1.log");
  ASSERT_THAT(pid, IsOk());
  const int64_t deadline = MonotonicMs() + 30'000;
  bool reached = false;
  while (MonotonicMs() < deadline) {
    if (FileExists(paused)) {
      reached = true;
      break;
    }
    int status = 0;
    if (::waitpid(*pid, &status, WNOHANG) == *pid) break;  // exited without pausing
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(*pid, SIGKILL);
  ::waitpid(*pid, nullptr, 0);
  ASSERT_TRUE(reached) << "step " << step << " was never reached; see " << dir << "/run1.log";
  EXPECT_EQ(*ReadFile(paused), step);

  ASSERT_EQ(RunCtwatch({"acme", "issue", "-c", config}, dir + "/run2.log"), 0)
      << "see " << dir << "/run2.log";

  auto store = OpenInventoryStore(dir + "/ctwatch.db");
  ASSERT_THAT(store, IsOk());
  auto certs = (*store)->ListCertificates({.name = "crash"});
  ASSERT_THAT(certs, IsOk());
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].status, "active");
  // One order is done. A kill while the CA was validating can leave the first order invalid
  // (the responder died with the process); it was never issued, and a second order is placed.
  auto orders = (*store)->ListOrders("crash", false);
  ASSERT_THAT(orders, IsOk());
  int done = 0;
  for (const OrderRecord& o : *orders) {
    done += o.state == OrderState::kDone;
    EXPECT_TRUE(o.state == OrderState::kDone || o.state == OrderState::kFailed)
        << OrderStateName(o.state);
  }
  EXPECT_EQ(done, 1);
  EXPECT_LE(orders->size(), step == "responded" ? 2u : 1u);
  EXPECT_EQ(PebbleOrdersFor(*pebble, store->get(), {"crash.test", "www.crash.test"}), 1);
  EXPECT_TRUE(FileExists(dir + "/acme/archive/crash/1/cert.pem"));
  EXPECT_FALSE(FileExists(dir + "/acme/archive/crash/2"));
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/acme/pending", ec) || ec);
  EXPECT_EQ(*ReadFile(dir + "/deploys"), (*certs)[0].serial_hex + "\n");
  auto key = ReadPrivateKeyFile(dir + "/acme/live/crash/privkey.pem");
  ASSERT_THAT(key, IsOk());
  auto spki = SpkiSha256(key->get());
  EXPECT_EQ(*spki, (*certs)[0].spki_sha256);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, CrashResumeTest,
                         ::testing::Values("new", "ordered", "authorizing", "presented",
                                           "responded", "finalizing", "finalized", "downloading",
                                           "downloaded", "installed"));

nlohmann::json JsonLine(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

std::vector<nlohmann::json> JsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(*ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') out.push_back(JsonLine(line));
  }
  return out;
}

TEST(CtwatchCliTest, IssueListRenewRevokeAndInventory) {
  ASSERT_TRUE(FileExists(kBinary)) << kBinary;
  PebbleServer* pebble = SharedPebble();
  ASSERT_NE(pebble, nullptr);
  const std::string dir = MakeTempDir("cli");
  const std::string config = WriteConfig(*pebble, dir);
  // stdout and stderr share the log; JSON lines start with '{'.
  ASSERT_EQ(RunCtwatch({"acme", "issue", "-c", config, "--json"}, dir + "/issue.log"), 0);
  auto issued = JsonLines(dir + "/issue.log");
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0]["result"], "issued");
  EXPECT_EQ(issued[0]["certificate"]["names"], (nlohmann::json{"crash.test", "www.crash.test"}));

  // Nothing to do a second time; renew is not due for a fresh certificate.
  ASSERT_EQ(RunCtwatch({"acme", "issue", "-c", config, "--json"}, dir + "/issue2.log"), 0);
  EXPECT_EQ(JsonLines(dir + "/issue2.log")[0]["result"], "skipped");
  ASSERT_EQ(RunCtwatch({"acme", "renew", "-c", config, "--json"}, dir + "/renew.log"), 0);
  EXPECT_EQ(JsonLines(dir + "/renew.log")[0]["result"], "skipped");
  ASSERT_EQ(RunCtwatch({"acme", "renew", "-c", config, "--json", "--force", "crash"},
                       dir + "/renew2.log"),
            0);
  auto renewed = JsonLines(dir + "/renew2.log");
  ASSERT_EQ(renewed.size(), 1u);
  EXPECT_EQ(renewed[0]["result"], "renewed");

  ASSERT_EQ(RunCtwatch({"acme", "list", "-c", config, "--json"}, dir + "/list.log"), 0);
  auto listed = JsonLines(dir + "/list.log");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["name"], "crash");
  EXPECT_EQ(listed[0]["certificate"]["id"], renewed[0]["certificate"]["id"]);
  EXPECT_TRUE(listed[0]["open_order"].is_null());

  ASSERT_EQ(RunCtwatch({"inventory", "list", "-c", config, "--json"}, dir + "/inv.log"), 0);
  auto inventory = JsonLines(dir + "/inv.log");
  ASSERT_EQ(inventory.size(), 2u);
  EXPECT_EQ(inventory[1]["status"], "replaced");
  EXPECT_EQ(inventory[1]["replaced_by"], inventory[0]["id"]);

  ASSERT_EQ(
      RunCtwatch({"acme", "revoke", "-c", config, "--name", "crash", "--reason", "keyCompromise"},
                 dir + "/revoke.log"),
      0);
  const std::string id = std::to_string(inventory[0]["id"].get<int64_t>());
  ASSERT_EQ(RunCtwatch({"inventory", "show", "-c", config, id, "--json"}, dir + "/show.log"), 0);
  auto shown = JsonLines(dir + "/show.log");
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["status"], "revoked");
  EXPECT_EQ(shown[0]["revocation_reason"], 1);
  EXPECT_NE(shown[0]["pem"].get<std::string>().find("BEGIN CERTIFICATE"), std::string::npos);

  ASSERT_EQ(RunCtwatch({"acme", "account", "-c", config, "--json"}, dir + "/account.log"), 0);
  auto account = JsonLines(dir + "/account.log");
  ASSERT_EQ(account.size(), 1u);
  EXPECT_EQ(account[0]["status"], "valid");
  EXPECT_EQ(account[0]["contact"], (nlohmann::json{"mailto:ops@example.test"}));
  // The account key never appears in any output.
  const std::string key_pem = *ReadFile(dir + "/acme/accounts/pebble/account.key");
  const std::string key_body = key_pem.substr(key_pem.find('\n') + 1, 40);
  for (const char* log : {"issue.log", "renew2.log", "account.log", "show.log"}) {
    EXPECT_EQ(ReadFile(dir + "/" + log)->find(key_body), std::string::npos) << log;
  }
  // A config error is a usage error (2).
  EXPECT_EQ(RunCtwatch({"acme", "issue", "-c", config, "nosuch"}, dir + "/bad.log"), 2);
}

}  // namespace
}  // namespace ctwatch
