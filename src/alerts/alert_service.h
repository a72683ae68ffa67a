// AlertService: everything `ctwatch run` starts for alerting, beside the Monitor: its own
// connection to the database (AlertStore), the sinks, the Dispatcher and the HealthMonitor.
// With no sinks configured it still drains the outbox (nothing to deliver) and still runs
// health checks and the heartbeat.
// Thread-safety: Start/Stop from one thread; the accessors from any.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/alerts_config.h"
#include "alerts/dispatcher.h"
#include "alerts/health_monitor.h"
#include "store/store.h"

namespace ctwatch {

struct AlertServiceOptions {
  std::string database;  // path of the (already migrated) ctwatch database
  AlertsConfig config;
  std::vector<std::string> watch_domains;  // for hook WATCH_ITEM
  Store* store = nullptr;                  // logs and findings for the health checks
};

class AlertService {
 public:
  static Result<std::unique_ptr<AlertService>> Create(AlertServiceOptions options);
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  void Start();
  void Stop();
  // Waits (at most timeout_ms) until the outbox is empty and no working sink has a message due
  // now or a delivery it may send now (digests, rate limits and failing sinks are not waited
  // for: their deliveries stay pending for the next start). For `run --once`.
  // Returns true when drained.
  bool Drain(int64_t timeout_ms);

  AlertStore* alert_store() { return alerts_.get(); }
  Dispatcher* dispatcher() { return dispatcher_.get(); }
  HealthMonitor* health() { return health_.get(); }

 private:
  AlertService() = default;

  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HealthMonitor> health_;
  std::vector<SinkConfig> sinks_;
  bool started_ = false;
};

// The sink context backed by an AlertStore (certificate DER and malformed entries for hooks).
SinkContext MakeSinkContext(AlertStore* store, std::vector<std::string> watch_domains);

}  // namespace ctwatch
