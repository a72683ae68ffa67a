// AcmeEngine: the ACME engine as the CLI and the renewal scheduler use it. It owns the
// inventory connection, the storage layout and the challenge solvers (built from [acme] on
// first use), and hands out per-thread AcmeSessions (HTTP client + ACME client + account key for
// one CA). Accounts are created on first use: key file <storage>/accounts/<ca>/account.key
// (0600, never a certificate key), registered with the CA (EAB when configured), and recorded in
// SQLite; a key rollover interrupted by a crash is completed or undone on the next session.
//
// How a scheduler issues or renews (one thread per certificate; each call opens its own
// session, so calls for different lineages may run in parallel):
//   IssueOptions o{.ca = "...", .replaces = AriCertId(...), .replaces_id = id};
//   Result<IssueResult> r = engine->Issue(cert_config, o);
// A rate-limit ledger plugs in as the OrderObserver of EngineOptions (BeforeNewOrder may refuse
// an order before anything is sent); CA fallback is the caller trying the next CA name on
// kRateLimited/kNetwork/kTimeout errors (IssueWithFallback, ca_set.h). Each issued chain's
// issuer key is recorded per CA (InventoryStore::RecordIssuer): the expected issuers.
// Thread-safety: Issue, Revoke and the account operations may be called from several threads;
// sessions belong to the thread that opened them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "acme/account.h"
#include "acme/acme_client.h"
#include "acme/acme_config.h"
#include "acme/certificate_files.h"
#include "acme/inventory_store.h"
#include "acme/order_runner.h"
#include "acme/renewal_info.h"
#include "core/clock.h"
#include "core/http.h"

namespace ctwatch {

struct EngineOptions {
  Clock* clock = nullptr;  // default: SystemClock
  AcmeClientOptions client;
  OrderObserver* observer = nullptr;
  // Builds the HTTP client of a session; default: CurlHttpClient trusting ca.ca_file.
  std::function<std::unique_ptr<HttpClient>(const AcmeCaConfig&)> http_factory;
};

// One CA account on one thread.
class AcmeSession {
 public:
  AcmeClient* client() { return client_.get(); }
  const AccountRecord& account() const { return account_; }
  const JwsSigner& signer() const { return *signer_; }

 private:
  friend class AcmeEngine;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<JwsSigner> signer_;
  std::unique_ptr<AcmeClient> client_;
  AccountRecord account_;
};

struct IssueOptions {
  std::string ca;                      // CA name; empty: the certificate's `ca`, else the first
  std::string replaces;                // ARI certID of the certificate being replaced; when
                                       // empty and replaces_id is set, computed from that
                                       // certificate if the CA offers renewalInfo
  std::optional<int64_t> replaces_id;  // its inventory id
  std::string profile;                 // overrides the configured profile
};

class AcmeEngine final : public SolverProvider {
 public:
  static Result<std::unique_ptr<AcmeEngine>> Open(AcmeConfig config,
                                                  const std::string& database_path,
                                                  EngineOptions options = {});
  ~AcmeEngine() override;

  const AcmeConfig& config() const { return config_; }
  InventoryStore* inventory() { return store_.get(); }
  const CertificateFiles& files() const { return files_; }

  // The CA for a certificate: `override_ca`, else cert.ca, else the first configured.
  Result<const AcmeCaConfig*> CaFor(const AcmeCertificateConfig& cert,
                                    const std::string& override_ca) const;

  // A session with a registered account (registering it when `register_account`).
  Result<std::unique_ptr<AcmeSession>> OpenSession(const AcmeCaConfig& ca,
                                                   bool register_account = true);
  // onlyReturnExisting: the CA's view of this key's account (kNotFound when none).
  Result<AccountHandle> LookupAccount(const AcmeCaConfig& ca);
  Result<AcmeAccount> UpdateContact(const AcmeCaConfig& ca,
                                    const std::vector<std::string>& contact);
  // New account key: written to account.key.next (0600), keyChange, then renamed into place.
  Status RolloverAccountKey(const AcmeCaConfig& ca);
  Result<AcmeAccount> DeactivateAccount(const AcmeCaConfig& ca);

  // The order request for a configured certificate at a CA.
  Result<IssueRequest> RequestFor(const AcmeCertificateConfig& cert, const AcmeCaConfig& ca,
                                  const IssueOptions& options) const;
  Result<IssueResult> Issue(const AcmeCertificateConfig& cert, const IssueOptions& options = {});
  // RFC 8555 §7.6 with the account key of the certificate's CA; alreadyRevoked counts as done.
  Status Revoke(int64_t inventory_id, int reason);
  // ARI (RFC 9773 §4.1): unauthenticated GET <renewalInfo>/<cert_id> at `ca`
  // (kFailedPrecondition when the CA offers no renewalInfo).
  Result<RenewalInfo> FetchRenewalInfo(const AcmeCaConfig& ca, const std::string& cert_id);

  // SolverProvider.
  Result<ChallengeSolver*> Solver(std::string_view type) override;

 private:
  AcmeEngine(AcmeConfig config, std::unique_ptr<InventoryStore> store, EngineOptions options);
  std::string AccountKeyPath(const AcmeCaConfig& ca) const;
  Status FinishInterruptedRollover(const AcmeCaConfig& ca, AcmeSession* session);
  Result<std::unique_ptr<AcmeSession>> NewSessionLocked(const AcmeCaConfig& ca);

  AcmeConfig config_;
  std::unique_ptr<InventoryStore> store_;
  CertificateFiles files_;
  EngineOptions options_;
  std::mutex account_mu_;  // serialises account key creation, registration and rollover
  std::mutex solver_mu_;
  std::map<std::string, std::unique_ptr<ChallengeSolver>, std::less<>>
      solvers_;  // GUARDED_BY(solver_mu_)
};

}  // namespace ctwatch
