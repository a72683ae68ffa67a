#include "acme/rate_limit_ledger.h"

#include <algorithm>
#include <set>

#include "acme/registered_domain.h"
#include "core/log.h"
#include "store/store.h"

namespace ctwatch {
namespace {

constexpr const char* kOrder = "order";
constexpr const char* kCertificate = "certificate";
constexpr const char* kCertificateDomain = "certificate_domain";
constexpr const char* kFailedValidation = "failed_validation";

// "3 h", "7 days", "1 h", "90 s".
std::string DurationText(int64_t ms) {
  if (ms % 86'400'000 == 0) {
    const int64_t d = ms / 86'400'000;
    return std::to_string(d) + (d == 1 ? " day" : " days");
  }
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + " h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + " min";
  return std::to_string((ms + 999) / 1000) + " s";
}

std::string NameSetKey(const std::vector<AcmeIdentifier>& identifiers) {
  return IdentifiersToText(identifiers);  // canonical: sorted and deduplicated
}

std::set<std::string> RegisteredDomains(const std::vector<AcmeIdentifier>& identifiers) {
  std::set<std::string> out;
  for (const AcmeIdentifier& id : identifiers) out.insert(RegisteredDomain(id));
  return out;
}

}  // namespace

Result<std::unique_ptr<RateLimitLedger>> RateLimitLedger::Open(const std::string& database_path,
                                                               const AcmeConfig& config,
                                                               Clock* clock) {
  { CTW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore({.path = database_path})); }
  CTW_ASSIGN_OR_RETURN(Database db, Database::Open(database_path, false, 10'000));
  CTW_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  return std::unique_ptr<RateLimitLedger>(
      new RateLimitLedger(std::move(db), config, clock != nullptr ? clock : SystemClock::Get()));
}

RateLimitLedger::RateLimitLedger(Database db, const AcmeConfig& config, Clock* clock)
    : clock_(clock), db_(std::move(db)) {
  for (const AcmeCaConfig& ca : config.cas) limits_.emplace_back(ca.name, ca.limits);
}

RateLimits RateLimitLedger::LimitsFor(const std::string& ca) const {
  for (const auto& [name, limits] : limits_) {
    if (name == ca) return limits;
  }
  return RateLimits{};  // an unknown CA gets Let's Encrypt's limits
}

Result<LimitUsage> RateLimitLedger::CountLocked(const std::string& directory_url, const char* kind,
                                                const std::string& subject, int64_t allowed,
                                                int64_t window_ms, const char* limit_name) {
  LimitUsage usage;
  usage.limit = std::string(limit_name) + " (" + std::to_string(allowed) + " per " +
                DurationText(window_ms) + ")";
  usage.subject = subject;
  usage.allowed = allowed;
  const int64_t since = clock_->NowMs() - window_ms;
  CTW_ASSIGN_OR_RETURN(Statement count,
                       db_.Prepare("SELECT COUNT(*) FROM acme_ledger WHERE directory_url = ?1 AND "
                                   "kind = ?2 AND subject = ?3 AND at > ?4"));
  count.Bind(1, directory_url).Bind(2, std::string_view(kind)).Bind(3, subject).Bind(4, since);
  CTW_ASSIGN_OR_RETURN(bool row, count.Step());
  usage.used = row ? count.Int(0) : 0;
  if (allowed <= 0 || usage.used < allowed) return usage;
  // The limit frees up when the (used - allowed + 1) oldest events in the window have aged out.
  CTW_ASSIGN_OR_RETURN(Statement oldest,
                       db_.Prepare("SELECT at FROM acme_ledger WHERE directory_url = ?1 AND "
                                   "kind = ?2 AND subject = ?3 AND at > ?4 ORDER BY at "
                                   "LIMIT 1 OFFSET ?5"));
  oldest.Bind(1, directory_url)
      .Bind(2, std::string_view(kind))
      .Bind(3, subject)
      .Bind(4, since)
      .Bind(5, usage.used - allowed);
  CTW_ASSIGN_OR_RETURN(row, oldest.Step());
  usage.frees_at_ms = (row ? oldest.Int(0) : clock_->NowMs()) + window_ms;
  return usage;
}

Result<std::vector<LimitUsage>> RateLimitLedger::Usage(const OrderRecord& order) {
  const RateLimits limits = LimitsFor(order.ca);
  std::lock_guard lock(mu_);
  std::vector<LimitUsage> out;
  CTW_ASSIGN_OR_RETURN(
      LimitUsage orders,
      CountLocked(order.directory_url, kOrder, order.account_url, limits.orders_per_account,
                  limits.orders_window_ms, "new orders per account"));
  out.push_back(std::move(orders));
  CTW_ASSIGN_OR_RETURN(LimitUsage set,
                       CountLocked(order.directory_url, kCertificate, NameSetKey(order.identifiers),
                                   limits.certificates_per_name_set, limits.certificates_window_ms,
                                   "certificates per exact set of names"));
  out.push_back(std::move(set));
  for (const std::string& domain : RegisteredDomains(order.identifiers)) {
    CTW_ASSIGN_OR_RETURN(
        LimitUsage d,
        CountLocked(order.directory_url, kCertificateDomain, domain, limits.certificates_per_domain,
                    limits.certificates_window_ms, "certificates per registered domain"));
    out.push_back(std::move(d));
  }
  for (const AcmeIdentifier& id : order.identifiers) {
    std::string value = id.value;
    if (value.rfind("*.", 0) == 0) value.erase(0, 2);
    CTW_ASSIGN_OR_RETURN(LimitUsage f, CountLocked(order.directory_url, kFailedValidation, value,
                                                   limits.failed_validations_per_name,
                                                   limits.failed_validations_window_ms,
                                                   "failed validations per name"));
    out.push_back(std::move(f));
  }
  return out;
}

Status RateLimitLedger::BeforeNewOrder(const OrderRecord& order) {
  if (!order.replaces.empty()) return OkStatus();  // ARI renewal: exempt
  CTW_ASSIGN_OR_RETURN(std::vector<LimitUsage> usage, Usage(order));
  const int64_t now = clock_->NowMs();
  const LimitUsage* worst = nullptr;
  for (const LimitUsage& u : usage) {
    if (u.allowed <= 0 || u.used < u.allowed) continue;
    if (worst == nullptr || u.frees_at_ms > worst->frees_at_ms) worst = &u;
  }
  if (worst == nullptr) return OkStatus();
  const int64_t wait = std::max<int64_t>(0, worst->frees_at_ms - now);
  Error e = MakeError(ErrorCode::kRateLimited,
                      "rate limit \"" + worst->limit + "\" reached at CA " + order.ca + " for " +
                          worst->subject + " (" + std::to_string(worst->used) +
                          " counted); refused before sending; it frees up at " +
                          FormatTimeMs(worst->frees_at_ms) + " (in " + DurationText(wait) + ")");
  e.retry_after_ms = wait;
  return e;
}

void RateLimitLedger::RecordLocked(const OrderRecord& order, const char* kind,
                                   const std::string& subject) {
  Result<Statement> s = db_.Prepare(
      "INSERT INTO acme_ledger (directory_url, kind, subject, order_id, at) "
      "SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM acme_ledger WHERE "
      "directory_url = ?1 AND kind = ?2 AND subject = ?3 AND order_id = ?4)");
  Status done = s.has_value() ? Status() : Status(s.error());
  if (s.has_value()) {
    s->Bind(1, order.directory_url)
        .Bind(2, std::string_view(kind))
        .Bind(3, subject)
        .Bind(4, order.id)
        .Bind(5, clock_->NowMs());
    done = s->Run();
  }
  if (!done.has_value()) {
    spdlog::warn("rate-limit ledger: cannot record {} for order {}: {}", kind, order.id,
                 done.error().message);
  }
}

void RateLimitLedger::OnOrderCreated(const OrderRecord& order) {
  std::lock_guard lock(mu_);
  RecordLocked(order, kOrder, order.account_url);
}

void RateLimitLedger::OnValidationFailed(const OrderRecord& order, const AcmeIdentifier& identifier,
                                         const std::string& detail) {
  (void)detail;
  std::lock_guard lock(mu_);
  std::string value = identifier.value;
  if (value.rfind("*.", 0) == 0) value.erase(0, 2);
  RecordLocked(order, kFailedValidation, value);
}

void RateLimitLedger::OnIssued(const OrderRecord& order, const InventoryCertificate& certificate) {
  (void)certificate;
  std::lock_guard lock(mu_);
  RecordLocked(order, kCertificate, NameSetKey(order.identifiers));
  for (const std::string& domain : RegisteredDomains(order.identifiers)) {
    RecordLocked(order, kCertificateDomain, domain);
  }
}

}  // namespace ctwatch
