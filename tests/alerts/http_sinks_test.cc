// The webhook and Slack sinks through the Dispatcher, against an HTTP server on 127.0.0.1:
// signature and idempotency key, custom headers, and a receiver that is down, slow, failing
// (500) or throttling (429 + Retry-After) before it accepts.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <set>

#include "alerts/dispatcher.h"
#include "alerts/sink.h"
#include "alerts_test_util.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

using alerts_testing::AlertsDb;
using alerts_testing::MakeTempDir;
using alerts_testing::ReceivedRequest;
using alerts_testing::Receiver;
using alerts_testing::WaitFor;
using nlohmann::json;

// An independent HMAC-SHA256 check of the "t=<s>,v1=<hex>" header over "<s>.<body>".
bool SignatureValid(const std::string& header, const std::string& secret, const std::string& body) {
  const size_t comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  const std::string signed_data = t + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size(), mac, &len);
  return header.substr(comma + 4) == HexEncode(ByteView(mac, len));
}

class HttpSinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ctwatch-http-sinks");
    db_ = std::make_unique<AlertsDb>(dir_);
    delivery_.poll_interval_ms = 20;
    delivery_.retry_base_ms = 50;
    delivery_.retry_max_ms = 200;
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop();
    std::filesystem::remove_all(dir_);
  }

  SinkConfig Webhook(const std::string& secret = "") {
    SinkConfig s;
    s.name = "soc";
    s.type = SinkType::kWebhook;
    s.timeout_ms = 2000;
    s.webhook.url = receiver_.Url("/hooks/ctwatch");
    s.webhook.secret = secret;
    s.webhook.headers = {{"X-Team", "blue"}};
    return s;
  }

  void Start(const SinkConfig& sink) {
    std::vector<std::unique_ptr<Sink>> impls;
    auto made = MakeSink(sink, {});
    ASSERT_TRUE(made.has_value());
    impls.push_back(std::move(made).value());
    dispatcher_ = std::make_unique<Dispatcher>(db_->alerts(), delivery_,
                                               std::vector<SinkConfig>{sink}, std::move(impls));
    dispatcher_->Start();
  }

  // Every request that carried finding `id`, by idempotency key.
  static std::set<std::string> KeysFor(const std::vector<ReceivedRequest>& requests, int64_t id) {
    std::set<std::string> keys;
    for (const ReceivedRequest& r : requests) {
      const json j = json::parse(r.body);
      for (const json& f : j["findings"]) {
        if (f["id"] == id) keys.insert(r.Header("idempotency-key"));
      }
    }
    return keys;
  }

  std::string dir_;
  std::unique_ptr<AlertsDb> db_;
  DeliveryConfig delivery_;
  Receiver receiver_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(HttpSinksTest, WebhookPostsSignedJsonWithIdempotencyKey) {
  Start(Webhook("webhook-secret-123"));
  db_->CommitCertificateFinding({"www.example.com", "api.example.com"});
  ASSERT_TRUE(WaitFor([&] { return receiver_.accepted().size() == 1; }));
  const ReceivedRequest r = receiver_.accepted()[0];
  EXPECT_EQ(r.path, "/hooks/ctwatch");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("x-team"), "blue");
  EXPECT_EQ(r.Header("x-ctwatch-event"), "finding");
  EXPECT_TRUE(SignatureValid(r.Header("x-ctwatch-signature"), "webhook-secret-123", r.body))
      << r.Header("x-ctwatch-signature");
  EXPECT_FALSE(SignatureValid(r.Header("x-ctwatch-signature"), "another-secret", r.body));
  const json j = json::parse(r.body);
  EXPECT_EQ(j["idempotency_key"], r.Header("idempotency-key"));
  EXPECT_EQ(j["type"], "finding");
  EXPECT_EQ(j["count"], 1);
  EXPECT_EQ(j["findings"][0]["kind"], "owned_certificate");
  EXPECT_EQ(j["findings"][0]["names"], json({"www.example.com", "api.example.com"}));
  EXPECT_EQ(j["findings"][0]["certificate"]["issuer"], "C=US, O=Test CA, CN=Test Issuing CA");
  EXPECT_EQ(j["findings"][0]["log"]["name"], "Test Log 2026");
}

TEST_F(HttpSinksTest, ReceiverDownThenBackGetsItWithTheSameKey) {
  const int port = receiver_.port();
  receiver_.Stop();
  Start(Webhook());
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] {
    auto states = dispatcher_->SinkStates();
    return states[0].failing_since_ms.has_value();
  }));
  EXPECT_NE(dispatcher_->SinkStates()[0].last_error.find("127.0.0.1"), std::string::npos);
  receiver_.Start(port);
  ASSERT_TRUE(WaitFor([&] { return receiver_.accepted().size() == 1; }));
  // The receiver records the request before the dispatcher has read the answer.
  EXPECT_TRUE(WaitFor([&] { return !dispatcher_->SinkStates()[0].failing_since_ms.has_value(); }));
  EXPECT_EQ(receiver_.accepted().size(), 1u);
}

TEST_F(HttpSinksTest, SlowReceiverTimesOutThenDelivers) {
  std::atomic<bool> slow{true};
  receiver_.Respond([&](const httplib::Request&, httplib::Response& res) {
    if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(800));
    res.status = 200;
  });
  SinkConfig sink = Webhook();
  sink.timeout_ms = 200;
  Start(sink);
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return receiver_.all().size() >= 2; }));
  slow = false;
  ASSERT_TRUE(WaitFor([&] {
    auto stats = db_->alerts()->QueueStats();
    return stats.has_value() && (*stats)["soc"].delivered == 1;
  }));
  // The slow requests may have been processed too (the receiver finished them after we gave
  // up waiting): every copy carries the same key.
  const auto keys = KeysFor(receiver_.all(), 1);
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(HttpSinksTest, ServerErrorsAreRetriedUntilAccepted) {
  std::atomic<int> calls{0};
  receiver_.Respond([&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls <= 3 ? 500 : 204;
  });
  Start(Webhook());
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return receiver_.accepted().size() == 1; }));
  EXPECT_EQ(receiver_.all().size(), 4u);
  EXPECT_EQ(KeysFor(receiver_.all(), 1).size(), 1u);
}

TEST_F(HttpSinksTest, TooManyRequestsHonoursRetryAfter) {
  std::atomic<int> calls{0};
  receiver_.Respond([&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
    }
  });
  Start(Webhook());
  db_->CommitCertificateFinding({"www.example.com"});
  ASSERT_TRUE(WaitFor([&] { return receiver_.accepted().size() == 1; }));
  const auto all = receiver_.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_GE(all[1].at_ms - all[0].at_ms, 950);  // not the 50 ms backoff: the server's second
}

TEST_F(HttpSinksTest, SlackGetsReadableTextWithLink) {
  SinkConfig sink;
  sink.name = "slack";
  sink.type = SinkType::kSlack;
  sink.slack.url = receiver_.Url("/services/T000/B000/XXXXSECRET");
  Start(sink);
  db_->CommitCertificateFinding({"www.example.com"}, Severity::kCritical, "foreign_issuance");
  ASSERT_TRUE(WaitFor([&] { return receiver_.accepted().size() == 1; }));
  const ReceivedRequest r = receiver_.accepted()[0];
  const json j = json::parse(r.body);
  const std::string text = j["text"];
  EXPECT_NE(text.find("*critical foreign_issuance: www.example.com*"), std::string::npos) << text;
  EXPECT_NE(text.find("<https://crt.sh/?sha256="), std::string::npos) << text;
  EXPECT_NE(text.find("|View certificate>"), std::string::npos) << text;
  EXPECT_NE(text.find("Issuer: C=US, O=Test CA, CN=Test Issuing CA"), std::string::npos) << text;
  EXPECT_NE(text.find(r.Header("idempotency-key")), std::string::npos) << text;
  EXPECT_EQ(j["unfurl_links"], false);
}

TEST_F(HttpSinksTest, ErrorsNeverShowTheWebhookPath) {
  receiver_.Respond([](const httplib::Request&, httplib::Response& res) { res.status = 403; });
  SinkConfig sink;
  sink.name = "slack";
  sink.type = SinkType::kSlack;
  sink.slack.url = receiver_.Url("/services/T000/B000/XXXXSECRET");
  auto made = MakeSink(sink, {});
  ASSERT_TRUE(made.has_value());
  OutgoingMessage m{.sink = "slack", .idempotency_key = "ctw-test", .kind = MessageKind::kTest};
  Status s = (*made)->Deliver(m);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message.find("XXXXSECRET"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("403"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace ctwatch
