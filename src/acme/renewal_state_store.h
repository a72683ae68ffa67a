// RenewalStateStore: the scheduler's per-certificate state in SQLite (acme_renewal_state,
// schema/004): consecutive failures and the next attempt (so the 1 min / 10 min / 100 min /
// daily retry schedule survives restarts), the CA of the last attempt (for CA fallback after
// repeated failures), and the last ARI answer for the current certificate (window, the random
// renewal time picked in it, and when to ask again).
// Thread-safety: every method locks one mutex around its own connection.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"

namespace ctwatch {

struct RenewalState {
  std::string cert_name;
  std::optional<int64_t> certificate_id;  // the certificate the ARI fields describe
  int failures = 0;
  std::optional<int64_t> next_attempt_ms;
  std::optional<int64_t> last_attempt_ms;
  std::string last_error;
  std::string last_ca;
  std::string ari_cert_id;
  std::optional<int64_t> ari_window_start_ms;
  std::optional<int64_t> ari_window_end_ms;
  std::optional<int64_t> ari_renew_at_ms;
  std::string ari_explanation_url;
  std::optional<int64_t> ari_next_check_ms;

  void ClearAri() {
    ari_cert_id.clear();
    ari_window_start_ms.reset();
    ari_window_end_ms.reset();
    ari_renew_at_ms.reset();
    ari_explanation_url.clear();
    ari_next_check_ms.reset();
  }
};

class RenewalStateStore {
 public:
  static Result<std::unique_ptr<RenewalStateStore>> Open(const std::string& database_path);

  // The stored state, or a fresh one (failures 0) for a certificate never seen.
  Result<RenewalState> Get(const std::string& cert_name);
  Status Save(const RenewalState& state);
  Result<std::vector<RenewalState>> List();

 private:
  explicit RenewalStateStore(Database db) : db_(std::move(db)) {}
  std::mutex mu_;
  Database db_;  // GUARDED_BY(mu_)
};

}  // namespace ctwatch
