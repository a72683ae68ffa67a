// The e-mail sink against a real SMTP server on 127.0.0.1 (tests/alerts/smtp_server.py, on
// Debian's python3-aiosmtpd) that requires STARTTLS and AUTH; the server parses every message
// with Python's e-mail parser and the test checks what it saw.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "alerts/dispatcher.h"
#include "alerts/sink.h"
#include "alerts_test_util.h"
#include "core/file.h"

extern char** environ;

namespace ctwatch {
namespace {

using alerts_testing::AlertsDb;
using alerts_testing::MakeTempDir;
using alerts_testing::WaitFor;
using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";

class EmailSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
    dir_ = MakeTempDir("ctwatch-email");
    mkdir((dir_ + "/mail").c_str(), 0700);
    const std::string openssl =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(openssl.c_str()), 0);
    const std::string script = std::string(CTWATCH_SOURCE_DIR) + "/tests/alerts/smtp_server.py";
    std::vector<std::string> args = {
        kPython,        script,    "--port-file",      dir_ + "/port", "--out",
        dir_ + "/mail", "--cert",  dir_ + "/cert.pem", "--key",        dir_ + "/key.pem",
        "--user",       "ctwatch", "--password",       "smtp-pass-456"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&server_pid_, kPython, nullptr, nullptr, argv.data(), environ), 0);
    ASSERT_TRUE(WaitFor([&] { return FileExists(dir_ + "/port"); }, 20'000));
    port_ = std::stoi(*ReadFile(dir_ + "/port"));
    db_ = std::make_unique<AlertsDb>(dir_);
  }

  void TearDown() override {
    if (dispatcher_) dispatcher_->Stop();
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      waitpid(server_pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  SinkConfig Email(const std::string& password) {
    SinkConfig s;
    s.name = "mail";
    s.type = SinkType::kEmail;
    s.timeout_ms = 5000;
    s.email.url = "smtp://127.0.0.1:" + std::to_string(port_);
    s.email.from = "ctwatch@example.com";
    s.email.to = {"soc@example.com", "oncall@example.com"};
    s.email.username = "ctwatch";
    s.email.password = password;
    s.email.ca_file = dir_ + "/cert.pem";
    return s;
  }

  std::vector<json> Received() {
    std::vector<json> out;
    for (int i = 1;; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "/%04d.json", i);
      Result<std::string> text = ReadFile(dir_ + "/mail" + name);
      if (!text.has_value()) break;
      out.push_back(json::parse(*text));
    }
    return out;
  }

  std::string dir_;
  pid_t server_pid_ = -1;
  int port_ = 0;
  std::unique_ptr<AlertsDb> db_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(EmailSinkTest, DeliversOverStartTlsWithAuth) {
  SinkConfig sink = Email("smtp-pass-456");
  auto made = MakeSink(sink, {});
  ASSERT_TRUE(made.has_value());
  std::vector<std::unique_ptr<Sink>> impls;
  impls.push_back(std::move(made).value());
  DeliveryConfig delivery{.poll_interval_ms = 20, .retry_base_ms = 50, .retry_max_ms = 200};
  dispatcher_ = std::make_unique<Dispatcher>(db_->alerts(), delivery, std::vector<SinkConfig>{sink},
                                             std::move(impls));
  dispatcher_->Start();
  db_->CommitCertificateFinding({"www.example.com"}, Severity::kCritical, "foreign_issuance");
  // Untrusted certificate data must not reach the headers raw (no header injection) and
  // non-ASCII must be encoded.
  db_->CommitCertificateFinding({"b\xc3\xbc"
                                 "cher.example.com\r\nBcc: evil@example.net"},
                                Severity::kHigh);
  ASSERT_TRUE(WaitFor([&] { return Received().size() == 2; }, 20'000));
  const std::vector<json> mail = Received();
  const json& m = mail[0];
  EXPECT_TRUE(m["tls"].get<bool>());
  EXPECT_TRUE(m["authenticated"].get<bool>());
  EXPECT_EQ(m["login"], "ctwatch");
  EXPECT_EQ(m["mail_from"], "ctwatch@example.com");
  EXPECT_EQ(m["rcpt_tos"], json({"soc@example.com", "oncall@example.com"}));
  EXPECT_EQ(m["subject"], "[ctwatch] critical foreign_issuance: www.example.com");
  EXPECT_EQ(m["content_type"], "text/plain");
  EXPECT_EQ(m["charset"], "utf-8");
  const std::string key = m["headers"]["x-ctwatch-idempotency-key"];
  EXPECT_EQ(key.rfind("ctw-", 0), 0u);
  EXPECT_EQ(m["headers"]["message-id"], "<" + key + "@ctwatch>");
  EXPECT_EQ(m["headers"]["auto-submitted"], "auto-generated");
  const std::string body = m["body"];
  EXPECT_NE(body.find("foreign_issuance for www.example.com"), std::string::npos) << body;
  EXPECT_NE(body.find("issuer:      C=US, O=Test CA, CN=Test Issuing CA"), std::string::npos)
      << body;
  EXPECT_NE(body.find("https://crt.sh/?sha256="), std::string::npos) << body;
  EXPECT_NE(body.find("Idempotency key: " + key), std::string::npos) << body;

  const json& hostile = mail[1];
  EXPECT_EQ(hostile["header_names"].size(), m["header_names"].size());
  for (const json& name : hostile["header_names"]) EXPECT_NE(name, "bcc");
  EXPECT_EQ(hostile["rcpt_tos"].size(), 2u);
  const std::string subject = hostile["subject"];
  EXPECT_NE(subject.find("b\xc3\xbc"
                         "cher.example.com  Bcc: evil@example.net"),
            std::string::npos)
      << subject;
}

TEST_F(EmailSinkTest, WrongPasswordFailsAndNothingIsAccepted) {
  auto made = MakeSink(Email("wrong"), {});
  ASSERT_TRUE(made.has_value());
  OutgoingMessage m{.sink = "mail",
                    .idempotency_key = "ctw-abc",
                    .kind = MessageKind::kTest,
                    .created_ms = SystemClock::Get()->NowMs(),
                    .payload = "test"};
  Status s = (*made)->Deliver(m);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("535"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("wrong"), std::string::npos) << s.error().message;
  EXPECT_TRUE(Received().empty());
}

TEST_F(EmailSinkTest, RefusesAServerWithoutTheTrustedCertificate) {
  SinkConfig sink = Email("smtp-pass-456");
  sink.email.ca_file = "";  // the self-signed certificate is not in the system store
  auto made = MakeSink(sink, {});
  ASSERT_TRUE(made.has_value());
  OutgoingMessage m{.sink = "mail",
                    .idempotency_key = "ctw-abc",
                    .kind = MessageKind::kTest,
                    .created_ms = SystemClock::Get()->NowMs(),
                    .payload = "test"};
  EXPECT_FALSE((*made)->Deliver(m).has_value());
  EXPECT_TRUE(Received().empty());
}

}  // namespace
}  // namespace ctwatch
