// InventoryStore: the ACME engine's SQLite tables (schema/002_acme.sql): accounts, orders with
// their resumable state, the owned-certificate inventory and finalize-time expectations. It
// opens its own connection to the store's database file (WAL lets it sit beside the ingestion
// writer); OpenInventoryStore first runs OpenSqliteStore so that every migration is applied.
// Thread-safety: every method locks one mutex around the single connection.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "acme/challenge_solver.h"
#include "acme/resources.h"
#include "core/bytes.h"
#include "core/result.h"
#include "store/sqlite.h"

namespace ctwatch {

struct AccountRecord {
  int64_t id = 0;
  std::string ca;
  std::string directory_url;
  std::string account_url;  // empty until registered
  std::string key_path;
  std::string key_thumbprint;
  std::vector<std::string> contact;
  std::string status = "valid";
  std::string eab_kid;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// Order states, in the order an order moves through them (RFC 8555 §7.1.6 plus local steps).
enum class OrderState {
  kNew,          // row written, newOrder not answered yet
  kPending,      // order exists at the CA; authorizations being satisfied
  kFinalizing,   // CSR key stored; finalize sent or about to be
  kProcessing,   // finalize accepted; waiting for the certificate
  kDownloading,  // order valid; certificate URL known
  kInstalled,    // files written and inventory updated; deploy hook not yet run
  kDone,
  kFailed,     // the CA refused or the order went invalid
  kAbandoned,  // given up locally (config changed, expired, operator)
};
const char* OrderStateName(OrderState state);
std::optional<OrderState> ParseOrderState(std::string_view text);
inline bool IsOpen(OrderState s) {
  return s != OrderState::kDone && s != OrderState::kFailed && s != OrderState::kAbandoned;
}

struct OrderRecord {
  int64_t id = 0;
  std::string cert_name;
  std::string ca;
  std::string directory_url;
  std::string account_url;
  std::vector<AcmeIdentifier> identifiers;
  std::string profile;
  std::string replaces;
  std::optional<int64_t> replaces_id;
  OrderState state = OrderState::kNew;
  std::string order_url;
  std::string finalize_url;
  std::string certificate_url;
  std::string key_path;
  std::optional<Sha256Hash> csr_spki_sha256;
  std::vector<ChallengeTask> challenges;  // presented, awaiting clean-up
  std::optional<int64_t> inventory_id;
  std::string error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct InventoryCertificate {
  int64_t id = 0;
  std::string name;  // lineage; empty for imports without one
  Sha256Hash identity{};
  Sha256Hash cert_sha256{};
  Sha256Hash spki_sha256{};
  std::vector<std::string> names;
  std::string serial_hex;
  Bytes aki;
  std::string issuer_dn;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  std::string ca;
  std::string order_url;
  std::string source = "acme";    // acme | import
  std::string status = "active";  // active | replaced | revoked | expired
  std::optional<int64_t> replaced_by;
  std::optional<int64_t> revoked_ms;
  std::optional<int> revocation_reason;
  Bytes cert_der;
  std::string chain_pem;
  std::string path;
  int64_t created_ms = 0;
};

struct InventoryQuery {
  std::string name;    // lineage name; empty = all
  std::string status;  // empty = all
  size_t limit = 1000;
};

// An expectation: registered by an order at finalize (source "acme", order_id set), or placed by
// hand with `ctwatch expect add` (source "manual", order_id 0, ca may be empty: any CA).
struct Expectation {
  int64_t id = 0;
  int64_t order_id = 0;  // 0 for manual expectations
  std::string source = "acme";
  std::string ca;
  Sha256Hash spki_sha256{};
  std::vector<std::string> names;  // sorted exact set
  int64_t window_start_ms = 0;
  int64_t window_end_ms = 0;
  std::string state = "open";  // open | fulfilled | cancelled
  std::optional<Sha256Hash> identity;
  std::string note;
  int64_t created_ms = 0;
};

// An issuer key seen at the top of an issued (or imported) certificate's chain (acme_ca_issuers).
struct IssuerRecord {
  std::string ca;
  Sha256Hash spki_sha256{};
  std::string subject_dn;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
};

class InventoryStore {
 public:
  explicit InventoryStore(Database db) : db_(std::move(db)) {}

  // Accounts.
  Result<std::optional<AccountRecord>> FindAccount(const std::string& directory_url,
                                                   const std::string& key_thumbprint);
  Result<int64_t> SaveAccount(const AccountRecord& account);  // insert or update by (dir, key)
  Result<std::vector<AccountRecord>> ListAccounts();
  // After a key rollover: the account row `id` now belongs to the new key.
  Status RekeyAccount(int64_t id, const std::string& key_thumbprint);

  // Orders.
  Result<int64_t> InsertOrder(const OrderRecord& order);
  Status UpdateOrder(const OrderRecord& order);  // every mutable column, updated_at = now
  Result<std::optional<OrderRecord>> GetOrder(int64_t id);
  // The newest open order of a certificate, if any.
  Result<std::optional<OrderRecord>> FindOpenOrder(const std::string& cert_name);
  Result<std::vector<OrderRecord>> ListOrders(const std::string& cert_name, bool open_only,
                                              size_t limit = 100);
  Result<bool> IsKnownOrderUrl(const std::string& order_url);

  // Inventory. RecordIssued does in one transaction: insert the certificate (or find it by
  // identity), mark `order.replaces_id` replaced_by it, fulfil the order's expectation, and
  // move the order to kInstalled with its inventory_id. Returns the certificate id.
  Result<int64_t> RecordIssued(OrderRecord* order, const InventoryCertificate& certificate);
  // Import path. Also fulfils the open manual expectations (`ctwatch expect add`) with the
  // certificate's key and exact name set, so that another certificate for them is foreign at
  // once rather than when the window closes.
  Result<int64_t> AddCertificate(const InventoryCertificate& certificate);
  Result<std::optional<InventoryCertificate>> GetCertificate(int64_t id);
  Result<std::optional<InventoryCertificate>> FindByIdentity(const Sha256Hash& identity);
  Result<std::optional<InventoryCertificate>> FindBySerial(const std::string& serial_hex);
  // The newest active certificate of a lineage.
  Result<std::optional<InventoryCertificate>> ActiveCertificate(const std::string& name);
  Result<std::vector<InventoryCertificate>> ListCertificates(const InventoryQuery& query);
  Status MarkRevoked(int64_t id, int reason, int64_t when_ms);
  // Active certificates whose notAfter has passed become 'expired'; returns how many.
  Result<int> MarkExpired(int64_t now_ms);
  // `old_id` (when active) becomes 'replaced' by `new_id` (imports of a newer certificate).
  Status MarkReplacedBy(int64_t old_id, int64_t new_id);

  // Issuer keys per CA: the expected issuers of our certificates (schema/004).
  Status RecordIssuer(const std::string& ca, const Sha256Hash& spki_sha256,
                      const std::string& subject_dn);
  Result<std::vector<IssuerRecord>> ListIssuers();

  // Expectations (one per order; a second call for the same order replaces the first).
  Result<int64_t> AddExpectation(const Expectation& expectation);
  Status CancelExpectation(int64_t order_id);
  // Open expectations whose window contains now_ms.
  Result<std::vector<Expectation>> OpenExpectations(int64_t now_ms);
  // Manual expectations (`ctwatch expect add`): inserted with source "manual" and no order.
  Result<int64_t> AddManualExpectation(const Expectation& expectation);
  // Cancels an open manual expectation (nothing is deleted). kNotFound for no such id,
  // kFailedPrecondition for an ACME expectation (its order owns it) or one no longer open.
  Status CancelManualExpectation(int64_t id);
  Result<std::optional<Expectation>> GetExpectation(int64_t id);
  // Every expectation, newest first (`ctwatch expect list`).
  Result<std::vector<Expectation>> ListExpectations(size_t limit = 1000);
  // Every expectation for this public key, any state, oldest first (the issuance verdict).
  Result<std::vector<Expectation>> ExpectationsForKey(const Sha256Hash& spki_sha256);
  // True when an inventory certificate has this public key.
  Result<bool> HasKey(const Sha256Hash& spki_sha256);
  // A value that changes whenever certificates, expectations or issuer keys change.
  Result<std::string> Generation();

 private:
  Result<int64_t> InsertCertificateLocked(const InventoryCertificate& c);
  Status FulfilManualExpectationsLocked(const InventoryCertificate& c);
  Status UpdateOrderLocked(const OrderRecord& order);

  std::mutex mu_;
  Database db_;  // GUARDED_BY(mu_)
};

// Runs the store's migrations (OpenSqliteStore) on `database_path`, then opens the engine's own
// read-write connection to it.
Result<std::unique_ptr<InventoryStore>> OpenInventoryStore(const std::string& database_path);

}  // namespace ctwatch
