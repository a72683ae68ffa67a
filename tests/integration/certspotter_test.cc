// ctwatch and certspotter 0.16 (Debian package, an independent implementation) tail the same
// RFC 6962 test log with the same watch list and must discover the same certificates, by TBS
// SHA-256 (= ctwatch's certificate identity) and entry index.
#include <gtest/gtest.h>

#include "integration/harness.h"

namespace ctwatch::testing {
namespace {

const char* const kCertspotter = "/usr/bin/certspotter";

TEST(CertspotterTest, DiscoversTheSameCertificatesAsCtwatch) {
  if (access(kCertspotter, X_OK) != 0) GTEST_SKIP() << "certspotter is not installed";
  IngestHarness h("certspotter", SmallLog(4000, {{"www.example.com", "example.com"},
                                                 {"api.example.com"},
                                                 {"a.b.c.example.com", "unrelated.net"},
                                                 {"example.com.attacker.net"},
                                                 {"notexample.com"}}));
  const std::string dir = h.dir();
  ASSERT_THAT(WriteFileAtomic(dir + "/loglist-rfc6962.json", h.server().LogListJson(true)), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/watchlist", ".example.com\n"), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/hook.sh",
                              "#!/bin/sh\n[ \"$EVENT\" = discovered_cert ] && "
                              "echo \"$TBS_SHA256|$ENTRY_INDEX\" >> \"$(dirname \"$0\")/events\"\n"
                              "exit 0\n",
                              0755),
              IsOk());
  std::filesystem::create_directories(dir + "/cs-config");
  Child certspotter({kCertspotter, "-logs", dir + "/loglist-rfc6962.json", "-watchlist",
                     dir + "/watchlist", "-state_dir", dir + "/cs-state", "-script", dir + "/hook.sh"},
                    {"CERTSPOTTER_CONFIG_DIR=" + dir + "/cs-config", "HOME=" + dir},
                    dir + "/cs.out", dir + "/cs.err");
  ASSERT_TRUE(certspotter.started());

  CtwatchResult r = h.Run({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> ours;
  for (const auto& c : h.Json("certs")) {
    for (const auto& s : c["sightings"]) {
      if (s["log"] != kBothLogs[0]) continue;
      ours.insert(c["identity"].get<std::string>() + "|" + std::to_string(s["index"].get<uint64_t>()));
    }
  }
  ASSERT_EQ(ours.size(), 6u);  // 3 certificates, each as precert and cert

  // certspotter reports as it goes; wait until it has reported as many (bounded).
  std::set<std::string> theirs;
  for (int i = 0; i < 600 && theirs.size() < ours.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto lines = Lines(Slurp(dir + "/events"));
    theirs = std::set<std::string>(lines.begin(), lines.end());
  }
  // A little longer, to catch anything certspotter reports beyond ctwatch.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto lines = Lines(Slurp(dir + "/events"));
  theirs = std::set<std::string>(lines.begin(), lines.end());
  certspotter.Signal(SIGTERM);
  certspotter.Wait(std::chrono::seconds(10));
  EXPECT_EQ(theirs, ours) << Slurp(dir + "/cs.err");
}

}  // namespace
}  // namespace ctwatch::testing
