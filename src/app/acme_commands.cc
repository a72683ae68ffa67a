// `ctwatch acme account|issue|renew|revoke|list` and `ctwatch inventory list|show`: the ACME
// engine and the owned-certificate inventory from the command line (docs/acme.md lists the
// options and the JSON fields, which are a contract). Messages for people go to stderr, results
// to stdout (JSON lines with --json).
// Thread-safety: runs on main's thread.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "acme/acme_engine.h"
#include "acme/renewal.h"
#include "app/acme_import_command.h"
#include "app/acme_runtime.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/issuance_wiring.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {
namespace {

using nlohmann::json;

struct AcmeArgs {
  std::string config;
  bool json = false;
  std::vector<std::string> names;  // issue/renew: certificate names; inventory show: id|serial
  std::string ca;
  bool force = false;
  bool staging = false;
  bool dry_run = false;
  int parallel = 0;  // 0: [acme.renewal] concurrency
  // account
  bool lookup = false;
  bool rollover = false;
  bool deactivate = false;
  std::vector<std::string> contact;
  // revoke
  int64_t id = 0;
  std::string serial;
  std::string name;
  std::string reason = "unspecified";
  // inventory list
  std::string status;
  size_t limit = 1000;
};

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

void PrintJsonLine(const json& j) {
  std::fputs((j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n").c_str(), stdout);
}

Result<Config> Load(const AcmeArgs& args) {
  CTW_ASSIGN_OR_RETURN(Config config, LoadConfig(args.config));
  InitLogging(config.log_level);
  return config;
}

Result<std::unique_ptr<AcmeEngine>> OpenEngine(const Config& config) {
  if (!config.acme.enabled()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     config.path + ": no [[acme.ca]] configured (see docs/acme.md)");
  }
  return AcmeEngine::Open(config.acme, config.database);
}

json CertificateJson(const InventoryCertificate& c) { return InventoryCertificateJson(c); }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

json OutcomeJson(const RenewalOutcome& o) {
  static const char* const kResults[] = {"skipped", "issued", "renewed", "failed"};
  json j = {{"name", o.name}, {"result", kResults[static_cast<int>(o.action)]}};
  json attempts = json::array();
  for (const FallbackAttempt& a : o.attempts) {
    attempts.push_back({{"ca", a.ca}, {"error", a.error.empty() ? json(nullptr) : json(a.error)}});
  }
  switch (o.action) {
    case RenewalOutcome::Action::kSkipped:
      j["reason"] = o.reason;
      j["certificate"] = o.previous ? CertificateJson(*o.previous) : json(nullptr);
      break;
    case RenewalOutcome::Action::kFailed:
      j["error"] = o.error ? o.error->message : "";
      j["attempts"] = attempts;
      if (o.next_attempt_ms > 0) j["next_attempt"] = FormatTimeMs(o.next_attempt_ms);
      break;
    default: {
      const IssueResult& r = *o.issued;
      j["reason"] = o.reason;
      j["resumed"] = r.resumed;
      j["order_id"] = r.order_id;
      j["ca"] = r.certificate.ca;
      j["attempts"] = attempts;
      j["live_dir"] = r.live_dir;
      j["deploy_error"] =
          r.deploy_status.has_value() ? json(nullptr) : json(r.deploy_status.error().message);
      j["certificate"] = CertificateJson(r.certificate);
    }
  }
  return j;
}

void PrintOutcome(const RenewalOutcome& o, bool as_json) {
  if (as_json) {
    PrintJsonLine(OutcomeJson(o));
    std::fflush(stdout);
    return;
  }
  switch (o.action) {
    case RenewalOutcome::Action::kSkipped:
      std::fprintf(stderr, "%s: %s%s\n", o.name.c_str(), o.reason.c_str(),
                   o.previous ? (" (serial " + o.previous->serial_hex + ")").c_str() : "");
      break;
    case RenewalOutcome::Action::kFailed:
      std::fprintf(stderr, "ctwatch: %s: %s\n", o.name.c_str(),
                   o.error ? o.error->message.c_str() : "failed");
      break;
    default: {
      const IssueResult& r = *o.issued;
      std::printf("%s: %s certificate %lld from %s (serial %s, valid until %s) in %s%s\n",
                  o.name.c_str(), r.renewal ? "renewed" : "issued",
                  static_cast<long long>(r.certificate.id), r.certificate.ca.c_str(),
                  r.certificate.serial_hex.c_str(),
                  FormatTimeMs(r.certificate.not_after_ms).c_str(), r.live_dir.c_str(),
                  r.resumed ? " (resumed an interrupted order)" : "");
      if (!r.deploy_status.has_value()) {
        std::fprintf(stderr, "ctwatch: %s\n", r.deploy_status.error().message.c_str());
      }
      std::fflush(stdout);
    }
  }
}

// Issues (issue) or renews when due (renew) the selected certificates, `parallel` at a time,
// trying the configured CAs in order (docs/acme.md).
int IssueOrRenew(const AcmeArgs& args, bool renew) {
  auto config = Load(args);
  if (!config.has_value()) return Fail(config.error());
  if (config->acme.certificates.empty()) {
    return Fail(MakeError(ErrorCode::kInvalidArgument,
                          config->path + ": no [[acme.certificate]] configured"));
  }
  if (!args.ca.empty() && config->acme.FindCa(args.ca) == nullptr) {
    return Fail(MakeError(ErrorCode::kInvalidArgument, "no CA named \"" + args.ca + "\""));
  }
  // Findings (renewal_failed, certificate_expiring) go to the database like the scheduler's.
  std::unique_ptr<Store> findings;
  if (!args.staging && !args.dry_run) {
    auto store = OpenSqliteStore({.path = config->database});
    if (!store.has_value()) return Fail(store.error());
    findings = std::move(store).value();
  }
  auto runtime = AcmeRuntime::Open(
      *config, {.staging = args.staging, .dry_run = args.dry_run, .findings = findings.get()});
  if (!runtime.has_value()) return Fail(runtime.error());
  PassOptions pass;
  pass.mode = args.force ? PassMode::kForce : renew ? PassMode::kSchedule : PassMode::kMissingOnly;
  pass.names = args.names;
  pass.ca = args.ca;
  pass.respect_backoff = false;  // a manual run does not wait for the retry schedule
  pass.concurrency = args.parallel;
  int exit_code = kExitOk;
  pass.on_outcome = [&](const RenewalOutcome& o) {
    PrintOutcome(o, args.json);
    if (o.action == RenewalOutcome::Action::kFailed) exit_code = kExitFailure;
    if (o.issued && !o.issued->deploy_status.has_value()) exit_code = kExitFailure;
  };
  Result<PassReport> report = (*runtime)->scheduler()->RunPass(pass);
  if (!report.has_value()) return Fail(report.error());
  if (findings) {
    // What CT showed of the new certificates before they were downloaded becomes expected.
    runtime->reset();
    Result<ReconcileReport> reconciled = ReconcileIssuanceOnce(*config, false);
    if (!reconciled.has_value()) {
      std::fprintf(stderr, "ctwatch: issuance: %s\n", reconciled.error().message.c_str());
    }
  }
  return exit_code;
}

int AccountCommand(const AcmeArgs& args) {
  auto config = Load(args);
  if (!config.has_value()) return Fail(config.error());
  auto engine = OpenEngine(*config);
  if (!engine.has_value()) return Fail(engine.error());
  const AcmeCaConfig* ca =
      args.ca.empty() ? &config->acme.cas.front() : config->acme.FindCa(args.ca);
  if (ca == nullptr)
    return Fail(MakeError(ErrorCode::kInvalidArgument, "no CA named \"" + args.ca + "\""));
  AcmeEngine& e = **engine;
  if (args.rollover) {
    Status s = e.RolloverAccountKey(*ca);
    if (!s.has_value()) return Fail(s.error());
    std::fprintf(stderr, "%s: account key rolled over\n", ca->name.c_str());
  }
  if (!args.contact.empty()) {
    std::vector<std::string> contact;
    for (std::string c : args.contact)
      contact.push_back(c.rfind("mailto:", 0) == 0 ? c : "mailto:" + c);
    auto updated = e.UpdateContact(*ca, contact);
    if (!updated.has_value()) return Fail(updated.error());
  }
  std::string url, status;
  std::vector<std::string> contact;
  if (args.deactivate) {
    auto account = e.DeactivateAccount(*ca);
    if (!account.has_value()) return Fail(account.error());
    status = account->status;
    contact = account->contact;
  } else if (args.lookup) {
    auto handle = e.LookupAccount(*ca);
    if (!handle.has_value()) return Fail(handle.error());
    url = handle->url;
    status = handle->account.status;
    contact = handle->account.contact;
  } else {
    auto session = e.OpenSession(*ca);
    if (!session.has_value()) return Fail(session.error());
    auto account = FetchAccount((*session)->client());
    if (!account.has_value()) return Fail(account.error());
    url = (*session)->account().account_url;
    status = account->status;
    contact = account->contact;
  }
  auto accounts = e.inventory()->ListAccounts();
  std::string key_path, thumbprint;
  if (accounts.has_value()) {
    for (const AccountRecord& a : *accounts) {
      if (a.directory_url != ca->directory_url) continue;
      if (url.empty()) url = a.account_url;
      if (a.account_url == url) {
        key_path = a.key_path;
        thumbprint = a.key_thumbprint;
      }
    }
  }
  if (args.json) {
    PrintJsonLine({{"ca", ca->name},
                   {"directory", ca->directory_url},
                   {"account_url", url},
                   {"status", status},
                   {"contact", contact},
                   {"key_path", key_path},
                   {"key_thumbprint", thumbprint}});
  } else {
    std::printf(
        "CA:         %s (%s)\naccount:    %s\nstatus:     %s\ncontact:    %s\nkey:        %s\n"
        "thumbprint: %s\n",
        ca->name.c_str(), ca->directory_url.c_str(), url.c_str(), status.c_str(),
        Join(contact, ", ").c_str(), key_path.c_str(), thumbprint.c_str());
  }
  return kExitOk;
}

std::optional<int> ParseReason(const std::string& text) {
  static const std::vector<std::pair<std::string, int>> kReasons = {
      {"unspecified", 0}, {"keyCompromise", 1},        {"affiliationChanged", 3},
      {"superseded", 4},  {"cessationOfOperation", 5}, {"privilegeWithdrawn", 9}};
  for (const auto& [name, code] : kReasons) {
    if (text == name || text == std::to_string(code)) return code;
  }
  return std::nullopt;
}

int RevokeCommand(const AcmeArgs& args) {
  auto config = Load(args);
  if (!config.has_value()) return Fail(config.error());
  const std::optional<int> reason = ParseReason(args.reason);
  if (!reason.has_value()) {
    return Fail(MakeError(ErrorCode::kInvalidArgument,
                          "--reason: unspecified, keyCompromise, affiliationChanged, superseded, "
                          "cessationOfOperation or privilegeWithdrawn (or its number)"));
  }
  auto engine = OpenEngine(*config);
  if (!engine.has_value()) return Fail(engine.error());
  InventoryStore* store = (*engine)->inventory();
  Result<std::optional<InventoryCertificate>> found = std::optional<InventoryCertificate>();
  if (args.id > 0) {
    found = store->GetCertificate(args.id);
  } else if (!args.serial.empty()) {
    std::string serial = args.serial;
    for (char& c : serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    serial.erase(std::remove(serial.begin(), serial.end(), ':'), serial.end());
    found = store->FindBySerial(serial);
    if (found.has_value() && !found->has_value()) found = store->FindBySerial("00" + serial);
  } else if (!args.name.empty()) {
    found = store->ActiveCertificate(args.name);
  } else {
    return Fail(
        MakeError(ErrorCode::kInvalidArgument, "say which certificate: --id, --serial or --name"));
  }
  if (!found.has_value()) return Fail(found.error());
  if (!found->has_value())
    return Fail(MakeError(ErrorCode::kNotFound, "no such certificate in the inventory"));
  Status s = (*engine)->Revoke((*found)->id, *reason);
  if (!s.has_value()) return Fail(s.error());
  std::printf("revoked certificate %lld (serial %s), reason %d\n",
              static_cast<long long>((*found)->id), (*found)->serial_hex.c_str(), *reason);
  return kExitOk;
}

int ListCommand(const AcmeArgs& args) {
  auto config = Load(args);
  if (!config.has_value()) return Fail(config.error());
  auto engine = OpenEngine(*config);
  if (!engine.has_value()) return Fail(engine.error());
  InventoryStore* store = (*engine)->inventory();
  (void)store->MarkExpired(SystemClock::Get()->NowMs());
  auto renewal = RenewalStateStore::Open(config->database);
  if (!renewal.has_value()) return Fail(renewal.error());
  if (!args.json) {
    std::printf("%-20s %-12s %-10s %-22s %-22s %-12s %s\n", "NAME", "CHALLENGE", "CA", "NOT AFTER",
                "RENEW AT", "ORDER", "DOMAINS");
  }
  for (const AcmeCertificateConfig& cert : config->acme.certificates) {
    auto active = store->ActiveCertificate(cert.name);
    auto open = store->FindOpenOrder(cert.name);
    if (!active.has_value()) return Fail(active.error());
    if (!open.has_value()) return Fail(open.error());
    const std::string ca = cert.ca.empty() ? config->acme.cas.front().name : cert.ca;
    auto state = (*renewal)->Get(cert.name);
    if (!state.has_value()) return Fail(state.error());
    // The scheduler's renewal time: the ARI pick when the CA gave a window for this
    // certificate, else a third (half) of the lifetime left; later while failures back off.
    std::optional<int64_t> renew_at_ms;
    if (active->has_value()) {
      renew_at_ms = RenewalTimeMs((*active)->not_before_ms, (*active)->not_after_ms);
      if (state->certificate_id == (*active)->id && state->ari_renew_at_ms.has_value()) {
        renew_at_ms = *state->ari_renew_at_ms;
      }
      if (state->failures > 0 && state->next_attempt_ms.has_value()) {
        renew_at_ms = std::max(*renew_at_ms, *state->next_attempt_ms);
      }
    }
    if (args.json) {
      json order = nullptr;
      if (open->has_value()) {
        order = {
            {"id", (*open)->id},
            {"state", OrderStateName((*open)->state)},
            {"order_url", (*open)->order_url.empty() ? json(nullptr) : json((*open)->order_url)}};
      }
      PrintJsonLine(
          {{"name", cert.name},
           {"domains", cert.domains},
           {"ca", ca},
           {"challenge", cert.challenge},
           {"key_type", KeyTypeName(cert.key_type)},
           {"certificate", active->has_value() ? CertificateJson(**active) : json(nullptr)},
           {"open_order", order},
           {"renewal",
            {{"renew_at", renew_at_ms ? json(FormatTimeMs(*renew_at_ms)) : json(nullptr)},
             {"failures", state->failures},
             {"next_attempt", state->next_attempt_ms && state->failures > 0
                                  ? json(FormatTimeMs(*state->next_attempt_ms))
                                  : json(nullptr)},
             {"last_error", state->last_error.empty() ? json(nullptr) : json(state->last_error)},
             {"ari_window",
              state->ari_window_start_ms && state->certificate_id ==
                                                (active->has_value() ? (*active)->id : -1)
                  ? json({FormatTimeMs(*state->ari_window_start_ms),
                          FormatTimeMs(*state->ari_window_end_ms)})
                  : json(nullptr)}}}});
      continue;
    }
    std::string not_after = "-", renew_at = "-";
    if (active->has_value()) not_after = FormatTimeMs((*active)->not_after_ms);
    if (renew_at_ms.has_value()) renew_at = FormatTimeMs(*renew_at_ms);
    std::printf("%-20s %-12s %-10s %-22s %-22s %-12s %s\n", cert.name.c_str(),
                cert.challenge.c_str(), ca.c_str(), not_after.c_str(), renew_at.c_str(),
                open->has_value() ? OrderStateName((*open)->state) : "-",
                Join(cert.domains, ",").c_str());
  }
  return kExitOk;
}

Result<std::unique_ptr<InventoryStore>> OpenInventory(const AcmeArgs& args) {
  CTW_ASSIGN_OR_RETURN(Config config, Load(args));
  return OpenInventoryStore(config.database);
}

// A certificate we hold must reach CT within the logs' maximum merge delay after issuance
// (24 h for every log a browser accepts); one that did not is worth a look.
constexpr int64_t kMaxMergeDelayMs = 24 * 3'600'000;

// Where and when the monitored logs showed an inventory certificate (its precertificate
// counts: same identity), and whether it is overdue.
struct CtPresence {
  std::vector<Sighting> sightings;
  bool overdue = false;  // not seen although issued more than the MMD ago

  std::string Text() const {
    if (sightings.empty()) return overdue ? "NOT SEEN (over 24 h after issuance)" : "not seen yet";
    const Sighting& first = sightings.front();
    return first.log_description + " #" + std::to_string(first.index) + " " +
           FormatTimeMs(static_cast<int64_t>(first.timestamp_ms)).substr(0, 19) +
           (sightings.size() > 1 ? " (+" + std::to_string(sightings.size() - 1) + ")" : "");
  }
  json Json() const {
    json list = json::array();
    for (const Sighting& s : sightings) {
      list.push_back({{"log", s.log_description},
                      {"index", s.index},
                      {"entry_type", s.entry_type},
                      {"timestamp", FormatTimeMs(static_cast<int64_t>(s.timestamp_ms))},
                      {"verified", s.verified},
                      {"verdict", s.verdict.empty() ? json(nullptr) : json(s.verdict)}});
    }
    return {{"seen", !sightings.empty()},
            {"first_seen", sightings.empty() ? json(nullptr)
                                             : json(FormatTimeMs(static_cast<int64_t>(
                                                   sightings.front().timestamp_ms)))},
            {"overdue", overdue},
            {"sightings", list}};
  }
};

int InventoryListCommand(const AcmeArgs& args) {
  auto config = Load(args);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenInventoryStore(config->database);
  if (!store.has_value()) return Fail(store.error());
  const int64_t now = SystemClock::Get()->NowMs();
  (void)(*store)->MarkExpired(now);
  auto certs =
      (*store)->ListCertificates({.name = args.name, .status = args.status, .limit = args.limit});
  if (!certs.has_value()) return Fail(certs.error());
  auto ct = OpenSqliteStore({.path = config->database, .read_only = true});
  if (!ct.has_value()) return Fail(ct.error());
  if (!args.json) {
    std::printf("%-6s %-16s %-9s %-20s %-20s %-10s %-40s %s\n", "ID", "NAME", "STATUS", "SERIAL",
                "NOT AFTER", "CA", "SEEN IN CT (FIRST)", "NAMES");
  }
  for (const InventoryCertificate& c : *certs) {
    CtPresence presence;
    auto sightings = (*ct)->SightingsOf(c.identity);
    if (!sightings.has_value()) return Fail(sightings.error());
    presence.sightings = std::move(sightings).value();
    presence.overdue = presence.sightings.empty() && c.status != "revoked" &&
                       now > c.not_before_ms + kMaxMergeDelayMs && now < c.not_after_ms;
    if (presence.overdue) {
      std::fprintf(stderr,
                   "ctwatch: warning: certificate %lld (%s, serial %s, issued %s) has not been "
                   "seen in any monitored CT log within 24 h of issuance (not logged, or "
                   "its logs or names are not monitored: see [logs] and [policy])\n",
                   static_cast<long long>(c.id), Join(c.names, ",").c_str(),
                   c.serial_hex.c_str(), FormatTimeMs(c.not_before_ms).c_str());
    }
    if (args.json) {
      json j = CertificateJson(c);
      j["ct"] = presence.Json();
      PrintJsonLine(j);
      continue;
    }
    std::printf("%-6lld %-16s %-9s %-20.20s %-20.20s %-10s %-40s %s\n",
                static_cast<long long>(c.id), c.name.empty() ? "-" : c.name.c_str(),
                c.status.c_str(), c.serial_hex.c_str(), FormatTimeMs(c.not_after_ms).c_str(),
                c.ca.empty() ? "-" : c.ca.c_str(), presence.Text().c_str(),
                Join(c.names, ",").c_str());
  }
  return kExitOk;
}

int InventoryShowCommand(const AcmeArgs& args) {
  auto store = OpenInventory(args);
  if (!store.has_value()) return Fail(store.error());
  if (args.names.size() != 1)
    return Fail(MakeError(ErrorCode::kInvalidArgument, "give one id or serial"));
  const std::string& key = args.names[0];
  Result<std::optional<InventoryCertificate>> found = std::optional<InventoryCertificate>();
  if (!key.empty() && key.size() <= 9 && std::all_of(key.begin(), key.end(), ::isdigit)) {
    found = (*store)->GetCertificate(std::stoll(key));
  }
  if (found.has_value() && !found->has_value()) found = (*store)->FindBySerial(key);
  if (!found.has_value()) return Fail(found.error());
  if (!found->has_value()) return Fail(MakeError(ErrorCode::kNotFound, "no certificate " + key));
  const InventoryCertificate& c = **found;
  json j = CertificateJson(c);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  const std::string b64 = Base64Encode(c.cert_der);
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END CERTIFICATE-----\n";
  j["pem"] = pem;
  if (args.json) {
    PrintJsonLine(j);
    return kExitOk;
  }
  for (const auto& [k, v] : j.items()) {
    if (k == "pem") continue;
    std::printf("%-18s %s\n", (k + ":").c_str(),
                v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  }
  std::fputs(pem.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterAcmeCommands(CLI::App* app, int* exit_code) {
  auto add = [exit_code](CLI::App* parent, const char* name, const char* help,
                         int (*command)(const AcmeArgs&)) {
    auto args = std::make_shared<AcmeArgs>();
    CLI::App* cmd = parent->add_subcommand(name, help);
    cmd->add_option("-c,--config", args->config, "Configuration file (TOML)")->required();
    cmd->callback([args, exit_code, command] { *exit_code = command(*args); });
    return std::make_pair(cmd, args);
  };

  CLI::App* acme =
      app->add_subcommand("acme", "Obtain, renew and revoke the certificates of [acme]");
  acme->require_subcommand(1);
  {
    auto [cmd, args] =
        add(acme, "account", "Show (registering if needed), update or retire the account",
            &AccountCommand);
    cmd->add_option("--ca", args->ca, "CA name (default: the first [[acme.ca]])");
    cmd->add_flag("--lookup", args->lookup, "Only look the account up (onlyReturnExisting)");
    cmd->add_option("--contact", args->contact, "Replace the contact addresses");
    cmd->add_flag("--rollover", args->rollover, "Roll the account key over to a new key");
    cmd->add_flag("--deactivate", args->deactivate, "Deactivate the account (cannot be undone)");
    cmd->add_flag("--json", args->json, "One JSON object");
  }
  auto issue_or_renew = [&](const char* name, const char* help, int (*command)(const AcmeArgs&)) {
    auto [cmd, args] = add(acme, name, help, command);
    cmd->add_option("names", args->names, "Certificate names (default: all configured)");
    cmd->add_option("--ca", args->ca, "Use only this CA (no fallback to the next one)");
    cmd->add_flag("--force", args->force, "Order even when not needed");
    cmd->add_flag("--staging", args->staging,
                  "Against each CA's staging directory (own storage and database)");
    cmd->add_flag("--dry-run", args->dry_run,
                  "Rehearse against the staging directories in a throwaway directory");
    cmd->add_option("--parallel", args->parallel,
                    "Orders in flight at once (default: [acme.renewal] concurrency, 8)")
        ->check(CLI::Range(1, 256));
    cmd->add_flag("--json", args->json, "One JSON object per certificate");
  };
  issue_or_renew("issue",
                 "Obtain the configured certificates that have none yet (resumes "
                 "interrupted orders)",
                 [](const AcmeArgs& a) { return IssueOrRenew(a, false); });
  issue_or_renew("renew",
                 "Renew the certificates that are due (ARI window, else 1/3 of the lifetime left)",
                 [](const AcmeArgs& a) { return IssueOrRenew(a, true); });
  {
    auto [cmd, args] = add(acme, "revoke", "Revoke a certificate of the inventory", &RevokeCommand);
    cmd->add_option("--id", args->id, "Inventory id");
    cmd->add_option("--serial", args->serial, "Serial number (hex)");
    cmd->add_option("--name", args->name, "The active certificate of this lineage");
    cmd->add_option("--reason", args->reason,
                    "unspecified, keyCompromise, affiliationChanged, superseded, "
                    "cessationOfOperation, privilegeWithdrawn")
        ->capture_default_str();
  }
  {
    auto [cmd, args] =
        add(acme, "list", "The configured certificates and where they stand", &ListCommand);
    cmd->add_flag("--json", args->json, "One JSON object per line");
  }

  CLI::App* inventory = app->add_subcommand("inventory", "The certificates we own");
  inventory->require_subcommand(1);
  {
    auto [cmd, args] = add(inventory, "list", "List the inventory", &InventoryListCommand);
    cmd->add_option("--name", args->name, "Only this lineage");
    cmd->add_option("--status", args->status, "active, replaced, revoked or expired");
    cmd->add_option("--limit", args->limit, "At most this many")->capture_default_str();
    cmd->add_flag("--json", args->json, "One JSON object per line");
  }
  {
    auto [cmd, args] = add(inventory, "import",
                           "Add certificates obtained elsewhere: PEM files, certbot or lego "
                           "directories",
                           [](const AcmeArgs& a) {
                             return InventoryImportCommand(a.config, a.names, a.json);
                           });
    cmd->add_option("paths", args->names, "PEM file, certbot config dir, lego dir")->required();
    cmd->add_flag("--json", args->json, "One JSON object per certificate");
  }
  {
    auto [cmd, args] =
        add(inventory, "show", "One certificate, with its PEM", &InventoryShowCommand);
    cmd->add_option("certificate", args->names, "Inventory id or serial (hex)")->required();
    cmd->add_flag("--json", args->json, "One JSON object");
  }
}

}  // namespace ctwatch
