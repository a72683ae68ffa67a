// Shared fixtures of the alert tests: a fresh database with one log, helpers that commit
// findings the way ingestion does (CommitBatch with a verified head, or AddFinding), and an
// HTTP receiver on 127.0.0.1 that records requests and answers as the test says.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "alerts/alert_store.h"
#include "core/clock.h"
#include "store/store.h"
#include "test_util.h"

namespace ctwatch::alerts_testing {

inline Sha256Hash H(uint8_t fill, uint8_t last = 0) {
  Sha256Hash h;
  h.fill(fill);
  h[31] = last;
  return h;
}

inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  if (dir == nullptr) ADD_FAILURE() << "mkdtemp failed";
  return tmpl;
}

// Waits up to `timeout_ms` for `done`, polling every 10 ms.
inline bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms = 10'000) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (MonotonicMs() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// A database with one log and helpers to commit findings through the Store.
class AlertsDb {
 public:
  explicit AlertsDb(const std::string& dir) : dir_(dir), path_(dir + "/ctwatch.db") {
    auto store = OpenSqliteStore({.path = path_});
    EXPECT_TRUE(store.has_value());
    store_ = std::move(store).value();
    log_ = {.log_id = H(1),
            .description = "Test Log 2026",
            .api = "rfc6962",
            .url = "https://ct.example.net/2026/",
            .list_state = "usable"};
    EXPECT_TRUE(store_->EnsureLog(log_, {.compact_range = {1}, .verified_range = {1}}).has_value());
    auto alerts = OpenSqliteAlertStore(path_);
    EXPECT_TRUE(alerts.has_value());
    alerts_ = std::move(alerts).value();
  }

  // Commits one verified batch holding one matched certificate with one finding, as the
  // tailer does. Returns the certificate's identity.
  Sha256Hash CommitCertificateFinding(const std::vector<std::string>& names,
                                      Severity severity = Severity::kHigh,
                                      const std::string& kind = "owned_certificate",
                                      std::optional<Sha256Hash> identity = std::nullopt,
                                      std::optional<Sha256Hash> issuer_key = std::nullopt) {
    const uint64_t index = position_;
    const Sha256Hash id = identity.value_or(H(0x40, static_cast<uint8_t>(++counter_)));
    MatchedEntry m;
    m.index = index;
    m.timestamp_ms = 1'700'000'000'000 + index;
    CertificateRecord& c = m.certificate;
    c.identity = id;
    c.entry_type = "cert";
    c.cert_sha256 = H(0x50, static_cast<uint8_t>(counter_));
    c.subject_dn = "CN=" + names.front();
    c.issuer_dn = "C=US, O=Test CA, CN=Test Issuing CA";
    c.serial_hex = "00ab12";
    c.not_before_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
    c.not_after_ms = 1'775'001'600'000;   // 2026-04-01T00:00:00Z
    c.spki_sha256 = H(0x60, static_cast<uint8_t>(counter_));
    c.issuer_key_hash = issuer_key.value_or(H(0x70));
    c.names = names;
    c.der = der_;
    std::string dedup = kind + ":" + std::to_string(index) + ":" + names.front();
    m.findings.push_back({.kind = kind,
                          .severity = severity,
                          .identity = id,
                          .names = names,
                          .detail = kind + " for " + names.front(),
                          .dedup_key = dedup});
    IngestBatch b{.log_id = log_.log_id,
                  .start = index,
                  .end = index + 1,
                  .compact_range = {2},
                  .verified = VerifiedHead{index + 1, H(9)}};
    b.matches.push_back(std::move(m));
    EXPECT_TRUE(store_->CommitBatch(b).has_value());
    position_ = index + 1;
    return id;
  }

  // `n` certificates with one finding each, in one verified batch (a storm).
  void CommitManyFindings(int n) {
    IngestBatch b{.log_id = log_.log_id,
                  .start = position_,
                  .end = position_ + n,
                  .compact_range = {2},
                  .verified = VerifiedHead{position_ + n, H(9)}};
    for (int i = 0; i < n; ++i) {
      const uint64_t index = position_ + i;
      MatchedEntry m;
      m.index = index;
      m.certificate = {.identity = H(0x41, 0),
                       .entry_type = "cert",
                       .subject_dn = "CN=x",
                       .issuer_dn = "CN=Test CA",
                       .serial_hex = "01",
                       .names = {"s" + std::to_string(index) + ".example.com"},
                       .der = der_};
      m.certificate.identity[0] = static_cast<uint8_t>(index >> 8);
      m.certificate.identity[1] = static_cast<uint8_t>(index);
      m.findings.push_back({.kind = "lookalike",
                            .severity = Severity::kMedium,
                            .identity = m.certificate.identity,
                            .names = m.certificate.names,
                            .detail = "storm",
                            .dedup_key = "storm:" + std::to_string(index)});
      b.matches.push_back(std::move(m));
    }
    EXPECT_TRUE(store_->CommitBatch(b).has_value());
    position_ += n;
  }

  // A finding not tied to an entry (as the tailer's log findings).
  void AddLogFinding(const std::string& kind, Severity severity, const std::string& key) {
    FindingDraft f{
        .kind = kind, .severity = severity, .detail = kind + " detail", .dedup_key = key};
    auto added = store_->AddFinding(f, log_.log_id, std::nullopt);
    EXPECT_TRUE(added.has_value() && *added);
  }

  Store* store() { return store_.get(); }
  AlertStore* alerts() { return alerts_.get(); }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }
  const LogRecord& log() const { return log_; }
  void set_der(Bytes der) { der_ = std::move(der); }

 private:
  std::string dir_, path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AlertStore> alerts_;
  LogRecord log_;
  uint64_t position_ = 0;
  int counter_ = 0;
  Bytes der_ = {0x30, 0x00};
};

struct ReceivedRequest {
  std::string path;
  std::string body;
  std::multimap<std::string, std::string> headers;
  int64_t at_ms = 0;
  // `name` in lower case.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// An HTTP server on 127.0.0.1 that records every POST and answers with what `respond` says
// (default 200). Stop() closes the port (a "down" receiver); Start() can listen again on the
// same port.
class Receiver {
 public:
  using Responder = std::function<void(const httplib::Request&, httplib::Response&)>;

  Receiver() { Start(0); }
  ~Receiver() { Stop(); }

  void Start(int port) {
    server_ = std::make_unique<httplib::Server>();
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      ReceivedRequest r{.path = req.path, .body = req.body, .at_ms = SystemClock::Get()->NowMs()};
      for (const auto& [k, v] : req.headers) {
        std::string lower = k;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace(lower, v);
      }
      Responder respond;
      {
        std::lock_guard lock(mu_);
        respond = respond_;
        all_.push_back(r);
      }
      res.status = 200;
      if (respond) respond(req, res);
      if (res.status >= 200 && res.status < 300) {
        std::lock_guard lock(mu_);
        accepted_.push_back(std::move(r));
      }
    });
    server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      gets_.push_back(req.path);
      res.set_content("ok", "text/plain");
    });
    if (port == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      for (int i = 0; i < 200 && !server_->bind_to_port("127.0.0.1", port); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void Stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  void Respond(Responder r) {
    std::lock_guard lock(mu_);
    respond_ = std::move(r);
  }
  std::vector<ReceivedRequest> accepted() const {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  std::vector<ReceivedRequest> all() const {
    std::lock_guard lock(mu_);
    return all_;
  }
  std::vector<std::string> gets() const {
    std::lock_guard lock(mu_);
    return gets_;
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  Responder respond_;
  std::vector<ReceivedRequest> accepted_, all_;
  std::vector<std::string> gets_;
};

}  // namespace ctwatch::alerts_testing
