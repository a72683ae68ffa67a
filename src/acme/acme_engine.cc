#include "acme/acme_engine.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "acme/account.h"
#include "acme/ca_set.h"
#include "acme/dns01_solver.h"
#include "acme/http01_solver.h"
#include "acme/keys.h"
#include "acme/renewal.h"
#include "acme/rfc2136_solver.h"
#include "acme/tls_alpn_solver.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/log.h"

namespace ctwatch {
namespace {

std::string NextKeyPath(const std::string& key_path) { return key_path + ".next"; }

}  // namespace

Result<std::unique_ptr<AcmeEngine>> AcmeEngine::Open(AcmeConfig config,
                                                     const std::string& database_path,
                                                     EngineOptions options) {
  if (config.storage.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "[acme] storage: no storage directory");
  }
  CTW_RETURN_IF_ERROR(MakeDirs(config.storage, 0700));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<InventoryStore> store, OpenInventoryStore(database_path));
  if (options.clock == nullptr) options.clock = SystemClock::Get();
  if (!options.http_factory) {
    options.http_factory = [](const AcmeCaConfig& ca) -> std::unique_ptr<HttpClient> {
      CurlOptions curl;
      curl.ca_file = ca.ca_file;
      return std::make_unique<CurlHttpClient>(curl);
    };
  }
  return std::unique_ptr<AcmeEngine>(
      new AcmeEngine(std::move(config), std::move(store), std::move(options)));
}

AcmeEngine::AcmeEngine(AcmeConfig config, std::unique_ptr<InventoryStore> store,
                       EngineOptions options)
    : config_(std::move(config)),
      store_(std::move(store)),
      files_(config_.storage),
      options_(std::move(options)) {}

AcmeEngine::~AcmeEngine() = default;

Result<const AcmeCaConfig*> AcmeEngine::CaFor(const AcmeCertificateConfig& cert,
                                              const std::string& override_ca) const {
  const std::string& name = !override_ca.empty() ? override_ca : cert.ca;
  if (name.empty()) {
    if (config_.cas.empty())
      return MakeError(ErrorCode::kInvalidArgument, "no [[acme.ca]] configured");
    return &config_.cas.front();
  }
  const AcmeCaConfig* ca = config_.FindCa(name);
  if (ca == nullptr) return MakeError(ErrorCode::kInvalidArgument, "no CA named \"" + name + "\"");
  return ca;
}

std::string AcmeEngine::AccountKeyPath(const AcmeCaConfig& ca) const {
  return ca.account_key.empty() ? files_.AccountKeyPath(ca.name) : ca.account_key;
}

Result<std::unique_ptr<AcmeSession>> AcmeEngine::NewSessionLocked(const AcmeCaConfig& ca) {
  auto session = std::make_unique<AcmeSession>();
  session->http_ = options_.http_factory(ca);
  session->client_ = std::make_unique<AcmeClient>(session->http_.get(), options_.clock,
                                                  ca.directory_url, options_.client);
  CTW_RETURN_IF_ERROR(FinishInterruptedRollover(ca, session.get()));
  const std::string key_path = AccountKeyPath(ca);
  bool created = false;
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key,
                       LoadOrCreateKeyFile(key_path, config_.account_key_type, &created));
  if (created) spdlog::info("created account key {} for CA {}", key_path, ca.name);
  CTW_ASSIGN_OR_RETURN(JwsSigner signer, JwsSigner::Create(std::move(key)));
  session->signer_ = std::make_unique<JwsSigner>(std::move(signer));
  return session;
}

Status AcmeEngine::FinishInterruptedRollover(const AcmeCaConfig& ca, AcmeSession* session) {
  const std::string key_path = AccountKeyPath(ca);
  const std::string next_path = NextKeyPath(key_path);
  if (!FileExists(next_path)) return OkStatus();
  // A rollover was interrupted: if the CA already knows the new key, finish it; otherwise the
  // old key is still the account's and the new one is discarded.
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr next_key, ReadPrivateKeyFile(next_path));
  CTW_ASSIGN_OR_RETURN(JwsSigner next, JwsSigner::Create(std::move(next_key)));
  Result<AccountHandle> found =
      NewAccount(session->client(), next, NewAccountRequest{.only_return_existing = true});
  std::error_code ec;
  if (found.has_value()) {
    std::filesystem::rename(next_path, key_path, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot rename " + next_path + ": " + ec.message());
    CTW_ASSIGN_OR_RETURN(std::vector<AccountRecord> accounts, store_->ListAccounts());
    for (const AccountRecord& a : accounts) {
      if (a.directory_url == ca.directory_url && a.account_url == found->url) {
        CTW_RETURN_IF_ERROR(store_->RekeyAccount(a.id, next.thumbprint()));
      }
    }
    spdlog::info("CA {}: completed an interrupted account key rollover", ca.name);
  } else if (found.error().code == ErrorCode::kNotFound) {
    std::filesystem::remove(next_path, ec);
    spdlog::info("CA {}: discarded the key of an unfinished account key rollover", ca.name);
  } else {
    return found.error().WithContext("checking an interrupted key rollover");
  }
  return OkStatus();
}

Result<std::unique_ptr<AcmeSession>> AcmeEngine::OpenSession(const AcmeCaConfig& ca,
                                                             bool register_account) {
  std::lock_guard lock(account_mu_);
  CTW_ASSIGN_OR_RETURN(FileLock file_lock,
                       FileLock::Acquire(files_.root() + "/accounts/" + ca.name + ".lock", 30'000));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, NewSessionLocked(ca));
  CTW_ASSIGN_OR_RETURN(std::optional<AccountRecord> known,
                       store_->FindAccount(ca.directory_url, session->signer_->thumbprint()));
  if (known.has_value() && !known->account_url.empty() && known->status == "valid") {
    session->account_ = *known;
    session->client_->SetAccount(session->signer_.get(), known->account_url);
    return session;
  }
  if (known.has_value() && known->status != "valid") {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the account of CA " + ca.name + " is " + known->status + "; move " +
                         AccountKeyPath(ca) + " away to register a new one");
  }
  if (!register_account) {
    return MakeError(ErrorCode::kNotFound, "no account registered with CA " + ca.name);
  }
  NewAccountRequest request;
  request.contact = ca.contact.empty() ? config_.contact : ca.contact;
  if (!ca.eab_kid.empty()) {
    std::optional<Bytes> mac = DecodeEabKey(ca.eab_hmac_key);
    if (!mac.has_value()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "CA " + ca.name + ": eab_hmac_key is not base64url");
    }
    request.eab_kid = ca.eab_kid;
    request.eab_hmac_key = *mac;
  }
  Result<AccountHandle> handle = NewAccount(session->client_.get(), *session->signer_, request);
  if (!handle.has_value()) return handle.error().WithContext("CA " + ca.name);
  AccountRecord record;
  record.ca = ca.name;
  record.directory_url = ca.directory_url;
  record.account_url = handle->url;
  record.key_path = AccountKeyPath(ca);
  record.key_thumbprint = session->signer_->thumbprint();
  record.contact = handle->account.contact;
  record.status = handle->account.status;
  record.eab_kid = ca.eab_kid;
  CTW_ASSIGN_OR_RETURN(record.id, store_->SaveAccount(record));
  spdlog::info("CA {}: account {} {}", ca.name, handle->url, handle->created ? "created" : "found");
  session->account_ = record;
  return session;
}

Result<AccountHandle> AcmeEngine::LookupAccount(const AcmeCaConfig& ca) {
  std::lock_guard lock(account_mu_);
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, NewSessionLocked(ca));
  return NewAccount(session->client_.get(), *session->signer_,
                    NewAccountRequest{.only_return_existing = true});
}

Result<AcmeAccount> AcmeEngine::UpdateContact(const AcmeCaConfig& ca,
                                              const std::vector<std::string>& contact) {
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, OpenSession(ca));
  CTW_ASSIGN_OR_RETURN(AcmeAccount account, UpdateAccountContact(session->client(), contact));
  AccountRecord record = session->account();
  record.contact = account.contact;
  Result<int64_t> saved = store_->SaveAccount(record);
  if (!saved.has_value()) return saved.error();
  return account;
}

Result<AcmeAccount> AcmeEngine::DeactivateAccount(const AcmeCaConfig& ca) {
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, OpenSession(ca, false));
  CTW_ASSIGN_OR_RETURN(AcmeAccount account, ::ctwatch::DeactivateAccount(session->client()));
  AccountRecord record = session->account();
  record.status = account.status;
  Result<int64_t> saved = store_->SaveAccount(record);
  if (!saved.has_value()) return saved.error();
  return account;
}

Status AcmeEngine::RolloverAccountKey(const AcmeCaConfig& ca) {
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, OpenSession(ca, false));
  std::lock_guard lock(account_mu_);
  const std::string key_path = AccountKeyPath(ca);
  const std::string next_path = NextKeyPath(key_path);
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(config_.account_key_type));
  CTW_RETURN_IF_ERROR(WritePrivateKeyFile(next_path, key.get()));
  CTW_ASSIGN_OR_RETURN(JwsSigner next, JwsSigner::Create(std::move(key)));
  Status rolled = ::ctwatch::RolloverAccountKey(session->client(), next);
  std::error_code ec;
  if (!rolled.has_value()) {
    // Only when the CA surely did not switch: otherwise the next session settles it.
    if (rolled.error().code == ErrorCode::kHttpStatus) std::filesystem::remove(next_path, ec);
    return rolled;
  }
  std::filesystem::rename(next_path, key_path, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot rename " + next_path + ": " + ec.message());
  CTW_RETURN_IF_ERROR(store_->RekeyAccount(session->account().id, next.thumbprint()));
  spdlog::info("CA {}: account key rolled over (new thumbprint {})", ca.name, next.thumbprint());
  return OkStatus();
}

Result<IssueRequest> AcmeEngine::RequestFor(const AcmeCertificateConfig& cert,
                                            const AcmeCaConfig& ca,
                                            const IssueOptions& options) const {
  IssueRequest request;
  request.name = cert.name;
  CTW_ASSIGN_OR_RETURN(request.identifiers, IdentifiersForNames(cert.domains));
  request.key_type = cert.key_type;
  request.reuse_key = cert.reuse_key;
  request.challenge = cert.challenge;
  request.profile = !options.profile.empty() ? options.profile
                    : !cert.profile.empty()  ? cert.profile
                                             : ca.profile;
  request.replaces = options.replaces;
  request.replaces_id = options.replaces_id;
  request.preferred_chain = cert.preferred_chain;
  request.deploy_hook = cert.deploy_hook;
  return request;
}

Result<IssueResult> AcmeEngine::Issue(const AcmeCertificateConfig& cert,
                                      const IssueOptions& options) {
  CTW_ASSIGN_OR_RETURN(const AcmeCaConfig* ca, CaFor(cert, options.ca));
  CTW_ASSIGN_OR_RETURN(IssueRequest request, RequestFor(cert, *ca, options));
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, OpenSession(*ca));
  // A renewal of a known certificate at a CA with ARI says which one it replaces (RFC 9773
  // §5), unless the caller already did.
  if (request.replaces.empty() && request.replaces_id.has_value()) {
    CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, session->client()->Directory());
    CTW_ASSIGN_OR_RETURN(std::optional<InventoryCertificate> old,
                         store_->GetCertificate(*request.replaces_id));
    if (!dir.renewal_info.empty() && old.has_value() && old->ca == ca->name) {
      Result<std::string> cert_id = AriCertId(old->aki, old->serial_hex);
      if (cert_id.has_value()) request.replaces = *cert_id;
    }
  }
  OrderRunnerOptions runner_options;
  runner_options.ca_name = ca->name;
  runner_options.validation_timeout_ms = config_.validation_timeout_ms;
  runner_options.issuance_timeout_ms = config_.issuance_timeout_ms;
  OrderRunner runner(session->client(), store_.get(), &files_, this, options_.clock,
                     options_.observer, runner_options);
  Result<IssueResult> result = runner.Run(request);
  if (result.has_value()) {
    Status recorded = RecordChainIssuer(store_.get(), ca->name, result->certificate.chain_pem);
    if (!recorded.has_value()) {
      spdlog::warn("CA {}: cannot record the issuer: {}", ca->name, recorded.error().message);
    }
  }
  return result;
}

Result<RenewalInfo> AcmeEngine::FetchRenewalInfo(const AcmeCaConfig& ca,
                                                 const std::string& cert_id) {
  std::unique_ptr<HttpClient> http = options_.http_factory(ca);
  AcmeClient client(http.get(), options_.clock, ca.directory_url, options_.client);
  return ::ctwatch::FetchRenewalInfo(&client, cert_id);
}

Status AcmeEngine::Revoke(int64_t inventory_id, int reason) {
  CTW_ASSIGN_OR_RETURN(std::optional<InventoryCertificate> cert,
                       store_->GetCertificate(inventory_id));
  if (!cert.has_value()) {
    return MakeError(ErrorCode::kNotFound, "no certificate " + std::to_string(inventory_id));
  }
  const AcmeCaConfig* ca = config_.FindCa(cert->ca);
  if (ca == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "certificate " + std::to_string(inventory_id) +
                                                      " is from CA \"" + cert->ca +
                                                      "\", which is not configured");
  }
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<AcmeSession> session, OpenSession(*ca, false));
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, session->client()->Directory());
  if (dir.revoke_cert.empty())
    return MakeError(ErrorCode::kFailedPrecondition, "the CA has no revokeCert");
  nlohmann::json payload = {{"certificate", Base64UrlEncode(cert->cert_der)}};
  if (reason != 0) payload["reason"] = reason;
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, session->client()->Post(dir.revoke_cert, payload.dump()));
  if (!r.ok() && !(r.problem.has_value() && r.problem->Is("alreadyRevoked"))) {
    return AcmeClient::ErrorFromResponse(r, "revokeCert");
  }
  CTW_RETURN_IF_ERROR(store_->MarkRevoked(inventory_id, reason, options_.clock->NowMs()));
  spdlog::info("certificate {} (serial {}) revoked, reason {}", inventory_id, cert->serial_hex,
               reason);
  return OkStatus();
}

Result<ChallengeSolver*> AcmeEngine::Solver(std::string_view type) {
  std::lock_guard lock(solver_mu_);
  auto it = solvers_.find(type);
  if (it != solvers_.end()) return it->second.get();
  std::unique_ptr<ChallengeSolver> solver;
  if (type == "http-01") {
    if (!config_.http01.webroot.empty()) {
      solver = std::make_unique<Http01WebrootSolver>(config_.http01.webroot);
    } else {
      solver = std::make_unique<Http01StandaloneSolver>(config_.http01.listen_address,
                                                        config_.http01.port);
    }
  } else if (type == "tls-alpn-01") {
    solver = std::make_unique<TlsAlpn01Solver>(config_.tls_alpn01.listen_address,
                                               config_.tls_alpn01.port);
  } else if (type == "dns-01") {
    if (config_.dns01.rfc2136.enabled()) {
      CTW_ASSIGN_OR_RETURN(solver, Dns01Rfc2136Solver::Create(config_.dns01));
    } else if (!config_.dns01.exec.empty()) {
      solver = std::make_unique<Dns01ExecSolver>(config_.dns01);
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "dns-01 needs [acme.dns01] exec or [acme.dns01.rfc2136]");
    }
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unsupported challenge type " + std::string(type));
  }
  ChallengeSolver* raw = solver.get();
  solvers_.emplace(std::string(type), std::move(solver));
  return raw;
}

}  // namespace ctwatch
