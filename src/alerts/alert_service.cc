// AlertService; see alert_service.h. Thread-safety: Start/Stop from one thread.
#include "alerts/alert_service.h"

#include <chrono>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {

SinkContext MakeSinkContext(AlertStore* store, std::vector<std::string> watch_domains) {
  SinkContext context;
  context.certificate_der = [store](const Sha256Hash& identity) -> std::optional<Bytes> {
    Result<std::optional<Bytes>> der = store->CertificateDer(identity);
    return der.has_value() ? *der : std::nullopt;
  };
  context.malformed_entry = [store](const Sha256Hash& log_id,
                                    uint64_t index) -> std::optional<std::pair<Bytes, Bytes>> {
    auto entry = store->MalformedEntry(log_id, index);
    return entry.has_value() ? *entry : std::nullopt;
  };
  context.watch_domains = std::move(watch_domains);
  return context;
}

Result<std::unique_ptr<AlertService>> AlertService::Create(AlertServiceOptions options) {
  std::unique_ptr<AlertService> service(new AlertService());
  CTW_ASSIGN_OR_RETURN(service->alerts_, OpenSqliteAlertStore(options.database));
  const SinkContext context = MakeSinkContext(service->alerts_.get(), options.watch_domains);
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const SinkConfig& sink : options.config.sinks) {
    Result<std::unique_ptr<Sink>> made = MakeSink(sink, context);
    if (!made.has_value()) return made.error().WithContext("alert sink " + sink.name);
    sinks.push_back(std::move(made).value());
  }
  service->sinks_ = options.config.sinks;
  service->dispatcher_ = std::make_unique<Dispatcher>(
      service->alerts_.get(), options.config.delivery, options.config.sinks, std::move(sinks));
  service->health_ = std::make_unique<HealthMonitor>(options.store, service->alerts_.get(),
                                                     service->dispatcher_.get(), options.config);
  return service;
}

AlertService::~AlertService() { Stop(); }

void AlertService::Start() {
  if (started_) return;
  started_ = true;
  dispatcher_->Start();
  health_->Start();
  spdlog::info("alerts: delivering to {} sink(s)", dispatcher_->SinkStates().size());
}

void AlertService::Stop() {
  if (!started_) return;
  started_ = false;
  health_->Stop();
  dispatcher_->Stop();
}

bool AlertService::Drain(int64_t timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  for (;;) {
    bool busy = true;
    Result<int64_t> outbox = alerts_->OutboxSize();
    Result<std::map<std::string, SinkQueueStats>> stats = alerts_->QueueStats();
    if (outbox.has_value() && stats.has_value()) {
      busy = *outbox > 0;
      const int64_t now = SystemClock::Get()->NowMs();
      std::set<std::string> failing;
      for (const SinkState& s : dispatcher_->SinkStates()) {
        if (s.failing_since_ms.has_value()) failing.insert(s.name);
      }
      for (const SinkConfig& sink : sinks_) {
        auto it = stats->find(sink.name);
        if (it == stats->end() || failing.count(sink.name) > 0) continue;
        const bool held = sink.digest_interval_ms > 0 || sink.rate_limit > 0;
        if (it->second.queued > 0 && !held) busy = true;
        Result<std::optional<int64_t>> next = alerts_->NextAttemptAt(sink.name);
        if (next.has_value() && next->has_value() && **next <= now) busy = true;
      }
    }
    if (!busy) return true;
    if (MonotonicMs() >= deadline) return false;
    dispatcher_->Wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace ctwatch
