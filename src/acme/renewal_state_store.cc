#include "acme/renewal_state_store.h"

#include "core/clock.h"
#include "store/store.h"

namespace ctwatch {
namespace {

constexpr const char* kColumns =
    "cert_name, certificate_id, failures, next_attempt_at, last_attempt_at, last_error, last_ca, "
    "ari_cert_id, ari_window_start, ari_window_end, ari_renew_at, ari_explanation, "
    "ari_next_check_at";

RenewalState ReadState(const Statement& s) {
  RenewalState r;
  r.cert_name = s.Text(0);
  r.certificate_id = s.OptionalInt(1);
  r.failures = static_cast<int>(s.Int(2));
  r.next_attempt_ms = s.OptionalInt(3);
  r.last_attempt_ms = s.OptionalInt(4);
  r.last_error = s.Text(5);
  r.last_ca = s.Text(6);
  r.ari_cert_id = s.Text(7);
  r.ari_window_start_ms = s.OptionalInt(8);
  r.ari_window_end_ms = s.OptionalInt(9);
  r.ari_renew_at_ms = s.OptionalInt(10);
  r.ari_explanation_url = s.Text(11);
  r.ari_next_check_ms = s.OptionalInt(12);
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
      .BindNonEmpty(6, r.last_error)
      .BindNonEmpty(7, r.last_ca)
      .BindNonEmpty(8, r.ari_cert_id)
      .Bind(9, r.ari_window_start_ms)
      .Bind(10, r.ari_window_end_ms)
      .Bind(11, r.ari_renew_at_ms)
      .BindNonEmpty(12, r.ari_explanation_url)
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
