// AcmeClient retry behaviour and the order flow's protocol corners, against a scripted HTTP
// peer and a fake clock (pebble 2.4.0 sends no Retry-After, 503, alreadyReplaced or profiles):
// badNonce with the nonce from the error, rateLimited/503 with Retry-After, capped 5xx backoff,
// transport retries, `replaces` dropped once on alreadyReplaced or a malformed answer about it,
// orderNotReady re-polled, and profiles checked against the directory.
#include "acme/acme_client.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "acme/order_runner.h"
#include "core/encoding.h"
#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using nlohmann::json;

class FakeClock final : public Clock {
 public:
  int64_t NowMs() const override { return now_; }
  void SleepMs(int64_t ms) override {
    sleeps.push_back(ms);
    now_ += ms;
  }
  std::vector<int64_t> sleeps;

 private:
  int64_t now_ = 1'700'000'000'000;
};

class ScriptedHttp final : public HttpClient {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    return handler(request);
  }
  Handler handler;
  std::vector<HttpRequest> requests;
};

constexpr char kDirectory[] =
    R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",
  "newOrder":"https://ca.test/order","revokeCert":"https://ca.test/revoke",
  "keyChange":"https://ca.test/key", "renewalInfo":"https://ca.test/ari",
  "meta":{"profiles":{"classic":"90 days","shortlived":"6 days"}}})";

HttpResponse Response(long status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpResponse Problem(long status, const std::string& type, const std::string& detail,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  return Response(
      status,
      json{{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}}
          .dump(),
      std::move(headers));
}

json Protected(const HttpRequest& r) {
  const json jws = json::parse(r.body);
  return json::parse(AsChars(*Base64UrlDecode(jws["protected"].get<std::string>())));
}

json Payload(const HttpRequest& r) {
  const json jws = json::parse(r.body);
  const std::string p(AsChars(*Base64UrlDecode(jws["payload"].get<std::string>())));
  return p.empty() ? json() : json::parse(p);
}

class AcmeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = GenerateKey(KeyType::kEcdsaP256);
    signer_ = std::make_unique<JwsSigner>(std::move(JwsSigner::Create(std::move(*key))).value());
    options_.max_bad_nonce_retries = 3;
    options_.max_attempts = 4;
    options_.backoff_base_ms = 100;
    options_.backoff_max_ms = 400;
    options_.max_retry_after_ms = 10'000;
    client_ = std::make_unique<AcmeClient>(&http_, &clock_, "https://ca.test/dir", options_);
    client_->SetAccount(signer_.get(), "https://ca.test/acct/1");
  }

  // Routes the directory and newNonce; everything else goes to `post`.
  void Route(std::function<Result<HttpResponse>(const HttpRequest&)> post) {
    http_.handler = [this, post](const HttpRequest& r) -> Result<HttpResponse> {
      if (r.url == "https://ca.test/dir") return Response(200, kDirectory);
      if (r.url == "https://ca.test/nonce") {
        return Response(200, "", {{"replay-nonce", "head" + std::to_string(++head_nonces_)}});
      }
      return post(r);
    };
  }

  std::vector<HttpRequest> Posts() const {
    std::vector<HttpRequest> out;
    for (const HttpRequest& r : http_.requests) {
      if (r.method == "POST") out.push_back(r);
    }
    return out;
  }

  FakeClock clock_;
  ScriptedHttp http_;
  AcmeClientOptions options_;
  std::unique_ptr<JwsSigner> signer_;
  std::unique_ptr<AcmeClient> client_;
  int head_nonces_ = 0;
};

TEST_F(AcmeClientTest, BadNonceIsRetriedWithTheNonceFromTheErrorResponse) {
  int calls = 0;
  Route([&](const HttpRequest&) {
    if (++calls == 1) return Problem(400, "badNonce", "stale", {{"replay-nonce", "from-error"}});
    return Response(200, "{}", {{"replay-nonce", "next"}});
  });
  auto r = client_->PostOk("thing", "https://ca.test/thing", std::string("{}"));
  ASSERT_THAT(r, IsOk());
  const auto posts = Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(Protected(posts[0])["nonce"], "head1");
  EXPECT_EQ(Protected(posts[1])["nonce"], "from-error");
  EXPECT_EQ(Protected(posts[1])["kid"], "https://ca.test/acct/1");
  EXPECT_EQ(client_->bad_nonce_retries(), 1);
  EXPECT_TRUE(clock_.sleeps.empty());
  // The pool now holds "next": no HEAD for the following request.
  ASSERT_THAT(client_->PostAsGet("thing", "https://ca.test/thing"), IsOk());
  EXPECT_EQ(Protected(Posts().back())["nonce"], "next");
  EXPECT_EQ(head_nonces_, 1);
}

TEST_F(AcmeClientTest, BadNonceRetriesAreBounded) {
  Route([&](const HttpRequest&) {
    return Problem(400, "badNonce", "never good", {{"replay-nonce", "x"}});
  });
  auto r = client_->PostOk("thing", "https://ca.test/thing", std::string("{}"));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("badNonce"), std::string::npos);
  EXPECT_EQ(Posts().size(), 4u);  // 1 + max_bad_nonce_retries
}

TEST_F(AcmeClientTest, RateLimitedWaitsForAShortRetryAfter) {
  int calls = 0;
  Route([&](const HttpRequest&) {
    if (++calls == 1)
      return Problem(429, "rateLimited", "slow down",
                     {{"retry-after", "2"}, {"replay-nonce", "a"}});
    return Response(200, "{}");
  });
  ASSERT_THAT(client_->PostOk("thing", "https://ca.test/thing", std::string("{}")), IsOk());
  EXPECT_EQ(clock_.sleeps, std::vector<int64_t>{2000});
}

TEST_F(AcmeClientTest, LongRetryAfterGoesBackToTheCaller) {
  Route([&](const HttpRequest&) {
    return Problem(429, "rateLimited", "too many certificates", {{"retry-after", "3600"}});
  });
  auto r = client_->PostOk("newOrder", "https://ca.test/order", std::string("{}"));
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_EQ(r.error().retry_after_ms, 3'600'000);
  EXPECT_TRUE(clock_.sleeps.empty());
  EXPECT_EQ(Posts().size(), 1u);
}

TEST_F(AcmeClientTest, ServiceUnavailableWithRetryAfterIsHonoured) {
  int calls = 0;
  Route([&](const HttpRequest&) {
    if (++calls == 1) return Response(503, "busy", {{"retry-after", "1"}});
    return Response(200, "{}");
  });
  ASSERT_THAT(client_->PostOk("thing", "https://ca.test/thing", std::string("{}")), IsOk());
  EXPECT_EQ(clock_.sleeps, std::vector<int64_t>{1000});
}

TEST_F(AcmeClientTest, ServerErrorsBackOffWithACap) {
  Route([&](const HttpRequest&) { return Problem(500, "serverInternal", "oops"); });
  auto r = client_->PostOk("thing", "https://ca.test/thing", std::string("{}"));
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kHttpStatus));
  EXPECT_EQ(Posts().size(), 4u);  // max_attempts
  ASSERT_EQ(clock_.sleeps.size(), 3u);
  for (int64_t s : clock_.sleeps) {
    EXPECT_GE(s, 50);
    EXPECT_LE(s, 400);
  }
}

TEST_F(AcmeClientTest, TransportFailuresAreRetriedUnlessTheRequestMustNotBeRepeated) {
  int calls = 0;
  Route([&](const HttpRequest&) -> Result<HttpResponse> {
    if (++calls <= 2) return MakeError(ErrorCode::kTimeout, "timed out");
    return Response(200, "{}");
  });
  ASSERT_THAT(client_->PostOk("thing", "https://ca.test/thing", std::string("{}")), IsOk());
  EXPECT_EQ(clock_.sleeps.size(), 2u);
  calls = 0;
  AcmeClient::PostOptions once;
  once.retry_transport = false;
  EXPECT_THAT(client_->Post("https://ca.test/order", std::string("{}"), once),
              IsErrorCode(ErrorCode::kTimeout));
}

// ---- the order flow against a scripted CA ----

class NoSolvers final : public SolverProvider {
 public:
  Result<ChallengeSolver*> Solver(std::string_view type) override {
    return MakeError(ErrorCode::kInvalidArgument, "no solver for " + std::string(type));
  }
};

class OrderFlowTest : public AcmeClientTest {
 protected:
  void SetUp() override {
    AcmeClientTest::SetUp();
    dir_ = ::ctwatch::testing::MakeTempDir("order-flow");
    auto store = OpenInventoryStore(dir_ + "/ctwatch.db");
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    files_ = std::make_unique<CertificateFiles>(dir_ + "/acme");
    OrderRunnerOptions options;
    options.ca_name = "scripted";
    runner_ = std::make_unique<OrderRunner>(client_.get(), store_.get(), files_.get(), &solvers_,
                                            &clock_, nullptr, options);
    request_.name = "web";
    request_.identifiers = {{"dns", "a.test"}};
  }

  static HttpResponse OrderResponse(long status, const std::string& order_status) {
    return Response(status,
                    json{{"status", order_status},
                         {"identifiers", {{{"type", "dns"}, {"value", "a.test"}}}},
                         {"authorizations", json::array()},
                         {"finalize", "https://ca.test/finalize/1"}}
                        .dump(),
                    {{"location", "https://ca.test/order/1"}, {"replay-nonce", "n"}});
  }

  std::vector<json> NewOrderPayloads() const {
    std::vector<json> out;
    for (const HttpRequest& r : http_.requests) {
      if (r.url == "https://ca.test/order" && r.method == "POST") out.push_back(Payload(r));
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<InventoryStore> store_;
  std::unique_ptr<CertificateFiles> files_;
  NoSolvers solvers_;
  std::unique_ptr<OrderRunner> runner_;
  IssueRequest request_;
};

TEST_F(OrderFlowTest, ReplacesIsDroppedOnceOnAlreadyReplaced) {
  request_.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  Route([&](const HttpRequest& r) {
    if (r.url == "https://ca.test/order") {
      if (Payload(r).contains("replaces"))
        return Problem(409, "alreadyReplaced", "already replaced");
      return OrderResponse(201, "pending");
    }
    return OrderResponse(200, "invalid");  // the order itself: ends the flow
  });
  auto r = runner_->Run(request_);
  EXPECT_FALSE(r.has_value());
  const auto payloads = NewOrderPayloads();
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0]["replaces"], request_.replaces);
  EXPECT_FALSE(payloads[1].contains("replaces"));
  EXPECT_EQ(payloads[1]["identifiers"], (json{{{"type", "dns"}, {"value", "a.test"}}}));
  auto orders = store_->ListOrders("web", false);
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].replaces, "");
  EXPECT_EQ((*orders)[0].state, OrderState::kFailed);
}

TEST_F(OrderFlowTest, ReplacesIsDroppedOnAMalformedAnswerAboutItButNotOtherwise) {
  request_.replaces = "x.y";
  Route([&](const HttpRequest& r) {
    if (r.url == "https://ca.test/order") {
      if (Payload(r).contains("replaces")) {
        return Problem(400, "malformed", "invalid replaces field: unknown certificate");
      }
      return OrderResponse(201, "pending");
    }
    return OrderResponse(200, "invalid");
  });
  (void)runner_->Run(request_);
  EXPECT_EQ(NewOrderPayloads().size(), 2u);

  http_.requests.clear();
  request_.name = "other";
  Route([&](const HttpRequest&) { return Problem(400, "malformed", "identifier is bad"); });
  auto r = runner_->Run(request_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(NewOrderPayloads().size(), 1u);
}

TEST_F(OrderFlowTest, ProfileIsSentWhenTheDirectoryListsItAndRefusedOtherwise) {
  request_.profile = "shortlived";
  Route([&](const HttpRequest& r) {
    if (r.url == "https://ca.test/order") return OrderResponse(201, "pending");
    return OrderResponse(200, "invalid");
  });
  (void)runner_->Run(request_);
  ASSERT_EQ(NewOrderPayloads().size(), 1u);
  EXPECT_EQ(NewOrderPayloads()[0]["profile"], "shortlived");

  http_.requests.clear();
  request_.name = "other";
  request_.profile = "tlsclient";
  auto r = runner_->Run(request_);
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_NE(r.error().message.find("classic, shortlived"), std::string::npos);
  EXPECT_TRUE(NewOrderPayloads().empty());  // refused before anything was sent
}

TEST_F(OrderFlowTest, OrderNotReadyIsRePolled) {
  int order_gets = 0;
  Route([&](const HttpRequest& r) {
    if (r.url == "https://ca.test/order") return OrderResponse(201, "ready");
    if (r.url == "https://ca.test/finalize/1") return Problem(403, "orderNotReady", "not yet");
    ++order_gets;
    if (order_gets == 1) return OrderResponse(200, "ready");
    if (order_gets == 2) return OrderResponse(200, "processing");
    return OrderResponse(200, "invalid");
  });
  auto r = runner_->Run(request_);
  EXPECT_FALSE(r.has_value());
  EXPECT_GE(order_gets, 3);
  int finalizes = 0;
  for (const HttpRequest& req : http_.requests)
    finalizes += req.url == "https://ca.test/finalize/1";
  EXPECT_EQ(finalizes, 1);
  // The failed order left no certificate key behind.
  EXPECT_FALSE(FileExists(files_->PendingKeyPath(1)));
}

TEST_F(OrderFlowTest, RateLimitedNewOrderClosesTheOrderAndCarriesRetryAfter) {
  Route([&](const HttpRequest&) {
    return Problem(429, "rateLimited", "too many new orders", {{"retry-after", "7200"}});
  });
  auto r = runner_->Run(request_);
  ASSERT_THAT(r, IsErrorCode(ErrorCode::kRateLimited));
  EXPECT_EQ(r.error().retry_after_ms, 7'200'000);
  EXPECT_FALSE(store_->FindOpenOrder("web")->has_value());
}

}  // namespace
}  // namespace ctwatch
