// TestLogServer: the loopback HTTP server of the test log. It wires the Corpus, the
// FaultInjector and both APIs onto one cpp-httplib server:
//   /rfc6962/ct/v1/...                RFC 6962 API (rfc6962_api.h)
//   /static/...                       static-ct-api (static_api.h)
//   /loglist.json                     Chrome v3 list with both logs
//   /loglist-rfc6962.json             the same with the RFC 6962 log only (for certspotter)
//   GET  /admin/state                 size, root, faults (JSON)
//   GET  /admin/manifest              every planted entry so far (JSON lines)
//   POST /admin/grow?count=N          appends N background entries
//   POST /admin/plant[?malformed=N]   body: name sets, one per line; returns manifest lines
//   POST /admin/fault                 body: a FaultSpec as JSON (faults.h)
//   POST /admin/reset-faults
// It binds only loopback addresses unless allow_non_loopback, and can grow by itself on a
// timer (demo mode).
// Thread-safety: Start/Stop from one controlling thread; handlers run on httplib's thread
// pool over thread-safe state; accessors are safe from any thread once started.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "testlog/api_context.h"
#include "testlog/corpus.h"
#include "testlog/faults.h"

namespace ctwatch::testlog {

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  bool allow_non_loopback = false;
  uint64_t max_get_entries = 256;
  bool gzip_tiles_without_header = false;
  int threads = 16;
  uint64_t grow_every_ms = 0;  // 0 = no automatic growth
  uint64_t grow_count = 0;
  CorpusOptions corpus;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

class TestLogServer {
 public:
  // Builds the corpus (certificates, tree); does not bind yet.
  static Result<std::unique_ptr<TestLogServer>> Create(const ServerOptions& options);
  ~TestLogServer();
  TestLogServer(const TestLogServer&) = delete;
  TestLogServer& operator=(const TestLogServer&) = delete;

  // Binds (port 0 picks one) and serves on a background thread.
  Status Start();
  // Stops serving and joins the threads; idempotent.
  void Stop();

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT/"
  std::string static_origin() const { return ctx_.static_origin; }
  const ServerOptions& options() const { return options_; }
  std::string LogListJson(bool rfc6962_only) const;

  Corpus& corpus() { return *corpus_; }
  FaultInjector& faults() { return faults_; }

 private:
  explicit TestLogServer(const ServerOptions& options) : options_(options) {}
  void RegisterRoutes();
  void RegisterAdminRoutes();
  httplib::Server::Handler WithFaults(httplib::Server::Handler handler);
  void GrowLoop();

  ServerOptions options_;
  std::unique_ptr<Corpus> corpus_;
  FaultInjector faults_;
  ApiContext ctx_;
  httplib::Server server_;
  int port_ = 0;
  std::thread listen_thread_;
  std::thread grow_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mu_)
  bool started_ = false;
};

}  // namespace ctwatch::testlog
