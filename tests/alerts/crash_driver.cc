// alerts_crash_driver: the process the crash test kills. It opens the database as `ctwatch run`
// does (the ingestion Store plus the AlertService on its own connection) and, in produce mode,
// commits findings the way the tailer does (verified batches, log findings) as fast as it can
// while the service delivers them, until it is SIGKILLed. In drain mode it only delivers, and
// exits 0 once every sink has nothing queued or pending (1 after 60 s).
//
//   alerts_crash_driver produce|drain DB_PATH WEBHOOK_BASE DIR SEED
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "alerts/alert_service.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/log.h"
#include "crash_sinks.h"
#include "store/store.h"

namespace ctwatch {
namespace {

Sha256Hash Hash(uint64_t n, uint8_t tag) {
  Sha256Hash h{};
  h[0] = tag;
  for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(n >> (8 * i));
  return h;
}

// Commits batches of 1..4 matched certificates (random names, kinds and severities) at the
// log's stored position, each batch verified, plus now and then a log finding.
void Produce(Store* store, const Sha256Hash& log_id, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* kDomains[] = {"example.com", "corp.example", "examp1e.com"};
  static const char* kKinds[] = {"owned_certificate", "lookalike", "internal_name"};
  for (;;) {
    auto progress = store->GetLogProgress(log_id);
    if (!progress.has_value() || !progress->has_value()) std::exit(3);
    const uint64_t start = (*progress)->position;
    const uint64_t count = 1 + rng() % 4;
    IngestBatch b{.log_id = log_id,
                  .start = start,
                  .end = start + count,
                  .compact_range = {1},
                  .verified = VerifiedHead{start + count, Hash(start + count, 9)}};
    for (uint64_t i = start; i < start + count; ++i) {
      MatchedEntry m;
      m.index = i;
      m.timestamp_ms = static_cast<uint64_t>(SystemClock::Get()->NowMs());
      CertificateRecord& c = m.certificate;
      c.identity = Hash(i, 1);
      c.entry_type = "cert";
      c.cert_sha256 = Hash(i, 2);
      const std::string name = "h" + std::to_string(i) + "." + kDomains[rng() % 3];
      c.subject_dn = "CN=" + name;
      c.issuer_dn = "CN=Crash Test CA";
      c.serial_hex = "01";
      c.spki_sha256 = Hash(i, 3);
      c.names = {name};
      c.der = {0x30, 0x00};
      const std::string kind = kKinds[rng() % 3];
      m.findings.push_back({.kind = kind,
                            .severity = static_cast<Severity>(rng() % 5),
                            .identity = c.identity,
                            .names = {name},
                            .detail = kind + " " + name,
                            .dedup_key = kind + ":" + std::to_string(i)});
      b.matches.push_back(std::move(m));
    }
    Status s = store->CommitBatch(b);
    if (!s.has_value()) spdlog::warn("commit: {}", s.error().ToString());
    if (rng() % 10 == 0) {
      FindingDraft f{.kind = "log_inconsistent",
                     .severity = Severity::kCritical,
                     .detail = "made-up inconsistency at " + std::to_string(start),
                     .dedup_key = "log_inconsistent:" + std::to_string(start)};
      (void)store->AddFinding(f, log_id, start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 15));
  }
}

bool Drained(AlertStore* alerts, const std::vector<SinkConfig>& sinks) {
  auto outbox = alerts->OutboxSize();
  auto stats = alerts->QueueStats();
  if (!outbox.has_value() || !stats.has_value() || *outbox != 0) return false;
  for (const SinkConfig& s : sinks) {
    auto it = stats->find(s.name);
    if (it != stats->end() && (it->second.queued != 0 || it->second.pending != 0)) return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s produce|drain DB_PATH WEBHOOK_BASE DIR SEED\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const std::string db = argv[2];
  InitLogging("error");
  GlobalHttpInit();
  auto store = OpenSqliteStore({.path = db});
  if (!store.has_value()) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  const LogRecord log{.log_id = Hash(1, 7),
                      .description = "Crash Log",
                      .api = "rfc6962",
                      .url = "https://ct.example.net/crash/",
                      .list_state = "usable"};
  if (!(*store)->EnsureLog(log, {.compact_range = {1}, .verified_range = {1}}).has_value())
    return 1;
  AlertsConfig config;
  config.sinks = alerts_testing::CrashSinks(argv[3], argv[4]);
  config.delivery = alerts_testing::CrashDelivery();
  auto service = AlertService::Create(
      {.database = db, .config = config, .watch_domains = {"example.com"}, .store = store->get()});
  if (!service.has_value()) {
    std::fprintf(stderr, "%s\n", service.error().ToString().c_str());
    return 1;
  }
  (*service)->Start();
  if (mode == "produce") Produce(store->get(), log.log_id, std::stoull(argv[5]));
  const int64_t deadline = MonotonicMs() + 60'000;
  while (!Drained((*service)->alert_store(), config.sinks)) {
    if (MonotonicMs() > deadline) return 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  (*service)->Stop();
  return 0;
}

}  // namespace
}  // namespace ctwatch

int main(int argc, char** argv) { return ctwatch::Main(argc, argv); }
