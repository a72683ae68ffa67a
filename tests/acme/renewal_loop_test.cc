// The renewal scheduler against the real pebble with certificates valid for a few seconds: left
// running on its own it renews more than once, and the inventory shows the chain of
// replacements; and the same inside `ctwatch run` (with an empty CT log list), stopped by
// SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "acme/renewal_scheduler.h"
#include "core/file.h"
#include "pebble_harness.h"
#include "store/store.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;

constexpr int kValiditySeconds = 6;  // renewed at half: every 3 s

TEST(RenewalLoopTest, SchedulerRenewsOnItsOwnMoreThanOnce) {
  auto* pebble = ::ctwatch::testing::SharedPebble({.validity_seconds = kValiditySeconds});
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("loop");
  AcmeConfig config = ::ctwatch::testing::PebbleAcmeConfig(*pebble, dir);
  AcmeCertificateConfig cert;
  cert.name = "loop";
  cert.domains = {"loop.test"};
  config.certificates.push_back(cert);
  auto engine = AcmeEngine::Open(config, dir + "/ctwatch.db");
  ASSERT_THAT(engine, IsOk());
  auto state = RenewalStateStore::Open(dir + "/ctwatch.db");
  ASSERT_THAT(state, IsOk());
  auto findings = OpenSqliteStore({.path = dir + "/ctwatch.db"});
  ASSERT_THAT(findings, IsOk());
  EngineRenewalBackend backend(engine->get());
  RenewalScheduler scheduler(config, (*engine)->inventory(), state->get(), &backend,
                             findings->get());
  scheduler.Start();
  const int64_t deadline = MonotonicMs() + 30'000;
  size_t count = 0;
  while (MonotonicMs() < deadline) {
    count = (*engine)->inventory()->ListCertificates({.name = "loop"})->size();
    if (count >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  scheduler.Stop();
  auto certs = (*engine)->inventory()->ListCertificates({.name = "loop"});  // newest first
  ASSERT_THAT(certs, IsOk());
  ASSERT_GE(certs->size(), 3u) << "renewals seen: " << certs->size();
  EXPECT_EQ((*certs)[0].not_after_ms - (*certs)[0].not_before_ms,
            kValiditySeconds * 1000 - 1000);  // pebble: notAfter = notBefore + period - 1 s
  for (size_t i = 1; i < certs->size(); ++i) {
    EXPECT_EQ((*certs)[i].status, "replaced") << i;
    EXPECT_EQ((*certs)[i].replaced_by, (*certs)[i - 1].id) << i;
    EXPECT_LE((*certs)[i].not_before_ms, (*certs)[i - 1].not_before_ms);
  }
  EXPECT_EQ((*certs)[0].status, "active");
  EXPECT_EQ(state->get()->Get("loop")->failures, 0);
  EXPECT_GE(scheduler.completed_passes(), 3);
  // Nothing failed, so no finding.
  EXPECT_TRUE((*findings)->ListFindings({.kind = "renewal_failed"})->empty());
}

TEST(RenewalLoopTest, CtwatchRunRenewsInTheBackground) {
  const std::string binary = std::string(CTWATCH_BINARY_DIR) + "/bin/ctwatch";
  ASSERT_TRUE(FileExists(binary)) << binary;
  auto* pebble = ::ctwatch::testing::SharedPebble({.validity_seconds = kValiditySeconds});
  ASSERT_NE(pebble, nullptr);
  const std::string dir = ::ctwatch::testing::MakeTempDir("run");
  // No CT logs at all: the daemon only runs its scheduler (and never leaves loopback).
  ASSERT_THAT(WriteFileAtomic(dir + "/log_list.json",
                              R"({"version": "1", "log_list_timestamp": "2026-01-01T00:00:00Z",)"
                              R"( "operators": []})"),
              IsOk());
  std::ostringstream c;
  c << "[service]\ndatabase = \"" << dir << "/ctwatch.db\"\n"
    << "[logs]\nlist = \"" << dir << "/log_list.json\"\n"
    << "[acme]\nstorage = \"" << dir << "/acme\"\n"
    << "[acme.http01]\nport = " << pebble->http_port() << "\n"
    << "[[acme.ca]]\nname = \"pebble\"\ndirectory = \"" << pebble->directory_url() << "\"\n"
    << "ca_file = \"" << pebble->ca_file() << "\"\n"
    << "[[acme.certificate]]\nname = \"daemon\"\ndomains = [\"daemon.test\"]\n";
  ASSERT_THAT(WriteFileAtomic(dir + "/ctwatch.toml", c.str()), IsOk());
  auto pid =
      ::ctwatch::testing::Spawn({binary, "run", "-c", dir + "/ctwatch.toml"}, {}, dir + "/run.log");
  ASSERT_THAT(pid, IsOk());
  const int64_t deadline = MonotonicMs() + 30'000;
  size_t count = 0;
  std::unique_ptr<InventoryStore> inventory;
  while (MonotonicMs() < deadline) {
    if (!inventory && FileExists(dir + "/ctwatch.db")) {
      auto opened = OpenInventoryStore(dir + "/ctwatch.db");
      if (opened.has_value()) inventory = std::move(*opened);
    }
    if (inventory) {
      auto certs = inventory->ListCertificates({.name = "daemon"});
      if (certs.has_value()) count = certs->size();
      if (count >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(*pid, SIGTERM);
  EXPECT_EQ(::ctwatch::testing::WaitExit(*pid, 30'000), 0) << "see " << dir << "/run.log";
  ASSERT_GE(count, 3u) << "see " << dir << "/run.log";
  auto certs = inventory->ListCertificates({.name = "daemon"});
  for (size_t i = 1; i < certs->size(); ++i) {
    EXPECT_EQ((*certs)[i].replaced_by, (*certs)[i - 1].id) << i;
  }
  EXPECT_TRUE(FileExists(dir + "/acme/live/daemon/fullchain.pem"));
}

}  // namespace
}  // namespace ctwatch
