// alerts_latency_bench: delivery latency from the commit of a finding (CommitBatch returns) to
// its arrival at a healthy webhook on 127.0.0.1, through the real path: trigger -> outbox ->
// fan-out -> message -> HTTP POST. Findings are committed one at a time with a random pause,
// so each latency is measured on its own. Prints the median, p90, p99 and maximum.
//
//   alerts_latency_bench [FINDINGS=200] [POLL_INTERVAL_MS=200]
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "alerts/alert_service.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "store/store.h"

namespace ctwatch {
namespace {

Sha256Hash Hash(uint64_t n, uint8_t tag) {
  Sha256Hash h{};
  h[0] = tag;
  for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(n >> (8 * i));
  return h;
}

int Main(int argc, char** argv) {
  const int findings = argc > 1 ? std::atoi(argv[1]) : 200;
  const int64_t poll_ms = argc > 2 ? std::atoll(argv[2]) : 200;
  InitLogging("warn");
  GlobalHttpInit();
  char tmpl[] = "/tmp/ctwatch-latency-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string db = dir + "/ctwatch.db";

  std::mutex mu;
  std::map<int64_t, int64_t> arrived;  // finding id -> monotonic ms
  httplib::Server server;
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    const int64_t now = MonotonicMs();
    const nlohmann::json body = nlohmann::json::parse(req.body);
    std::lock_guard lock(mu);
    for (const auto& f : body["findings"]) arrived.emplace(f["id"].get<int64_t>(), now);
    res.status = 204;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  auto store = OpenSqliteStore({.path = db});
  if (!store.has_value()) return 1;
  const LogRecord log{.log_id = Hash(1, 7),
                      .description = "Bench Log",
                      .api = "rfc6962",
                      .url = "https://ct.example.net/",
                      .list_state = "usable"};
  if (!(*store)->EnsureLog(log, {.compact_range = {1}, .verified_range = {1}}).has_value())
    return 1;
  AlertsConfig config;
  config.delivery.poll_interval_ms = poll_ms;
  SinkConfig sink;
  sink.name = "soc";
  sink.type = SinkType::kWebhook;
  sink.webhook.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  sink.webhook.secret = "bench-secret";
  config.sinks = {sink};
  auto service = AlertService::Create({.database = db, .config = config, .store = store->get()});
  if (!service.has_value()) return 1;
  (*service)->Start();

  std::mt19937 rng(42);
  std::map<int64_t, int64_t> committed;  // finding id -> monotonic ms
  for (int i = 0; i < findings; ++i) {
    MatchedEntry m;
    m.index = static_cast<uint64_t>(i);
    m.certificate = {.identity = Hash(i, 1),
                     .entry_type = "cert",
                     .cert_sha256 = Hash(i, 2),
                     .subject_dn = "CN=x",
                     .issuer_dn = "CN=Bench CA",
                     .serial_hex = "01",
                     .spki_sha256 = Hash(i, 3),
                     .names = {"h" + std::to_string(i) + ".example.com"},
                     .der = {0x30, 0x00}};
    m.findings.push_back({.kind = "owned_certificate",
                          .severity = Severity::kHigh,
                          .identity = Hash(i, 1),
                          .names = m.certificate.names,
                          .detail = "bench",
                          .dedup_key = "bench:" + std::to_string(i)});
    IngestBatch b{.log_id = log.log_id,
                  .start = static_cast<uint64_t>(i),
                  .end = static_cast<uint64_t>(i) + 1,
                  .compact_range = {1},
                  .verified = VerifiedHead{static_cast<uint64_t>(i) + 1, Hash(i, 9)}};
    b.matches.push_back(std::move(m));
    if (!(*store)->CommitBatch(b).has_value()) return 1;
    committed[i + 1] = MonotonicMs();  // finding ids are 1, 2, ... in a fresh database
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 80));
  }
  const int64_t deadline = MonotonicMs() + 30'000;
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (arrived.size() >= committed.size()) break;
    }
    if (MonotonicMs() > deadline) {
      std::fprintf(stderr, "not every finding arrived\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (*service)->Stop();
  server.stop();
  listener.join();
  std::vector<int64_t> latency;
  for (const auto& [id, at] : committed) latency.push_back(arrived.at(id) - at);
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) { return latency[static_cast<size_t>(p * (latency.size() - 1))]; };
  std::printf("alerts_latency_bench: %d findings, poll interval %lld ms, webhook on 127.0.0.1\n",
              findings, static_cast<long long>(poll_ms));
  std::printf(
      "commit -> webhook latency: median %lld ms, p90 %lld ms, p99 %lld ms, max %lld ms"
      " (target: median < 1000 ms)\n",
      static_cast<long long>(pct(0.5)), static_cast<long long>(pct(0.9)),
      static_cast<long long>(pct(0.99)), static_cast<long long>(latency.back()));
  std::filesystem::remove_all(dir);
  return pct(0.5) < 1000 ? 0 : 1;
}

}  // namespace
}  // namespace ctwatch

int main(int argc, char** argv) { return ctwatch::Main(argc, argv); }
