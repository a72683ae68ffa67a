// OrderRunner: one certificate order from newOrder to installed files (RFC 8555 §7.4-7.4.2),
// crash-safe. The order's state is persisted (InventoryStore) before each step, so a process
// killed at any point resumes the same order on its next run instead of ordering the same
// names again: a lost newOrder answer is found again through the account's orders list
// (§7.1.2.1), presented challenges are re-presented or cleaned up, the certificate key is kept
// in pending/<order>.key (0600) from before finalize until the files are installed, and an
// abandoned or failed order deletes its key and cancels its expectation.
//
// Flow: newOrder (identifiers, `profile` when the directory lists it, `replaces` retried once
// without it on alreadyReplaced or a malformed answer about it) → each pending authorization:
// present, respond, poll (Retry-After) → clean up → finalize with a CSR for a new key (or the
// live key when reused) and register the expectation → poll (orderNotReady re-polled) →
// download the chain and its alternates (Link rel="alternate"), pick the preferred one by issuer
// name, check it (our key, the exact names, signed by its issuer) → install files and record it
// in the inventory (replacing the previous certificate) → deploy hook.
//
// Thread-safety: an OrderRunner uses one AcmeClient and so belongs to one thread; several
// runners (one per thread, each with its own client) may work on different lineages at once.
// A per-lineage FileLock keeps two processes off the same lineage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acme/acme_client.h"
#include "acme/certificate_files.h"
#include "acme/challenge_solver.h"
#include "acme/inventory_store.h"
#include "acme/keys.h"
#include "core/clock.h"
#include "core/result.h"

namespace ctwatch {

struct IssueRequest {
  std::string name;                         // lineage (live/<name>)
  std::vector<AcmeIdentifier> identifiers;  // canonical (IdentifiersForNames)
  KeyType key_type = KeyType::kEcdsaP256;
  bool reuse_key = false;
  std::string challenge = "http-01";
  std::string profile;                 // sent only when the directory lists it
  std::string replaces;                // ARI certID of the certificate being replaced
  std::optional<int64_t> replaces_id;  // its inventory id
  std::string preferred_chain;         // issuer CN at the top of the preferred chain
  std::string deploy_hook;
};

struct IssueResult {
  int64_t order_id = 0;
  InventoryCertificate certificate;  // as recorded (id = inventory id)
  std::string live_dir;
  std::string archive_dir;
  bool resumed = false;  // an interrupted order was finished
  bool renewal = false;  // the lineage had an active certificate before
  Status deploy_status;  // the deploy hook's outcome (the certificate is installed)
};

// Where the rate-limit ledger, metrics and findings hook in (part of the scheduler's wiring).
// Every method has a no-op default.
class OrderObserver {
 public:
  virtual ~OrderObserver() = default;
  // Before newOrder is sent: an error refuses the order and nothing is sent. order.replaces
  // tells an ARI replacement (exempt from Let's Encrypt's limits) from a new order.
  virtual Status BeforeNewOrder(const OrderRecord& order) {
    (void)order;
    return OkStatus();
  }
  virtual void OnOrderCreated(const OrderRecord& order) { (void)order; }
  virtual void OnValidationFailed(const OrderRecord& order, const AcmeIdentifier& identifier,
                                  const std::string& detail) {
    (void)order, (void)identifier, (void)detail;
  }
  virtual void OnIssued(const OrderRecord& order, const InventoryCertificate& certificate) {
    (void)order, (void)certificate;
  }
  virtual void OnFailed(const OrderRecord& order, const Error& error) { (void)order, (void)error; }
};

// The solvers an order may need, by challenge type (nullptr-free: an error when unavailable).
class SolverProvider {
 public:
  virtual ~SolverProvider() = default;
  virtual Result<ChallengeSolver*> Solver(std::string_view type) = 0;
};

struct OrderRunnerOptions {
  std::string ca_name;
  int64_t validation_timeout_ms = 300'000;
  int64_t issuance_timeout_ms = 300'000;
  int64_t poll_initial_ms = 50;     // doubling up to poll_max_ms, unless Retry-After says
  int64_t poll_max_ms = 5'000;
  int64_t expectation_window_ms = 86'400'000;  // after finalize
  int64_t deploy_timeout_ms = 600'000;
  int64_t lock_timeout_ms = 10'000;
};

class OrderRunner {
 public:
  OrderRunner(AcmeClient* client, InventoryStore* store, const CertificateFiles* files,
              SolverProvider* solvers, Clock* clock, OrderObserver* observer,
              OrderRunnerOptions options);

  // Obtains the certificate of `request`, resuming this lineage's open order when it is for
  // the same CA, account and identifiers (otherwise that order is abandoned first).
  Result<IssueResult> Run(const IssueRequest& request);

  // Abandons the open order of a lineage (cleans up challenges, deletes the pending key,
  // cancels the expectation). No-op when there is none.
  Status AbandonOpenOrder(const std::string& name, const std::string& why);

 private:
  Result<IssueResult> NewOrder(const IssueRequest& request, bool renewal);
  Status Drive(const IssueRequest& request, OrderRecord* order, IssueResult* result);
  Status CreateOrder(const IssueRequest& request, OrderRecord* order);
  Result<bool> RecoverLostOrder(OrderRecord* order);
  Result<AcmeOrder> FetchOrder(const OrderRecord& order);
  Status Authorize(const IssueRequest& request, OrderRecord* order, const AcmeOrder& ca_order);
  Status Finalize(const IssueRequest& request, OrderRecord* order);
  Result<AcmeOrder> WaitWhileProcessing(const OrderRecord& order);
  Status DownloadAndInstall(const IssueRequest& request, OrderRecord* order,
                            const std::string& certificate_url, IssueResult* result);
  Status Deploy(const IssueRequest& request, OrderRecord* order, IssueResult* result);
  Result<EvpPkeyPtr> CertificateKey(const IssueRequest& request, OrderRecord* order);
  Error Fail(OrderRecord* order, Error error, OrderState state = OrderState::kFailed);
  void CleanUpChallenges(OrderRecord* order);
  Status Save(const OrderRecord& order);
  void Wait(int64_t* delay_ms, int64_t retry_after_ms);

  AcmeClient* client_;
  InventoryStore* store_;
  const CertificateFiles* files_;
  SolverProvider* solvers_;
  Clock* clock_;
  OrderObserver* observer_;
  OrderObserver no_observer_;
  OrderRunnerOptions options_;
};

// The names a certificate for `identifiers` must carry exactly (DNS values incl. "*." and IPs).
std::vector<std::string> IdentifierNames(const std::vector<AcmeIdentifier>& identifiers);

}  // namespace ctwatch
