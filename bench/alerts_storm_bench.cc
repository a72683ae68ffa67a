// alerts_storm_bench: a lookalike storm. Ingestion commits FINDINGS findings (verified batches
// of BATCH matched certificates, back to back: the worst case for write contention) into a
// fresh database, timed, in three setups:
//   no-outbox    the outbox trigger dropped: ingestion without any alerting;
//   no-service   the outbox only fills up (trigger cost included), nothing delivers;
//   bounded      the AlertService delivers at the same time to a digest webhook (one message
//                per second) and a rate-limited Slack-style webhook (20/min, overflow digested);
//   unbounded    as bounded plus a per-finding JSON lines sink without limits (one message and
//                one recorded delivery per finding).
// Prints the ingestion time per setup (median of ROUNDS), the slowdown against no-service, and
// how many messages each sink sent for the storm once drained.
// Slowdowns are against no-service (10,000 findings queued); no-outbox shows the trigger's own
// cost.
//
//   alerts_storm_bench [FINDINGS=10000] [BATCH=100] [ROUNDS=3]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "alerts/alert_service.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace ctwatch {
namespace {

Sha256Hash Hash(uint64_t n, uint8_t tag) {
  Sha256Hash h{};
  h[0] = tag;
  for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(n >> (8 * i));
  return h;
}

struct RunResult {
  double ingest_ms = 0;
  std::vector<int64_t> commit_ms;           // each CommitBatch
  std::map<std::string, int64_t> messages;  // per sink, after draining
  double drain_ms = 0;
};

enum class Setup { kNoOutbox, kNoService, kBounded, kUnbounded };
const char* SetupName(Setup s) {
  switch (s) {
    case Setup::kNoOutbox:
      return "no-outbox";
    case Setup::kNoService:
      return "no-service";
    case Setup::kBounded:
      return "bounded";
    case Setup::kUnbounded:
      return "unbounded";
  }
  return "";
}
constexpr Setup kSetups[] = {Setup::kNoOutbox, Setup::kNoService, Setup::kBounded,
                             Setup::kUnbounded};

RunResult RunOnce(Setup setup, int findings, int batch, int port) {
  char tmpl[] = "/tmp/ctwatch-storm-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string db = dir + "/ctwatch.db";
  RunResult result;
  auto store = OpenSqliteStore({.path = db});
  if (!store.has_value()) std::exit(1);
  const LogRecord log{.log_id = Hash(1, 7),
                      .description = "Storm Log",
                      .api = "rfc6962",
                      .url = "https://ct.example.net/",
                      .list_state = "usable"};
  if (setup == Setup::kNoOutbox) {
    // What ingestion costs without alerting at all: the outbox trigger removed.
    auto raw = Database::Open(db, false, 10'000);
    if (!raw.has_value() || !raw->Exec("DROP TRIGGER findings_alert_outbox").has_value())
      std::exit(1);
  }
  if (!(*store)->EnsureLog(log, {.compact_range = {1}, .verified_range = {1}}).has_value())
    std::exit(1);

  AlertsConfig config;
  SinkConfig digest;
  digest.name = "digest-webhook";
  digest.type = SinkType::kWebhook;
  digest.webhook.url = "http://127.0.0.1:" + std::to_string(port) + "/digest";
  digest.digest_interval_ms = 1000;
  digest.digest_max = 1000;
  SinkConfig slack;
  slack.name = "slack-20-per-min";
  slack.type = SinkType::kSlack;
  slack.slack.url = "http://127.0.0.1:" + std::to_string(port) + "/slack";
  slack.rate_limit = 20;
  slack.rate_period_ms = 60'000;
  slack.digest_max = 1000;
  SinkConfig lines;
  lines.name = "jsonl-each";
  lines.type = SinkType::kJsonLines;
  lines.jsonl.path = dir + "/alerts.jsonl";
  if (setup == Setup::kBounded) config.sinks = {digest, slack};
  if (setup == Setup::kUnbounded) config.sinks = {digest, slack, lines};
  std::unique_ptr<AlertService> service;
  if (setup == Setup::kBounded || setup == Setup::kUnbounded) {
    auto made = AlertService::Create({.database = db, .config = config, .store = store->get()});
    if (!made.has_value()) std::exit(1);
    service = std::move(made).value();
    service->Start();
  }

  static const char* kLookalikes[] = {"examp1e.com", "exarnple.com", "example-login.com",
                                      "example.com.evil.net", "xn--exmple-cua.com"};
  const int64_t start = MonotonicMs();
  uint64_t position = 0;
  for (int done = 0; done < findings; done += batch) {
    const int n = std::min(batch, findings - done);
    IngestBatch b{.log_id = log.log_id,
                  .start = position,
                  .end = position + n,
                  .compact_range = {1},
                  .verified = VerifiedHead{position + n, Hash(position + n, 9)}};
    for (int i = 0; i < n; ++i) {
      const uint64_t index = position + i;
      const std::string name = "login" + std::to_string(index) + "." + kLookalikes[index % 5];
      MatchedEntry m;
      m.index = index;
      m.certificate = {.identity = Hash(index, 1),
                       .entry_type = "precert",
                       .cert_sha256 = Hash(index, 2),
                       .subject_dn = "CN=" + name,
                       .issuer_dn = "C=US, O=Let's Encrypt, CN=R11",
                       .serial_hex = "0123",
                       .spki_sha256 = Hash(index, 3),
                       .names = {name},
                       .der = Bytes(1200, 0x30)};
      m.findings.push_back({.kind = "lookalike",
                            .severity = Severity::kMedium,
                            .identity = Hash(index, 1),
                            .names = {name},
                            .detail = "typosquat of example.com",
                            .dedup_key = "lookalike:" + std::to_string(index)});
      b.matches.push_back(std::move(m));
    }
    const int64_t commit_start = MonotonicMs();
    if (!(*store)->CommitBatch(b).has_value()) std::exit(1);
    result.commit_ms.push_back(MonotonicMs() - commit_start);
    position += n;
  }
  result.ingest_ms = static_cast<double>(MonotonicMs() - start);

  if (service) {
    const int64_t drain_start = MonotonicMs();
    // Everything fanned out and handed over (digests and the rate limit hold the rest back;
    // what matters is that the storm became few messages).
    for (int i = 0; i < 600; ++i) {
      auto outbox = service->alert_store()->OutboxSize();
      auto stats = service->alert_store()->QueueStats();
      bool done = outbox.has_value() && *outbox == 0 && stats.has_value();
      if (done) {
        for (const SinkConfig& s : config.sinks) {
          const SinkQueueStats& q = (*stats)[s.name];
          const bool held = s.rate_limit > 0;
          if (q.pending != 0 || (!held && q.queued != 0)) done = false;
        }
      }
      if (done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    result.drain_ms = static_cast<double>(MonotonicMs() - drain_start);
    auto stats = service->alert_store()->QueueStats();
    for (const SinkConfig& s : config.sinks) {
      result.messages[s.name] = (*stats)[s.name].delivered + (*stats)[s.name].pending;
    }
    service->Stop();
  }
  std::filesystem::remove_all(dir);
  return result;
}

int Main(int argc, char** argv) {
  const int findings = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 100;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  InitLogging("error");
  GlobalHttpInit();
  std::atomic<int64_t> requests{0};
  httplib::Server server;
  server.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.status = 200;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::printf("alerts_storm_bench: %d lookalike findings in batches of %d, %d rounds\n", findings,
              batch, rounds);
  std::map<Setup, std::vector<double>> times;
  std::map<Setup, RunResult> last;
  for (int r = 0; r < rounds; ++r) {
    for (Setup s : kSetups) {
      RunResult result = RunOnce(s, findings, batch, port);
      times[s].push_back(result.ingest_ms);
      last[s] = result;
    }
  }
  server.stop();
  listener.join();
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double base = median(times[Setup::kNoService]);
  for (Setup s : kSetups) {
    const double t = median(times[s]);
    std::vector<int64_t> commits = last[s].commit_ms;
    std::sort(commits.begin(), commits.end());
    std::printf(
        "  %-10s ingest %7.0f ms (%6.0f findings/s)  slowdown %+5.1f%%  commit p50 %lld ms"
        " max %lld ms",
        SetupName(s), t, findings / (t / 1000.0), 100.0 * (t - base) / base,
        static_cast<long long>(commits[commits.size() / 2]),
        static_cast<long long>(commits.back()));
    if (s == Setup::kBounded || s == Setup::kUnbounded) {
      std::printf("  messages:");
      for (const auto& [sink, n] : last[s].messages) {
        std::printf(" %s=%lld", sink.c_str(), static_cast<long long>(n));
      }
      std::printf("  (fanned out and sent %.0f ms after ingestion ended)", last[s].drain_ms);
    }
    std::printf("\n");
  }
  std::printf("  target: bounded slowdown <= 10%%; digests keep messages per sink bounded\n");
  return 0;
}

}  // namespace
}  // namespace ctwatch

int main(int argc, char** argv) { return ctwatch::Main(argc, argv); }
