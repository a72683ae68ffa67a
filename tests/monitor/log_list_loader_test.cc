// Loading the log list: signature checked when configured, the bundled snapshot used (with a
// warning) when the list cannot be read or verified, URLs served from 127.0.0.1.
#include "monitor/log_list_loader.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "core/file.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using ::ctwatch::testing::TestDataPath;

const std::string kList = "loglist/v3/google-log_list-2026-01-03.json";
const std::string kSig = "loglist/v3/google-log_list-2026-01-03.sig";
const std::string kOlderList = "loglist/v3/google-log_list-2024-06-30.json";
const std::string kKey = "loglist/google-log-list-signing-key.pem";

TEST(LogListLoaderTest, VerifiesTheSignatureOfAFile) {
  CurlHttpClient http;
  auto loaded = LoadLogList(
      {.list = TestDataPath(kList), .signature = TestDataPath(kSig), .key = TestDataPath(kKey)}, &http);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE(loaded->signature_verified);
  EXPECT_FALSE(loaded->fallback);
  EXPECT_EQ(loaded->list.logs.size(), 75u);
}

TEST(LogListLoaderTest, WrongSignatureIsRefusedWithoutFallback) {
  CurlHttpClient http;
  // The 2024 list with the 2026 list's signature.
  auto loaded = LoadLogList(
      {.list = TestDataPath(kOlderList), .signature = TestDataPath(kSig), .key = TestDataPath(kKey)},
      &http);
  EXPECT_THAT(loaded, IsErrorCode(ErrorCode::kVerification));
}

TEST(LogListLoaderTest, FallsBackToTheSnapshotWhenTheListFails) {
  char tmpl[] = "/tmp/ctwatch-loglist-test-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  // A snapshot with its signature beside it, as config/ ships it.
  ASSERT_THAT(WriteFileAtomic(dir + "/log_list.json", ReadTestData(kList)), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/log_list.json.sig", ReadTestData(kSig)), IsOk());
  CurlHttpClient http;
  for (const std::string& list : {dir + "/missing.json", TestDataPath(kOlderList)}) {
    auto loaded = LoadLogList({.list = list, .signature = TestDataPath(kSig),
                               .key = TestDataPath(kKey), .fallback = dir + "/log_list.json"},
                              &http);
    ASSERT_THAT(loaded, IsOk()) << list;
    EXPECT_TRUE(loaded->fallback);
    EXPECT_TRUE(loaded->signature_verified);
    EXPECT_EQ(loaded->source, dir + "/log_list.json");
  }
  // A snapshot whose signature does not match is not used either.
  ASSERT_THAT(WriteFileAtomic(dir + "/log_list.json", ReadTestData(kOlderList)), IsOk());
  EXPECT_THAT(LoadLogList({.list = dir + "/missing.json", .key = TestDataPath(kKey),
                           .fallback = dir + "/log_list.json"},
                          &http),
              IsErrorCode(ErrorCode::kVerification));
}

TEST(LogListLoaderTest, TruncatedListFailsClearly) {
  CurlHttpClient http;
  auto loaded =
      LoadLogList({.list = TestDataPath("loglist/v3/appmattus-testdata-log_list_incomplete.json")}, &http);
  ASSERT_THAT(loaded, IsErrorCode(ErrorCode::kParse));
  EXPECT_NE(loaded.error().message.find("appmattus-testdata-log_list_incomplete.json"), std::string::npos)
      << loaded.error().message;
}

TEST(LogListLoaderTest, ReadsListAndSignatureFromUrls) {
  httplib::Server server;
  const std::string list = ReadTestData(kList), sig = ReadTestData(kSig);
  server.Get("/log_list.json", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(list, "application/json");
  });
  server.Get("/log_list.sig", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(sig, "application/octet-stream");
  });
  server.Get("/down.json", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  {
    CurlHttpClient http;  // closed before the server stops (no keep-alive wait)
    auto loaded = LoadLogList({.list = base + "/log_list.json", .signature = base + "/log_list.sig",
                               .key = TestDataPath(kKey)},
                              &http);
    EXPECT_THAT(loaded, IsOk());
    EXPECT_TRUE(loaded.has_value() && loaded->signature_verified);
    EXPECT_THAT(LoadLogList({.list = base + "/down.json"}, &http),
                IsErrorCode(ErrorCode::kRateLimited));
  }
  server.stop();
  t.join();
}

}  // namespace
}  // namespace ctwatch
