#include "acme/renewal_state_store.h"

#include "core/clock.h"
#include "store/store.h"

namespace ctwatch {
namespace {

constexpr const char* kColumns =
    "cert_name, certificate_id, failures, next_attempt_at, last_attempt_at, last_error, last_ca, "
    "ari_cert_id, ari_window_start, ari_window_end, ari_renew_at, ari_explanation, "
    "ari_next_check_at";

std::optional<int64_t> OptionalInt(const Statement& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return s.Int(column);
}

std::string OptionalText(const Statement& s, int column) {
  return s.IsNull(column) ? std::string() : s.Text(column);
}

std::optional<std::string_view> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::string_view(s);
}

RenewalState ReadState(const Statement& s) {
  RenewalState r;
  r.cert_name = s.Text(0);
  r.certificate_id = OptionalInt(s, 1);
  r.failures = static_cast<int>(s.Int(2));
  r.next_attempt_ms = OptionalInt(s, 3);
  r.last_attempt_ms = OptionalInt(s, 4);
  r.last_error = OptionalText(s, 5);
  r.last_ca = OptionalText(s, 6);
  r.ari_cert_id = OptionalText(s, 7);
  r.ari_window_start_ms = OptionalInt(s, 8);
  r.ari_window_end_ms = OptionalInt(s, 9);
  r.ari_renew_at_ms = OptionalInt(s, 10);
  r.ari_explanation_url = OptionalText(s, 11);
  r.ari_next_check_ms = OptionalInt(s, 12);
  return r;
}

}  // namespace

Result<std::unique_ptr<RenewalStateStore>> RenewalStateStore::Open(
    const std::string& database_path) {
  { CTW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore({.path = database_path})); }
  CTW_ASSIGN_OR_RETURN(Database db, Database::Open(database_path, false, 10'000));
  CTW_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  return std::unique_ptr<RenewalStateStore>(new RenewalStateStore(std::move(db)));
}

Result<RenewalState> RenewalStateStore::Get(const std::string& cert_name) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns +
                                                " FROM acme_renewal_state WHERE cert_name = ?1"));
  s.Bind(1, cert_name);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    RenewalState fresh;
    fresh.cert_name = cert_name;
    return fresh;
  }
  return ReadState(s);
}

Status RenewalStateStore::Save(const RenewalState& r) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(std::string("INSERT OR REPLACE INTO acme_renewal_state (") + kColumns +
                  ", updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                  "?14)"));
  s.Bind(1, r.cert_name)
      .Bind(2, r.certificate_id)
      .Bind(3, int64_t{r.failures})
      .Bind(4, r.next_attempt_ms)
      .Bind(5, r.last_attempt_ms)
      .Bind(6, NonEmpty(r.last_error))
      .Bind(7, NonEmpty(r.last_ca))
      .Bind(8, NonEmpty(r.ari_cert_id))
      .Bind(9, r.ari_window_start_ms)
      .Bind(10, r.ari_window_end_ms)
      .Bind(11, r.ari_renew_at_ms)
      .Bind(12, NonEmpty(r.ari_explanation_url))
      .Bind(13, r.ari_next_check_ms)
      .Bind(14, SystemClock::Get()->NowMs());
  return s.Run();
}

Result<std::vector<RenewalState>> RenewalStateStore::List() {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kColumns +
                                                " FROM acme_renewal_state ORDER BY cert_name"));
  std::vector<RenewalState> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadState(s));
  }
  return out;
}

}  // namespace ctwatch
