#include "acme/order_runner.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "acme/account.h"
#include "acme/deploy_hook.h"
#include "acme/pause_point.h"
#include "cert/facts.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/log.h"

namespace ctwatch {
namespace {

using nlohmann::json;

constexpr int kMaxSteps = 64;  // state transitions per Run, against a looping CA
constexpr size_t kMaxAlternates = 8;
constexpr size_t kMaxOrderListPages = 20;

Result<X509Ptr> ParseCertificate(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ERR_clear_error();
    return MakeError(ErrorCode::kParse, "malformed certificate in the chain");
  }
  return cert;
}

Result<std::string> DerToPem(ByteView der) {
  CTW_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(der));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
    return MakeError(ErrorCode::kInternal, "PEM_write_bio_X509: " + OpenSslErrors());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string CommonName(X509_NAME* name) {
  char buf[256] = {0};
  const int len = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
  ERR_clear_error();
  return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string();
}

// Does the chain end at (or just below) an issuer called `preferred`?
bool ChainMatches(const std::vector<Bytes>& chain, const std::string& preferred) {
  if (chain.empty() || preferred.empty()) return false;
  auto top = ParseCertificate(chain.back());
  if (!top.has_value()) return false;
  return CommonName(X509_get_issuer_name(top->get())) == preferred ||
         CommonName(X509_get_subject_name(top->get())) == preferred;
}

std::string HexOf(const Sha256Hash& h) { return HexEncode(h); }

std::string IdentifierText(const AcmeIdentifier& id, bool wildcard) {
  return (wildcard ? "*." : "") + id.value;
}

}  // namespace

std::vector<std::string> IdentifierNames(const std::vector<AcmeIdentifier>& identifiers) {
  std::vector<std::string> out;
  for (const AcmeIdentifier& id : identifiers) out.push_back(id.value);
  std::sort(out.begin(), out.end());
  return out;
}

OrderRunner::OrderRunner(AcmeClient* client, InventoryStore* store, const CertificateFiles* files,
                         SolverProvider* solvers, Clock* clock, OrderObserver* observer,
                         OrderRunnerOptions options)
    : client_(client),
      store_(store),
      files_(files),
      solvers_(solvers),
      clock_(clock),
      observer_(observer != nullptr ? observer : &no_observer_),
      options_(std::move(options)) {}

Status OrderRunner::Save(const OrderRecord& order) { return store_->UpdateOrder(order); }

void OrderRunner::Wait(int64_t* delay_ms, int64_t retry_after_ms) {
  int64_t wait = *delay_ms;
  if (retry_after_ms >= 0)
    wait = std::clamp<int64_t>(retry_after_ms, options_.poll_initial_ms, 60'000);
  clock_->SleepMs(wait);
  *delay_ms = std::min(*delay_ms * 2, options_.poll_max_ms);
}

void OrderRunner::CleanUpChallenges(OrderRecord* order) {
  if (order->challenges.empty()) return;
  for (const ChallengeTask& task : order->challenges) {
    Result<ChallengeSolver*> solver = solvers_->Solver(task.type);
    Status s = solver.has_value() ? (*solver)->CleanUp(task) : Status(solver.error());
    if (!s.has_value()) {
      spdlog::warn("order {}: cleaning up {} for {} failed: {}", order->id, task.type,
                   task.identifier.value, s.error().message);
    }
  }
  order->challenges.clear();
  (void)Save(*order);
}

Error OrderRunner::Fail(OrderRecord* order, Error error, OrderState state) {
  CleanUpChallenges(order);
  std::error_code ec;
  std::filesystem::remove(files_->PendingKeyPath(order->id), ec);
  if (!order->key_path.empty()) std::filesystem::remove(order->key_path, ec);
  order->key_path.clear();
  (void)store_->CancelExpectation(order->id);
  order->state = state;
  order->error = error.message;
  Status saved = Save(*order);
  if (!saved.has_value()) spdlog::error("order {}: {}", order->id, saved.error().message);
  spdlog::warn("order {} for {} {}: {}", order->id, order->cert_name, OrderStateName(state),
               error.message);
  observer_->OnFailed(*order, error);
  return error;
}

Status OrderRunner::AbandonOpenOrder(const std::string& name, const std::string& why) {
  CTW_ASSIGN_OR_RETURN(std::optional<OrderRecord> open, store_->FindOpenOrder(name));
  if (!open.has_value()) return OkStatus();
  (void)Fail(&*open, MakeError(ErrorCode::kCancelled, "abandoned: " + why), OrderState::kAbandoned);
  return OkStatus();
}

Result<IssueResult> OrderRunner::Run(const IssueRequest& request) {
  if (!IsValidLineageName(request.name)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad certificate name \"" + request.name + "\"");
  }
  if (request.identifiers.empty()) return MakeError(ErrorCode::kInvalidArgument, "no identifiers");
  CTW_ASSIGN_OR_RETURN(FileLock lock,
                       FileLock::Acquire(files_->LockPath(request.name), options_.lock_timeout_ms));
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, client_->Directory());
  (void)dir;

  CTW_ASSIGN_OR_RETURN(std::optional<OrderRecord> open, store_->FindOpenOrder(request.name));
  if (open.has_value() &&
      (open->directory_url != client_->directory_url() ||
       open->identifiers != request.identifiers || open->account_url != client_->account_url())) {
    (void)Fail(&*open,
               MakeError(ErrorCode::kCancelled,
                         "abandoned: the certificate's CA, account or names changed"),
               OrderState::kAbandoned);
    open.reset();
  }
  // A renewal when the lineage already had a certificate other than this order's own.
  CTW_ASSIGN_OR_RETURN(std::vector<InventoryCertificate> earlier,
                       store_->ListCertificates({.name = request.name, .limit = 2}));
  if (!open.has_value()) {
    return NewOrder(request, request.replaces_id.has_value() || !earlier.empty());
  }
  OrderRecord order = std::move(*open);
  spdlog::info("resuming order {} for {} (state {})", order.id, order.cert_name,
               OrderStateName(order.state));
  IssueResult result;
  result.order_id = order.id;
  result.resumed = true;
  result.renewal = order.replaces_id.has_value() ||
                   std::any_of(earlier.begin(), earlier.end(), [&](const InventoryCertificate& c) {
                     return !order.inventory_id.has_value() || c.id != *order.inventory_id;
                   });
  Status driven = Drive(request, &order, &result);
  if (!driven.has_value() && !order.order_url.empty() &&
      (order.state == OrderState::kFailed || order.state == OrderState::kAbandoned)) {
    // The interrupted order cannot be finished at the CA (e.g. a validation failed because the
    // responder died with the process, or the order expired). It was never issued, so a new
    // order does not obtain the certificate twice; try once more in this run.
    spdlog::info("order {} cannot be finished ({}); placing a new order", order.id,
                 driven.error().message);
    result = IssueResult{};
    result.renewal = order.replaces_id.has_value() || !earlier.empty();
    return NewOrder(request, result.renewal);
  }
  CTW_RETURN_IF_ERROR(driven);
  return result;
}

Result<IssueResult> OrderRunner::NewOrder(const IssueRequest& request, bool renewal) {
  OrderRecord order;
  order.cert_name = request.name;
  order.ca = options_.ca_name;
  order.directory_url = client_->directory_url();
  order.account_url = client_->account_url();
  order.identifiers = request.identifiers;
  order.profile = request.profile;
  order.replaces = request.replaces;
  order.replaces_id = request.replaces_id;
  order.state = OrderState::kNew;
  CTW_ASSIGN_OR_RETURN(order.id, store_->InsertOrder(order));
  IssueResult result;
  result.order_id = order.id;
  result.renewal = renewal;
  CTW_RETURN_IF_ERROR(Drive(request, &order, &result));
  return result;
}

Status OrderRunner::Drive(const IssueRequest& request, OrderRecord* order, IssueResult* out) {
  IssueResult& result = *out;
  const int64_t processing_deadline = MonotonicMs() + options_.issuance_timeout_ms;
  std::optional<AcmeOrder> known;  // the order as last seen, when still current
  for (int step = 0; step < kMaxSteps; ++step) {
    switch (order->state) {
      case OrderState::kNew: {
        // A row from an earlier run may stand for a newOrder whose answer was lost.
        bool recovered = false;
        if (result.resumed) {
          CTW_ASSIGN_OR_RETURN(recovered, RecoverLostOrder(order));
        }
        if (!recovered) CTW_RETURN_IF_ERROR(CreateOrder(request, order));
        continue;
      }
      case OrderState::kInstalled: {
        return Deploy(request, order, &result);
      }
      case OrderState::kDone:
      case OrderState::kFailed:
      case OrderState::kAbandoned:
        return MakeError(ErrorCode::kInternal, "order already closed");
      default:
        break;
    }
    Result<AcmeOrder> ca_order =
        known.has_value() ? Result<AcmeOrder>(std::move(*known)) : FetchOrder(*order);
    known.reset();
    if (!ca_order.has_value()) {
      // A 404 means the CA forgot the order (expired): start again with a new one.
      if (ca_order.error().code == ErrorCode::kHttpStatus &&
          ca_order.error().message.find("HTTP 404") != std::string::npos) {
        return Fail(order, ca_order.error(), OrderState::kAbandoned);
      }
      return ca_order.error();
    }
    if (ca_order->status == "invalid") {
      std::string why = ca_order->error ? ca_order->error->ToString() : "the CA marked it invalid";
      return Fail(order,
                  MakeError(ErrorCode::kHttpStatus, "order " + order->order_url + ": " + why));
    }
    if (ca_order->status == "pending") {
      CTW_RETURN_IF_ERROR(Authorize(request, order, *ca_order));
      continue;
    }
    if (ca_order->status == "ready") {
      CTW_RETURN_IF_ERROR(Finalize(request, order));
      continue;
    }
    if (ca_order->status == "processing") {
      if (MonotonicMs() > processing_deadline) {
        return MakeError(ErrorCode::kTimeout, "order " + order->order_url +
                                                  " still processing; it will resume next run");
      }
      CTW_ASSIGN_OR_RETURN(known, WaitWhileProcessing(*order));
      continue;
    }
    // valid
    CTW_RETURN_IF_ERROR(DownloadAndInstall(request, order, ca_order->certificate, &result));
  }
  return MakeError(ErrorCode::kInternal, "order " + std::to_string(order->id) +
                                             ": too many steps; it will resume next run");
}

Result<AcmeOrder> OrderRunner::FetchOrder(const OrderRecord& order) {
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->PostAsGet("order", order.order_url));
  Result<AcmeOrder> parsed = ParseOrder(r.body);
  if (!parsed.has_value()) return parsed.error().WithContext("order " + order.order_url);
  return parsed;
}

Result<bool> OrderRunner::RecoverLostOrder(OrderRecord* order) {
  Result<AcmeAccount> account = FetchAccount(client_);
  if (!account.has_value() || account->orders.empty()) return false;
  std::string page = account->orders;
  std::string found;
  for (size_t pages = 0; !page.empty() && pages < kMaxOrderListPages; ++pages) {
    CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->PostAsGet("orders list", page));
    CTW_ASSIGN_OR_RETURN(AcmeOrderList list, ParseOrderList(r.body));
    for (const std::string& url : list.orders) {
      CTW_ASSIGN_OR_RETURN(bool known, store_->IsKnownOrderUrl(url));
      if (known) continue;
      CTW_ASSIGN_OR_RETURN(AcmeResponse o, client_->PostAsGet("order", url));
      Result<AcmeOrder> candidate = ParseOrder(o.body);
      if (!candidate.has_value()) continue;
      if (candidate->status != "pending" && candidate->status != "ready") continue;
      Result<std::vector<AcmeIdentifier>> ids = IdentifiersForNames([&] {
        std::vector<std::string> names;
        for (const AcmeIdentifier& id : candidate->identifiers) names.push_back(id.value);
        return names;
      }());
      if (ids.has_value() && *ids == order->identifiers) found = url;
    }
    const std::vector<std::string> next = r.Links("next");
    page = next.empty() ? "" : next.front();
  }
  if (found.empty()) return false;
  CTW_ASSIGN_OR_RETURN(AcmeResponse o, client_->PostAsGet("order", found));
  CTW_ASSIGN_OR_RETURN(AcmeOrder recovered, ParseOrder(o.body));
  order->order_url = found;
  order->finalize_url = recovered.finalize;
  order->state = OrderState::kPending;
  CTW_RETURN_IF_ERROR(Save(*order));
  observer_->OnOrderCreated(*order);  // the ledger counts it once (idempotent per order)
  spdlog::info("order {}: recovered {} from the account's orders list", order->id, found);
  return true;
}

Status OrderRunner::CreateOrder(const IssueRequest& request, OrderRecord* order) {
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, client_->Directory());
  json payload = json::object();
  json identifiers = json::array();
  for (const AcmeIdentifier& id : order->identifiers) {
    identifiers.push_back({{"type", id.type}, {"value", id.value}});
  }
  payload["identifiers"] = identifiers;
  if (!order->profile.empty()) {
    if (dir.profiles.empty()) {
      spdlog::info("order {}: the CA lists no profiles; ordering without \"{}\"", order->id,
                   order->profile);
      order->profile.clear();
    } else if (dir.profiles.count(order->profile) == 0) {
      std::string offered;
      for (const auto& [name, description] : dir.profiles)
        offered += (offered.empty() ? "" : ", ") + name;
      return Fail(order, MakeError(ErrorCode::kInvalidArgument,
                                   "the CA does not offer profile \"" + order->profile +
                                       "\" (it offers: " + offered + ")"));
    } else {
      payload["profile"] = order->profile;
    }
  }
  if (!order->replaces.empty()) payload["replaces"] = order->replaces;

  Status allowed = observer_->BeforeNewOrder(*order);
  if (!allowed.has_value()) return Fail(order, allowed.error());
  CTW_RETURN_IF_ERROR(Save(*order));
  PausePoint("new");

  AcmeClient::PostOptions post;
  post.retry_transport = false;  // a lost answer is recovered from the orders list instead
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->Post(dir.new_order, payload.dump(), post));
  if (!r.ok() && !order->replaces.empty() && r.problem.has_value() &&
      (r.problem->Is("alreadyReplaced") ||
       (r.problem->Is("malformed") && r.problem->detail.find("replaces") != std::string::npos))) {
    spdlog::info("order {}: the CA refused replaces={} ({}); ordering without it", order->id,
                 order->replaces, r.problem->ToString());
    order->replaces.clear();
    payload.erase("replaces");
    // Without `replaces` the order is no longer an exempt ARI renewal: ask the ledger again.
    Status still_allowed = observer_->BeforeNewOrder(*order);
    if (!still_allowed.has_value()) return Fail(order, still_allowed.error());
    CTW_RETURN_IF_ERROR(Save(*order));
    CTW_ASSIGN_OR_RETURN(r, client_->Post(dir.new_order, payload.dump(), post));
  }
  if (!r.ok()) {
    Error e = AcmeClient::ErrorFromResponse(r, "newOrder");
    // Rate limits and outages leave nothing at the CA: the order row is closed, the caller
    // (scheduler) retries later, possibly at another CA.
    return Fail(order, std::move(e));
  }
  if (r.location.empty() || !IsAcceptableUrl(r.location)) {
    return Fail(order, MakeError(ErrorCode::kParse, "newOrder: no order URL in Location"));
  }
  Result<AcmeOrder> created = ParseOrder(r.body);
  if (!created.has_value()) return Fail(order, created.error().WithContext("newOrder"));
  PausePoint("ordered");
  order->order_url = r.location;
  order->finalize_url = created->finalize;
  order->state = OrderState::kPending;
  CTW_RETURN_IF_ERROR(Save(*order));
  observer_->OnOrderCreated(*order);
  spdlog::info("order {} for {}: {} ({})", order->id, IdentifiersToText(order->identifiers),
               order->order_url, created->status);
  (void)request;
  return OkStatus();
}

Status OrderRunner::Authorize(const IssueRequest& request, OrderRecord* order,
                              const AcmeOrder& ca_order) {
  struct Pending {
    ChallengeTask task;
    std::string challenge_url;
    std::string challenge_status;
    std::string authz_url;
  };
  std::vector<Pending> pending;
  const JwsSigner* signer = client_->signer();
  for (const std::string& authz_url : ca_order.authorizations) {
    CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->PostAsGet("authorization", authz_url));
    CTW_ASSIGN_OR_RETURN(AcmeAuthorization authz, ParseAuthorization(r.body));
    const std::string label = IdentifierText(authz.identifier, authz.wildcard);
    if (authz.status == "valid") continue;
    if (authz.status != "pending") {
      std::string why;
      for (const AcmeChallenge& c : authz.challenges) {
        if (c.error) why = c.error->ToString();
      }
      return Fail(order, MakeError(ErrorCode::kHttpStatus, "authorization for " + label + " is " +
                                                               authz.status +
                                                               (why.empty() ? "" : ": " + why)));
    }
    std::string type = request.challenge;
    if (authz.wildcard && type != "dns-01") {
      return Fail(order, MakeError(ErrorCode::kInvalidArgument,
                                   label + ": wildcard names need challenge = \"dns-01\""));
    }
    const AcmeChallenge* chosen = nullptr;
    std::string offered;
    for (const AcmeChallenge& c : authz.challenges) {
      offered += (offered.empty() ? "" : ", ") + c.type;
      if (c.type == type) chosen = &c;
    }
    if (chosen == nullptr) {
      return Fail(order, MakeError(ErrorCode::kFailedPrecondition,
                                   "the CA offers no " + type + " challenge for " + label +
                                       " (it offers: " + offered + ")"));
    }
    Pending p;
    p.task = {type, authz.identifier, authz.wildcard, chosen->token,
              KeyAuthorization(chosen->token, signer->thumbprint())};
    p.challenge_url = chosen->url;
    p.challenge_status = chosen->status;
    p.authz_url = authz_url;
    pending.push_back(std::move(p));
  }
  if (pending.empty()) return OkStatus();

  // Record what is about to be presented before presenting it, so that a restart can clean it.
  for (const Pending& p : pending) {
    const bool known = std::any_of(order->challenges.begin(), order->challenges.end(),
                                   [&](const ChallengeTask& t) { return t.token == p.task.token; });
    if (!known) order->challenges.push_back(p.task);
  }
  CTW_RETURN_IF_ERROR(Save(*order));
  PausePoint("authorizing");
  std::vector<std::pair<ChallengeSolver*, std::vector<ChallengeTask>>> used;
  for (const Pending& p : pending) {
    CTW_ASSIGN_OR_RETURN(ChallengeSolver * solver, solvers_->Solver(p.task.type));
    Status presented = solver->Present(p.task);
    if (!presented.has_value()) {
      return Fail(order,
                  presented.error().WithContext(p.task.type + " for " + p.task.identifier.value));
    }
    auto it = std::find_if(used.begin(), used.end(),
                           [&](const auto& u) { return u.first == solver; });
    if (it == used.end()) it = used.insert(used.end(), {solver, {}});
    it->second.push_back(p.task);
  }
  for (const auto& [solver, tasks] : used) {
    Status settled = solver->Settle(tasks);
    if (!settled.has_value()) return Fail(order, settled.error());
  }
  PausePoint("presented");
  for (const Pending& p : pending) {
    if (p.challenge_status != "pending") continue;  // already answered (resumed order)
    Result<AcmeResponse> r = client_->PostOk("challenge", p.challenge_url, std::string("{}"));
    if (!r.has_value()) return Fail(order, r.error());
  }
  PausePoint("responded");

  const int64_t deadline = MonotonicMs() + options_.validation_timeout_ms;
  for (const Pending& p : pending) {
    int64_t delay = options_.poll_initial_ms;
    for (;;) {
      CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->PostAsGet("authorization", p.authz_url));
      CTW_ASSIGN_OR_RETURN(AcmeAuthorization authz, ParseAuthorization(r.body));
      if (authz.status == "valid") break;
      if (authz.status != "pending") {
        std::string why = authz.status;
        for (const AcmeChallenge& c : authz.challenges) {
          if (c.error) why += ": " + c.error->ToString();
        }
        observer_->OnValidationFailed(*order, p.task.identifier, why);
        return Fail(order, MakeError(ErrorCode::kVerification,
                                     p.task.type + " for " +
                                         IdentifierText(p.task.identifier, p.task.wildcard) +
                                         " failed: " + why));
      }
      if (MonotonicMs() > deadline) {
        return Fail(order, MakeError(ErrorCode::kTimeout,
                                     "authorization for " + p.task.identifier.value +
                                         " still pending after " +
                                         std::to_string(options_.validation_timeout_ms) + " ms"));
      }
      Wait(&delay, r.retry_after_ms);
    }
  }
  CleanUpChallenges(order);
  return OkStatus();
}

Result<EvpPkeyPtr> OrderRunner::CertificateKey(const IssueRequest& request, OrderRecord* order) {
  const std::string path = files_->PendingKeyPath(order->id);
  if (!order->key_path.empty() && FileExists(order->key_path)) {
    return ReadPrivateKeyFile(order->key_path);
  }
  EvpPkeyPtr key;
  if (request.reuse_key) {
    Result<EvpPkeyPtr> live = files_->ReadLiveKey(request.name);
    if (live.has_value()) {
      key = std::move(live).value();
      spdlog::info("order {}: reusing the key of live/{}", order->id, request.name);
    }
  }
  if (!key) {
    CTW_ASSIGN_OR_RETURN(key, GenerateKey(request.key_type));
  }
  CTW_RETURN_IF_ERROR(WritePrivateKeyFile(path, key.get()));
  order->key_path = path;
  return key;
}

Status OrderRunner::Finalize(const IssueRequest& request, OrderRecord* order) {
  Result<EvpPkeyPtr> key = CertificateKey(request, order);
  if (!key.has_value()) return Fail(order, key.error().WithContext("certificate key"));
  if (SamePublicKey(key->get(), client_->signer()->key())) {
    return Fail(order, MakeError(ErrorCode::kInvalidArgument,
                                 "the certificate key must differ from the account key"));
  }
  CTW_ASSIGN_OR_RETURN(Sha256Hash spki, SpkiSha256(key->get()));
  order->csr_spki_sha256 = spki;
  order->state = OrderState::kFinalizing;
  CTW_RETURN_IF_ERROR(Save(*order));

  // The expectation: a (pre)certificate with this key and exactly these names from this CA in
  // this window is ours, even if it shows up in CT before we download it.
  Expectation expectation;
  expectation.order_id = order->id;
  expectation.ca = order->ca;
  expectation.spki_sha256 = spki;
  expectation.names = IdentifierNames(order->identifiers);
  expectation.window_start_ms = clock_->NowMs() - 3'600'000;
  expectation.window_end_ms =
      clock_->NowMs() + options_.issuance_timeout_ms + options_.expectation_window_ms;
  Result<int64_t> added = store_->AddExpectation(expectation);
  if (!added.has_value()) return added.error();
  PausePoint("finalizing");

  std::vector<std::string> dns, ips;
  for (const AcmeIdentifier& id : order->identifiers)
    (id.type == "ip" ? ips : dns).push_back(id.value);
  CTW_ASSIGN_OR_RETURN(Bytes csr, MakeCsr(key->get(), dns, ips));
  const json payload = {{"csr", Base64UrlEncode(csr)}};
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->Post(order->finalize_url, payload.dump()));
  if (!r.ok()) {
    // orderNotReady: the order moved on (or back); the caller re-reads it.
    if (r.problem.has_value() && r.problem->Is("orderNotReady")) return OkStatus();
    return Fail(order, AcmeClient::ErrorFromResponse(r, "finalize"));
  }
  PausePoint("finalized");
  order->state = OrderState::kProcessing;
  return Save(*order);
}

Result<AcmeOrder> OrderRunner::WaitWhileProcessing(const OrderRecord& order) {
  int64_t delay = options_.poll_initial_ms;
  const int64_t deadline = MonotonicMs() + options_.issuance_timeout_ms;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(AcmeResponse r, client_->PostAsGet("order", order.order_url));
    CTW_ASSIGN_OR_RETURN(AcmeOrder o, ParseOrder(r.body));
    if (o.status != "processing") return o;
    if (MonotonicMs() > deadline) {
      return MakeError(ErrorCode::kTimeout, "order " + order.order_url + " still processing");
    }
    Wait(&delay, r.retry_after_ms);
  }
}

Status OrderRunner::DownloadAndInstall(const IssueRequest& request, OrderRecord* order,
                                       const std::string& certificate_url, IssueResult* result) {
  if (order->state != OrderState::kDownloading || order->certificate_url != certificate_url) {
    order->state = OrderState::kDownloading;
    order->certificate_url = certificate_url;
    CTW_RETURN_IF_ERROR(Save(*order));
  }
  PausePoint("downloading");
  if (order->key_path.empty() || !FileExists(order->key_path)) {
    return Fail(order,
                MakeError(ErrorCode::kNotFound, "the order's certificate key is gone (" +
                                                    files_->PendingKeyPath(order->id) + ")"));
  }
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, ReadPrivateKeyFile(order->key_path));

  AcmeClient::PostOptions pem;
  pem.accept = "application/pem-certificate-chain";
  CTW_ASSIGN_OR_RETURN(AcmeResponse first,
                       client_->PostOk("certificate", certificate_url, std::nullopt, pem));
  std::vector<std::string> bodies = {first.body};
  const std::vector<std::string> alternates = first.Links("alternate");
  if (!request.preferred_chain.empty()) {
    for (size_t i = 0; i < alternates.size() && i < kMaxAlternates; ++i) {
      Result<AcmeResponse> alt =
          client_->PostOk("alternate chain", alternates[i], std::nullopt, pem);
      if (alt.has_value()) bodies.push_back(alt->body);
    }
  }
  std::vector<std::vector<Bytes>> chains;
  for (const std::string& body : bodies) {
    Result<std::vector<Bytes>> ders = PemCertificatesToDer(body);
    if (ders.has_value() && !ders->empty()) chains.push_back(std::move(ders).value());
  }
  if (chains.empty()) return MakeError(ErrorCode::kParse, "certificate: no PEM certificate chain");
  size_t chosen = 0;
  for (size_t i = 0; i < chains.size(); ++i) {
    if (ChainMatches(chains[i], request.preferred_chain)) {
      chosen = i;
      break;
    }
  }
  const std::vector<Bytes>& chain = chains[chosen];

  // Check what we got: our key, exactly our names, signed by the next certificate.
  CTW_ASSIGN_OR_RETURN(X509Ptr leaf, ParseCertificate(chain[0]));
  if (!SamePublicKey(X509_get0_pubkey(leaf.get()), key.get())) {
    return MakeError(ErrorCode::kVerification, "the CA's certificate is not for our key");
  }
  if (chain.size() > 1) {
    CTW_ASSIGN_OR_RETURN(X509Ptr issuer, ParseCertificate(chain[1]));
    if (X509_verify(leaf.get(), X509_get0_pubkey(issuer.get())) != 1) {
      ERR_clear_error();
      return MakeError(ErrorCode::kVerification, "the certificate is not signed by its chain");
    }
  }
  Result<CertFacts> facts =
      FactsFromCertificate(chain[0], chain.size() > 1 ? ByteView(chain[1]) : ByteView());
  if (!facts.has_value()) return facts.error().WithContext("issued certificate");
  std::vector<std::string> names = facts->names.dns_names;
  names.insert(names.end(), facts->names.ip_addresses.begin(), facts->names.ip_addresses.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names != IdentifierNames(order->identifiers)) {
    return MakeError(ErrorCode::kVerification, "the certificate's names differ from the order's");
  }
  PausePoint("downloaded");

  CertificateFileSet set;
  CTW_ASSIGN_OR_RETURN(set.cert_pem, DerToPem(chain[0]));
  for (size_t i = 1; i < chain.size(); ++i) {
    CTW_ASSIGN_OR_RETURN(std::string pem_text, DerToPem(chain[i]));
    set.chain_pem += pem_text;
  }
  CTW_ASSIGN_OR_RETURN(set.private_key_pem, PrivateKeyToPem(key.get()));
  Result<std::string> archive = files_->Install(request.name, set);
  OPENSSL_cleanse(set.private_key_pem.data(), set.private_key_pem.size());
  if (!archive.has_value()) return archive.error();

  InventoryCertificate c;
  c.name = request.name;
  c.identity = facts->identity;
  c.cert_sha256 = facts->cert_sha256;
  c.spki_sha256 = facts->spki_sha256;
  c.names = names;
  c.serial_hex = facts->serial_hex;
  c.aki = facts->authority_key_id;
  c.issuer_dn = facts->issuer_dn;
  c.not_before_ms = facts->not_before_ms;
  c.not_after_ms = facts->not_after_ms;
  c.ca = order->ca;
  c.order_url = order->order_url;
  c.source = "acme";
  c.cert_der = chain[0];
  c.chain_pem = set.chain_pem;
  c.path = *archive;
  CTW_ASSIGN_OR_RETURN(c.id, store_->RecordIssued(order, c));
  result->certificate = c;
  result->archive_dir = *archive;
  result->live_dir = files_->LiveDir(request.name);
  observer_->OnIssued(*order, c);
  spdlog::info("order {}: certificate {} for {} installed in {} (serial {}, identity {})",
               order->id, c.id, IdentifiersToText(order->identifiers), result->live_dir,
               c.serial_hex, HexOf(c.identity).substr(0, 16));
  return OkStatus();
}

Status OrderRunner::Deploy(const IssueRequest& request, OrderRecord* order, IssueResult* result) {
  // The key now lives in archive/<name>/<n>/privkey.pem; the pending copy goes.
  std::error_code ec;
  std::filesystem::remove(files_->PendingKeyPath(order->id), ec);
  order->key_path.clear();
  if (result->certificate.id == 0 && order->inventory_id.has_value()) {
    CTW_ASSIGN_OR_RETURN(std::optional<InventoryCertificate> c,
                         store_->GetCertificate(*order->inventory_id));
    if (c.has_value()) {
      result->certificate = *c;
      result->archive_dir = c->path;
    }
    result->live_dir = files_->LiveDir(request.name);
  }
  CTW_RETURN_IF_ERROR(Save(*order));
  PausePoint("installed");
  result->deploy_status = OkStatus();
  if (!request.deploy_hook.empty()) {
    DeployInfo info;
    info.name = request.name;
    info.live_dir = result->live_dir;
    info.archive_dir = result->archive_dir;
    info.domains = result->certificate.names;
    info.serial_hex = result->certificate.serial_hex;
    info.not_before_ms = result->certificate.not_before_ms;
    info.not_after_ms = result->certificate.not_after_ms;
    info.ca = order->ca;
    info.identity_hex = HexOf(result->certificate.identity);
    info.inventory_id = result->certificate.id;
    info.renewal = result->renewal;
    result->deploy_status = RunDeployHook(request.deploy_hook, info, options_.deploy_timeout_ms);
    if (!result->deploy_status.has_value()) {
      order->error = result->deploy_status.error().message;
      spdlog::warn("order {}: {}", order->id, order->error);
    }
  }
  order->state = OrderState::kDone;
  return Save(*order);
}

}  // namespace ctwatch
