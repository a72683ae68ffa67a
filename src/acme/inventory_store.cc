#include "acme/inventory_store.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "store/store.h"

namespace ctwatch {
namespace {

using nlohmann::json;

int64_t Now() { return SystemClock::Get()->NowMs(); }

std::string ChallengesToJson(const std::vector<ChallengeTask>& tasks) {
  json arr = json::array();
  for (const ChallengeTask& t : tasks) {
    arr.push_back({{"type", t.type},
                   {"identifier", {{"type", t.identifier.type}, {"value", t.identifier.value}}},
                   {"wildcard", t.wildcard},
                   {"token", t.token},
                   {"key_authorization", t.key_authorization}});
  }
  return arr.dump();
}

std::vector<ChallengeTask> ChallengesFromJson(const std::string& text) {
  std::vector<ChallengeTask> out;
  json arr = json::parse(text, nullptr, false);
  if (!arr.is_array()) return out;
  for (const json& j : arr) {
    if (!j.is_object()) continue;
    ChallengeTask t;
    t.type = j.value("type", "");
    if (auto id = j.find("identifier"); id != j.end() && id->is_object()) {
      t.identifier.type = id->value("type", "");
      t.identifier.value = id->value("value", "");
    }
    t.wildcard = j.value("wildcard", false);
    t.token = j.value("token", "");
    t.key_authorization = j.value("key_authorization", "");
    out.push_back(std::move(t));
  }
  return out;
}

// "www.example.com" -> "com.example.www" (the certificate_names convention).
std::string ReverseLabels(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
      out.append(name);
      break;
    }
    out.append(name.substr(dot + 1));
    out.push_back('.');
    name = name.substr(0, dot);
  }
  return out;
}

constexpr const char* kAccountColumns =
    "id, ca, directory_url, account_url, key_path, key_thumbprint, contact, status, eab_kid, "
    "created_at, updated_at";

AccountRecord ReadAccount(const Statement& s) {
  AccountRecord a;
  a.id = s.Int(0);
  a.ca = s.Text(1);
  a.directory_url = s.Text(2);
  a.account_url = s.Text(3);
  a.key_path = s.Text(4);
  a.key_thumbprint = s.Text(5);
  a.contact = StringListFromJson(s.Text(6));
  a.status = s.Text(7);
  a.eab_kid = s.Text(8);
  a.created_ms = s.Int(9);
  a.updated_ms = s.Int(10);
  return a;
}

constexpr const char* kOrderColumns =
    "id, cert_name, ca, directory_url, account_url, identifiers, profile, replaces, replaces_id, "
    "state, order_url, finalize_url, certificate_url, key_path, csr_spki_sha256, challenges, "
    "inventory_id, error, created_at, updated_at";

Result<OrderRecord> ReadOrder(const Statement& s) {
  OrderRecord o;
  o.id = s.Int(0);
  o.cert_name = s.Text(1);
  o.ca = s.Text(2);
  o.directory_url = s.Text(3);
  o.account_url = s.Text(4);
  CTW_ASSIGN_OR_RETURN(o.identifiers, IdentifiersFromJson(s.Text(5)));
  o.profile = s.Text(6);
  o.replaces = s.Text(7);
  o.replaces_id = s.OptionalInt(8);
  auto state = ParseOrderState(s.Text(9));
  if (!state) return MakeError(ErrorCode::kParse, "order " + std::to_string(o.id) + ": bad state");
  o.state = *state;
  o.order_url = s.Text(10);
  o.finalize_url = s.Text(11);
  o.certificate_url = s.Text(12);
  o.key_path = s.Text(13);
  o.csr_spki_sha256 = s.Hash(14);
  o.challenges = ChallengesFromJson(s.Text(15));
  o.inventory_id = s.OptionalInt(16);
  o.error = s.Text(17);
  o.created_ms = s.Int(18);
  o.updated_ms = s.Int(19);
  return o;
}

constexpr const char* kCertificateColumns =
    "id, name, identity, cert_sha256, spki_sha256, names, serial, aki, issuer_dn, not_before, "
    "not_after, ca, order_url, source, status, replaced_by, revoked_at, revocation_reason, "
    "cert_der, chain_pem, path, created_at";

InventoryCertificate ReadCertificate(const Statement& s) {
  InventoryCertificate c;
  c.id = s.Int(0);
  c.name = s.Text(1);
  c.identity = s.Hash(2).value_or(Sha256Hash{});
  c.cert_sha256 = s.Hash(3).value_or(Sha256Hash{});
  c.spki_sha256 = s.Hash(4).value_or(Sha256Hash{});
  c.names = StringListFromJson(s.Text(5));
  c.serial_hex = s.Text(6);
  if (!s.IsNull(7)) c.aki = s.Blob(7);
  c.issuer_dn = s.Text(8);
  c.not_before_ms = s.Int(9);
  c.not_after_ms = s.Int(10);
  c.ca = s.Text(11);
  c.order_url = s.Text(12);
  c.source = s.Text(13);
  c.status = s.Text(14);
  c.replaced_by = s.OptionalInt(15);
  c.revoked_ms = s.OptionalInt(16);
  if (auto r = s.OptionalInt(17)) c.revocation_reason = static_cast<int>(*r);
  c.cert_der = s.Blob(18);
  c.chain_pem = s.Text(19);
  c.path = s.Text(20);
  c.created_ms = s.Int(21);
  return c;
}

// The first inventory certificate of `SELECT ... FROM inventory_certificates <where>`, with
// `key` bound to ?1; nullopt when there is none.
template <typename Key>
Result<std::optional<InventoryCertificate>> FirstCertificate(Database& db, std::string_view where,
                                                             const Key& key) {
  CTW_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string("SELECT ") + kCertificateColumns +
                                               " FROM inventory_certificates " +
                                               std::string(where)));
  s.Bind(1, key);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<InventoryCertificate>();
  return std::optional<InventoryCertificate>(ReadCertificate(s));
}

constexpr const char* kExpectationColumns =
    "id, order_id, ca, spki_sha256, names, window_start, window_end, state, identity, source, "
    "note, created_at";

Expectation ReadExpectation(const Statement& s);

// Every row of an expectation query.
Result<std::vector<Expectation>> ReadExpectations(Statement* s) {
  std::vector<Expectation> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(ReadExpectation(*s));
  }
  return out;
}

Expectation ReadExpectation(const Statement& s) {
  Expectation e;
  e.id = s.Int(0);
  e.order_id = s.IsNull(1) ? 0 : s.Int(1);
  e.ca = s.Text(2);
  e.spki_sha256 = s.Hash(3).value_or(Sha256Hash{});
  e.names = StringListFromJson(s.Text(4));
  e.window_start_ms = s.Int(5);
  e.window_end_ms = s.Int(6);
  e.state = s.Text(7);
  e.identity = s.Hash(8);
  e.source = s.Text(9);
  e.note = s.Text(10);
  e.created_ms = s.Int(11);
  return e;
}

}  // namespace

const char* OrderStateName(OrderState state) {
  switch (state) {
    case OrderState::kNew:
      return "new";
    case OrderState::kPending:
      return "pending";
    case OrderState::kFinalizing:
      return "finalizing";
    case OrderState::kProcessing:
      return "processing";
    case OrderState::kDownloading:
      return "downloading";
    case OrderState::kInstalled:
      return "installed";
    case OrderState::kDone:
      return "done";
    case OrderState::kFailed:
      return "failed";
    case OrderState::kAbandoned:
      return "abandoned";
  }
  return "?";
}

std::optional<OrderState> ParseOrderState(std::string_view text) {
  for (OrderState s : {OrderState::kNew, OrderState::kPending, OrderState::kFinalizing,
                       OrderState::kProcessing, OrderState::kDownloading, OrderState::kInstalled,
                       OrderState::kDone, OrderState::kFailed, OrderState::kAbandoned}) {
    if (text == OrderStateName(s)) return s;
  }
  return std::nullopt;
}

Result<std::unique_ptr<InventoryStore>> OpenInventoryStore(const std::string& database_path) {
  {
    // Creates the file if needed and applies every migration, 002_acme included.
    CTW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore({.path = database_path}));
  }
  CTW_ASSIGN_OR_RETURN(Database db, Database::Open(database_path, false, 10'000));
  CTW_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  CTW_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
  return std::make_unique<InventoryStore>(std::move(db));
}

// ---- accounts ----

Result<std::optional<AccountRecord>> InventoryStore::FindAccount(
    const std::string& directory_url, const std::string& key_thumbprint) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kAccountColumns +
                                                " FROM acme_accounts WHERE directory_url = ?1"
                                                " AND key_thumbprint = ?2"));
  s.Bind(1, directory_url).Bind(2, key_thumbprint);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(ReadAccount(s));
}

Result<int64_t> InventoryStore::SaveAccount(const AccountRecord& a) {
  std::lock_guard lock(mu_);
  const int64_t now = Now();
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "INSERT INTO acme_accounts (ca, directory_url, account_url, key_path, key_thumbprint,"
          " contact, status, eab_kid, created_at, updated_at)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
          " ON CONFLICT (directory_url, key_thumbprint) DO UPDATE SET ca = ?1, account_url = ?3,"
          " key_path = ?4, contact = ?6, status = ?7, eab_kid = ?8, updated_at = ?9"));
  s.Bind(1, a.ca)
      .Bind(2, a.directory_url)
      .BindNonEmpty(3, a.account_url)
      .Bind(4, a.key_path)
      .Bind(5, a.key_thumbprint)
      .Bind(6, StringListToJson(a.contact))
      .Bind(7, a.status)
      .BindNonEmpty(8, a.eab_kid)
      .Bind(9, now);
  CTW_RETURN_IF_ERROR(s.Run());
  CTW_ASSIGN_OR_RETURN(
      Statement id,
      db_.Prepare("SELECT id FROM acme_accounts WHERE directory_url = ?1 AND key_thumbprint = ?2"));
  id.Bind(1, a.directory_url).Bind(2, a.key_thumbprint);
  CTW_ASSIGN_OR_RETURN(bool row, id.Step());
  if (!row) return MakeError(ErrorCode::kInternal, "account row vanished");
  return id.Int(0);
}

Result<std::vector<AccountRecord>> InventoryStore::ListAccounts() {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kAccountColumns +
                                                " FROM acme_accounts ORDER BY id"));
  std::vector<AccountRecord> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadAccount(s));
  }
  return out;
}

Status InventoryStore::RekeyAccount(int64_t id, const std::string& key_thumbprint) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE acme_accounts SET key_thumbprint = ?2, updated_at = ?3 WHERE id = ?1"));
  s.Bind(1, id).Bind(2, key_thumbprint).Bind(3, Now());
  CTW_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() != 1)
    return MakeError(ErrorCode::kNotFound, "no account " + std::to_string(id));
  return OkStatus();
}

// ---- orders ----

Result<int64_t> InventoryStore::InsertOrder(const OrderRecord& o) {
  std::lock_guard lock(mu_);
  const int64_t now = Now();
  CTW_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("INSERT INTO acme_orders (cert_name, ca, directory_url, "
                               "account_url, identifiers, profile,"
                               " replaces, replaces_id, state, key_path, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"));
  s.Bind(1, o.cert_name)
      .Bind(2, o.ca)
      .Bind(3, o.directory_url)
      .Bind(4, o.account_url)
      .Bind(5, IdentifiersToJson(o.identifiers))
      .BindNonEmpty(6, o.profile)
      .BindNonEmpty(7, o.replaces)
      .Bind(8, o.replaces_id)
      .Bind(9, OrderStateName(o.state))
      .BindNonEmpty(10, o.key_path)
      .Bind(11, now);
  CTW_RETURN_IF_ERROR(s.Run());
  return db_.LastInsertRowId();
}

Status InventoryStore::UpdateOrderLocked(const OrderRecord& o) {
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "UPDATE acme_orders SET account_url = ?2, profile = ?3, replaces = ?4, replaces_id = ?5,"
          " state = ?6, order_url = ?7, finalize_url = ?8, certificate_url = ?9, key_path = ?10,"
          " csr_spki_sha256 = ?11, challenges = ?12, inventory_id = ?13, error = ?14, updated_at = "
          "?15"
          " WHERE id = ?1"));
  s.Bind(1, o.id)
      .Bind(2, o.account_url)
      .BindNonEmpty(3, o.profile)
      .BindNonEmpty(4, o.replaces)
      .Bind(5, o.replaces_id)
      .Bind(6, OrderStateName(o.state))
      .BindNonEmpty(7, o.order_url)
      .BindNonEmpty(8, o.finalize_url)
      .BindNonEmpty(9, o.certificate_url)
      .BindNonEmpty(10, o.key_path)
      .Bind(11, o.csr_spki_sha256)
      .Bind(12, ChallengesToJson(o.challenges))
      .Bind(13, o.inventory_id)
      .BindNonEmpty(14, o.error)
      .Bind(15, Now());
  CTW_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() != 1) {
    return MakeError(ErrorCode::kNotFound, "no order " + std::to_string(o.id));
  }
  return OkStatus();
}

Status InventoryStore::UpdateOrder(const OrderRecord& o) {
  std::lock_guard lock(mu_);
  return UpdateOrderLocked(o);
}

Result<std::optional<OrderRecord>> InventoryStore::GetOrder(int64_t id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kOrderColumns +
                                                " FROM acme_orders WHERE id = ?1"));
  s.Bind(1, id);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<OrderRecord>();
  CTW_ASSIGN_OR_RETURN(OrderRecord o, ReadOrder(s));
  return std::optional<OrderRecord>(std::move(o));
}

Result<std::optional<OrderRecord>> InventoryStore::FindOpenOrder(const std::string& cert_name) {
  CTW_ASSIGN_OR_RETURN(std::vector<OrderRecord> open, ListOrders(cert_name, true, 1));
  if (open.empty()) return std::optional<OrderRecord>();
  return std::optional<OrderRecord>(std::move(open.front()));
}

Result<std::vector<OrderRecord>> InventoryStore::ListOrders(const std::string& cert_name,
                                                            bool open_only, size_t limit) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM acme_orders WHERE 1";
  if (!cert_name.empty()) sql += " AND cert_name = ?1";
  if (open_only) sql += " AND state NOT IN ('done', 'failed', 'abandoned')";
  sql += " ORDER BY id DESC LIMIT ?2";
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql));
  if (!cert_name.empty()) s.Bind(1, cert_name);
  s.Bind(2, static_cast<int64_t>(limit));
  std::vector<OrderRecord> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CTW_ASSIGN_OR_RETURN(OrderRecord o, ReadOrder(s));
    out.push_back(std::move(o));
  }
  return out;
}

Result<bool> InventoryStore::IsKnownOrderUrl(const std::string& order_url) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT 1 FROM acme_orders WHERE order_url = ?1"));
  s.Bind(1, order_url);
  return s.Step();
}

// ---- inventory ----

Result<int64_t> InventoryStore::InsertCertificateLocked(const InventoryCertificate& c) {
  CTW_ASSIGN_OR_RETURN(Statement existing,
                       db_.Prepare("SELECT id FROM inventory_certificates WHERE identity = ?1"));
  existing.Bind(1, c.identity);
  CTW_ASSIGN_OR_RETURN(bool found, existing.Step());
  if (found) return existing.Int(0);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "INSERT INTO inventory_certificates (name, identity, cert_sha256, spki_sha256, names,"
          " serial, aki, issuer_dn, not_before, not_after, ca, order_url, source, status, cert_der,"
          " chain_pem, path, created_at)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
          "?18)"));
  s.BindNonEmpty(1, c.name)
      .Bind(2, c.identity)
      .Bind(3, c.cert_sha256)
      .Bind(4, c.spki_sha256)
      .Bind(5, StringListToJson(c.names))
      .Bind(6, c.serial_hex);
  if (c.aki.empty()) {
    s.BindNull(7);
  } else {
    s.Bind(7, ByteView(c.aki));
  }
  s.Bind(8, c.issuer_dn)
      .Bind(9, c.not_before_ms)
      .Bind(10, c.not_after_ms)
      .BindNonEmpty(11, c.ca)
      .BindNonEmpty(12, c.order_url)
      .Bind(13, c.source)
      .Bind(14, c.status)
      .Bind(15, ByteView(c.cert_der))
      .BindNonEmpty(16, c.chain_pem)
      .BindNonEmpty(17, c.path)
      .Bind(18, Now());
  CTW_RETURN_IF_ERROR(s.Run());
  const int64_t id = db_.LastInsertRowId();
  for (const std::string& name : c.names) {
    CTW_ASSIGN_OR_RETURN(Statement n,
                         db_.Prepare("INSERT OR IGNORE INTO inventory_names (reversed_name, "
                                     "certificate_id) VALUES (?1, ?2)"));
    n.Bind(1, ReverseLabels(name)).Bind(2, id);
    CTW_RETURN_IF_ERROR(n.Run());
  }
  return id;
}

Result<int64_t> InventoryStore::RecordIssued(OrderRecord* order,
                                             const InventoryCertificate& certificate) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
  CTW_ASSIGN_OR_RETURN(int64_t id, InsertCertificateLocked(certificate));
  if (order->replaces_id.has_value() && *order->replaces_id != id) {
    CTW_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare(
            "UPDATE inventory_certificates SET status = CASE WHEN status = 'active' THEN 'replaced'"
            " ELSE status END, replaced_by = ?2 WHERE id = ?1"));
    s.Bind(1, *order->replaces_id).Bind(2, id);
    CTW_RETURN_IF_ERROR(s.Run());
  }
  // Older active certificates of the same lineage are superseded too.
  if (!certificate.name.empty()) {
    CTW_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare("UPDATE inventory_certificates SET status = 'replaced', replaced_by = ?2"
                    " WHERE name = ?1 AND status = 'active' AND id <> ?2"));
    s.Bind(1, certificate.name).Bind(2, id);
    CTW_RETURN_IF_ERROR(s.Run());
  }
  CTW_ASSIGN_OR_RETURN(
      Statement e,
      db_.Prepare(
          "UPDATE acme_expectations SET state = 'fulfilled', identity = ?2 WHERE order_id = ?1"));
  e.Bind(1, order->id).Bind(2, certificate.identity);
  CTW_RETURN_IF_ERROR(e.Run());
  OrderRecord updated = *order;
  updated.state = OrderState::kInstalled;
  updated.inventory_id = id;
  CTW_RETURN_IF_ERROR(UpdateOrderLocked(updated));
  CTW_RETURN_IF_ERROR(tx.Commit());
  *order = std::move(updated);
  return id;
}

Result<int64_t> InventoryStore::AddCertificate(const InventoryCertificate& certificate) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(&db_));
  CTW_ASSIGN_OR_RETURN(int64_t id, InsertCertificateLocked(certificate));
  CTW_RETURN_IF_ERROR(FulfilManualExpectationsLocked(certificate));
  CTW_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status InventoryStore::FulfilManualExpectationsLocked(const InventoryCertificate& c) {
  std::vector<std::string> names;
  for (const std::string& n : c.names) {
    std::string lower = n;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  CTW_ASSIGN_OR_RETURN(Statement set,
                       db_.Prepare("UPDATE acme_expectations SET state = 'fulfilled',"
                                   " identity = ?2 WHERE source = 'manual' AND state = 'open'"
                                   " AND spki_sha256 = ?1 AND names = ?3"));
  set.Bind(1, c.spki_sha256).Bind(2, c.identity).Bind(3, StringListToJson(names));
  return set.Run();
}

Result<std::optional<InventoryCertificate>> InventoryStore::GetCertificate(int64_t id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kCertificateColumns +
                                                " FROM inventory_certificates WHERE id = ?1"));
  s.Bind(1, id);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<InventoryCertificate>();
  return std::optional<InventoryCertificate>(ReadCertificate(s));
}

Result<std::optional<InventoryCertificate>> InventoryStore::FindByIdentity(
    const Sha256Hash& identity) {
  std::lock_guard lock(mu_);
  return FirstCertificate(db_, "WHERE identity = ?1", identity);
}

Result<std::optional<InventoryCertificate>> InventoryStore::FindBySerial(
    const std::string& serial_hex) {
  std::lock_guard lock(mu_);
  return FirstCertificate(db_, "WHERE serial = ?1 ORDER BY id DESC LIMIT 1",
                          std::string_view(serial_hex));
}

Result<std::optional<InventoryCertificate>> InventoryStore::ActiveCertificate(
    const std::string& name) {
  std::lock_guard lock(mu_);
  return FirstCertificate(db_, "WHERE name = ?1 AND status = 'active' ORDER BY id DESC LIMIT 1",
                          std::string_view(name));
}

Result<std::vector<InventoryCertificate>> InventoryStore::ListCertificates(
    const InventoryQuery& q) {
  std::lock_guard lock(mu_);
  std::string sql =
      std::string("SELECT ") + kCertificateColumns + " FROM inventory_certificates WHERE 1";
  if (!q.name.empty()) sql += " AND name = ?1";
  if (!q.status.empty()) sql += " AND status = ?2";
  sql += " ORDER BY id DESC LIMIT ?3";
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql));
  if (!q.name.empty()) s.Bind(1, q.name);
  if (!q.status.empty()) s.Bind(2, q.status);
  s.Bind(3, static_cast<int64_t>(q.limit));
  std::vector<InventoryCertificate> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadCertificate(s));
  }
  return out;
}

Status InventoryStore::MarkRevoked(int64_t id, int reason, int64_t when_ms) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE inventory_certificates SET status = 'revoked', revoked_at = ?2,"
                  " revocation_reason = ?3 WHERE id = ?1"));
  s.Bind(1, id).Bind(2, when_ms).Bind(3, int64_t{reason});
  CTW_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() != 1)
    return MakeError(ErrorCode::kNotFound, "no certificate " + std::to_string(id));
  return OkStatus();
}

Result<int> InventoryStore::MarkExpired(int64_t now_ms) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE inventory_certificates SET status = 'expired' WHERE status = 'active'"
                  " AND not_after < ?1"));
  s.Bind(1, now_ms);
  CTW_RETURN_IF_ERROR(s.Run());
  return db_.Changes();
}

Status InventoryStore::MarkReplacedBy(int64_t old_id, int64_t new_id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE inventory_certificates SET status = 'replaced', replaced_by = ?2"
                  " WHERE id = ?1 AND status = 'active' AND id <> ?2"));
  s.Bind(1, old_id).Bind(2, new_id);
  return s.Run();
}

// ---- issuers ----

Status InventoryStore::RecordIssuer(const std::string& ca, const Sha256Hash& spki_sha256,
                                    const std::string& subject_dn) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO acme_ca_issuers (ca, spki_sha256, subject_dn, first_seen, last_seen)"
                  " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (ca, spki_sha256) DO UPDATE SET"
                  " subject_dn = ?3, last_seen = ?4"));
  s.Bind(1, ca).Bind(2, spki_sha256).Bind(3, subject_dn).Bind(4, Now());
  return s.Run();
}

Result<std::vector<IssuerRecord>> InventoryStore::ListIssuers() {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s,
                       db_.Prepare("SELECT ca, spki_sha256, subject_dn, first_seen, last_seen"
                                   " FROM acme_ca_issuers ORDER BY ca, first_seen"));
  std::vector<IssuerRecord> out;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    IssuerRecord r;
    r.ca = s.Text(0);
    r.spki_sha256 = s.Hash(1).value_or(Sha256Hash{});
    r.subject_dn = s.Text(2);
    r.first_seen_ms = s.Int(3);
    r.last_seen_ms = s.Int(4);
    out.push_back(std::move(r));
  }
  return out;
}

// ---- expectations ----

Result<int64_t> InventoryStore::AddExpectation(const Expectation& e) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO acme_expectations (order_id, ca, spki_sha256, names, window_start, "
                  "window_end,"
                  " state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)"
                  " ON CONFLICT (order_id) DO UPDATE SET ca = ?2, spki_sha256 = ?3, names = ?4,"
                  " window_start = ?5, window_end = ?6, state = 'open', identity = NULL"));
  s.Bind(1, e.order_id)
      .Bind(2, e.ca)
      .Bind(3, e.spki_sha256)
      .Bind(4, StringListToJson(e.names))
      .Bind(5, e.window_start_ms)
      .Bind(6, e.window_end_ms)
      .Bind(7, Now());
  CTW_RETURN_IF_ERROR(s.Run());
  CTW_ASSIGN_OR_RETURN(Statement id,
                       db_.Prepare("SELECT id FROM acme_expectations WHERE order_id = ?1"));
  id.Bind(1, e.order_id);
  CTW_ASSIGN_OR_RETURN(bool row, id.Step());
  if (!row) return MakeError(ErrorCode::kInternal, "expectation row vanished");
  return id.Int(0);
}

Status InventoryStore::CancelExpectation(int64_t order_id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE acme_expectations SET state = 'cancelled' "
                                                "WHERE order_id = ?1 AND state = 'open'"));
  s.Bind(1, order_id);
  return s.Run();
}

Result<std::vector<Expectation>> InventoryStore::OpenExpectations(int64_t now_ms) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kExpectationColumns +
                                                " FROM acme_expectations WHERE state = 'open'"
                                                " AND window_start <= ?1 AND window_end >= ?1"
                                                " ORDER BY id"));
  s.Bind(1, now_ms);
  return ReadExpectations(&s);
}

Result<int64_t> InventoryStore::AddManualExpectation(const Expectation& e) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO acme_expectations (order_id, source, ca, spki_sha256, names,"
                  " window_start, window_end, state, note, created_at)"
                  " VALUES (NULL, 'manual', ?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7)"));
  s.Bind(1, e.ca)
      .Bind(2, e.spki_sha256)
      .Bind(3, StringListToJson(e.names))
      .Bind(4, e.window_start_ms)
      .Bind(5, e.window_end_ms)
      .BindNonEmpty(6, e.note)
      .Bind(7, Now());
  CTW_RETURN_IF_ERROR(s.Run());
  return db_.LastInsertRowId();
}

Status InventoryStore::CancelManualExpectation(int64_t id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement get,
                       db_.Prepare("SELECT source, state, order_id FROM acme_expectations"
                                   " WHERE id = ?1"));
  get.Bind(1, id);
  CTW_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no expectation " + std::to_string(id));
  if (get.Text(0) != "manual") {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "expectation " + std::to_string(id) + " belongs to ACME order " +
                         std::to_string(get.Int(2)) + " (it ends with its order)");
  }
  if (get.Text(1) != "open") {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "expectation " + std::to_string(id) + " is already " + get.Text(1));
  }
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE acme_expectations SET state = 'cancelled'"
                                                " WHERE id = ?1 AND state = 'open'"));
  s.Bind(1, id);
  return s.Run();
}

Result<std::optional<Expectation>> InventoryStore::GetExpectation(int64_t id) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kExpectationColumns +
                                                " FROM acme_expectations WHERE id = ?1"));
  s.Bind(1, id);
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Expectation>();
  return std::optional<Expectation>(ReadExpectation(s));
}

Result<std::vector<Expectation>> InventoryStore::ListExpectations(size_t limit) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kExpectationColumns +
                                                " FROM acme_expectations ORDER BY id DESC"
                                                " LIMIT ?1"));
  s.Bind(1, static_cast<int64_t>(limit));
  return ReadExpectations(&s);
}

Result<std::vector<Expectation>> InventoryStore::ExpectationsForKey(const Sha256Hash& spki) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare(std::string("SELECT ") + kExpectationColumns +
                                                " FROM acme_expectations WHERE spki_sha256 = ?1"
                                                " ORDER BY id"));
  s.Bind(1, spki);
  return ReadExpectations(&s);
}

Result<bool> InventoryStore::HasKey(const Sha256Hash& spki) {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT 1 FROM inventory_certificates"
                                                " WHERE spki_sha256 = ?1 LIMIT 1"));
  s.Bind(1, spki);
  return s.Step();
}

Result<std::string> InventoryStore::Generation() {
  std::lock_guard lock(mu_);
  CTW_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT (SELECT COUNT(*) FROM inventory_certificates),"
                  " (SELECT COUNT(*) FROM acme_expectations),"
                  " (SELECT COUNT(*) FROM acme_expectations WHERE state = 'open'),"
                  " (SELECT COUNT(*) FROM acme_expectations WHERE state = 'fulfilled'),"
                  " (SELECT COUNT(*) FROM acme_ca_issuers)"));
  CTW_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::string();
  std::string out;
  for (int i = 0; i < 5; ++i) out += std::to_string(s.Int(i)) + ":";
  return out;
}

}  // namespace ctwatch
