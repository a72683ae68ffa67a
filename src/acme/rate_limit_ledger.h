// RateLimitLedger: client-side bookkeeping of a CA's rate limits (REFERENCE.md §7), so that an
// order that would exceed one is refused before it is sent, with an error that names the limit
// and says when it frees up, instead of spending a CA-side failure (or, for the exact-set limit,
// a week). Counted per CA directory (staging apart from production), in SQLite (acme_ledger):
//   - new orders per account per rolling 3 h (300),
//   - certificates per registered domain (public-suffix list) per rolling 7 days (50),
//   - certificates per exact set of names per rolling 7 days (5),
//   - failed validations per identifier per rolling hour (5).
// Limits are per CA (AcmeCaConfig::limits; 0 = off). Orders that send `replaces` (ARI
// renewals) are exempt from every check, as the CA exempts them; they are still counted.
// Recording is idempotent per order, so a resumed order never counts twice.
// It is the engine's OrderObserver (EngineOptions::observer).
// Thread-safety: every method locks one mutex around its own SQLite connection.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acme/acme_config.h"
#include "acme/order_runner.h"
#include "core/clock.h"
#include "store/sqlite.h"

namespace ctwatch {

// One limit as it stands for an order (for `ctwatch acme limits` style reporting and tests).
struct LimitUsage {
  std::string limit;    // "new orders per account", ...
  std::string subject;  // account URL, registered domain, name set, identifier
  int64_t used = 0;
  int64_t allowed = 0;      // 0 = no limit
  int64_t frees_at_ms = 0;  // when used drops below allowed (0 when it is below already)
};

class RateLimitLedger final : public OrderObserver {
 public:
  // Opens its own connection to the (migrated) database. `config` gives each CA's limits.
  static Result<std::unique_ptr<RateLimitLedger>> Open(const std::string& database_path,
                                                       const AcmeConfig& config,
                                                       Clock* clock = nullptr);

  // What every limit looks like for an order (replaces ignored).
  Result<std::vector<LimitUsage>> Usage(const OrderRecord& order);

  // OrderObserver.
  Status BeforeNewOrder(const OrderRecord& order) override;
  void OnOrderCreated(const OrderRecord& order) override;
  void OnValidationFailed(const OrderRecord& order, const AcmeIdentifier& identifier,
                          const std::string& detail) override;
  void OnIssued(const OrderRecord& order, const InventoryCertificate& certificate) override;

 private:
  RateLimitLedger(Database db, const AcmeConfig& config, Clock* clock);
  RateLimits LimitsFor(const std::string& ca) const;
  Result<LimitUsage> CountLocked(const std::string& directory_url, const char* kind,
                                 const std::string& subject, int64_t allowed, int64_t window_ms,
                                 const char* limit_name);
  void RecordLocked(const OrderRecord& order, const char* kind, const std::string& subject);

  std::vector<std::pair<std::string, RateLimits>> limits_;  // by CA name
  Clock* clock_;
  std::mutex mu_;
  Database db_;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
