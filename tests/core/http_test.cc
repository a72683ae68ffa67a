// CurlHttpClient against a real HTTP server (cpp-httplib) on 127.0.0.1.
#include "core/http.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
      res.set_header("X-Thing", "1");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'b'), "text/plain");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    server_.Get("/limited", [](const httplib::Request&, httplib::Response& res) {
      res.status = 429;
      res.set_header("Retry-After", "7");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HttpTest, GetReturnsBodyAndHeaders) {
  CurlHttpClient client;
  auto r = client.Send({.url = Url("/hello")});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->Header("x-thing").value_or(""), "1");
}

TEST_F(HttpTest, PostSendsBody) {
  CurlHttpClient client;
  auto r = client.Send({.method = "POST", .url = Url("/echo"), .body = "payload"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->body, "payload");
}

TEST_F(HttpTest, BodyCapAbortsTransfer) {
  CurlHttpClient client;
  EXPECT_THAT(client.Send({.url = Url("/big"), .max_body_bytes = 1000}),
              IsErrorCode(ErrorCode::kResourceExhausted));
}

TEST_F(HttpTest, TimeoutIsReported) {
  CurlHttpClient client;
  EXPECT_THAT(client.Send({.url = Url("/slow"), .timeout_ms = 300}),
              IsErrorCode(ErrorCode::kTimeout));
}

TEST_F(HttpTest, RateLimitCarriesRetryAfter) {
  CurlHttpClient client;
  auto r = client.Send({.url = Url("/limited")});
  ASSERT_THAT(r, IsOk());
  Status s = CheckHttpStatus(*r, Url("/limited"), 0);
  ASSERT_THAT(s, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_EQ(s.error().retry_after_ms, 7000);
}

TEST_F(HttpTest, ConnectionRefusedIsNetworkError) {
  CurlHttpClient client;
  server_.stop();
  thread_.join();
  thread_ = std::thread([] {});
  EXPECT_THAT(client.Send({.url = Url("/hello"), .timeout_ms = 2000}),
              IsErrorCode(ErrorCode::kNetwork));
}

TEST(RetryAfterTest, ParsesSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfterMs("120", 0), 120000);
  EXPECT_EQ(ParseRetryAfterMs("Thu, 01 Jan 1970 00:01:00 GMT", 0), 60000);
  EXPECT_FALSE(ParseRetryAfterMs("soon", 0).has_value());
}

}  // namespace
}  // namespace ctwatch
