// `ctwatch expect add|list|remove` (expectations placed by hand, for a certificate ordered
// through another channel) and `ctwatch audit issuance DOMAIN` (every certificate for DOMAIN
// with its verdict, issuer and lifetime, and who issues for us); docs/issuance.md. Results go
// to stdout (JSON lines with --json), messages to stderr. A private key given to `expect add
// --from` is read to take its public key and never printed or logged.
// Thread-safety: runs on main's thread.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "acme/inventory_store.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/issuance_wiring.h"
#include "app/policy_config_reader.h"
#include "cert/dns_name.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/log.h"
#include "core/openssl_util.h"
#include "core/sha256.h"
#include "issuance/verdict.h"
#include "policy/owned_names.h"
#include "store/store.h"

namespace ctwatch {
namespace {

using nlohmann::json;

struct IssuanceArgs {
  std::string config;
  bool json = false;
  // expect add
  std::string spki;
  std::string from_file;
  std::vector<std::string> names;
  std::string window = "7d";
  std::string since;
  std::string ca;
  std::string note;
  // expect list
  bool all = false;
  // expect remove
  int64_t id = 0;
  // audit issuance
  std::string domain;
};

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

Error Usage(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

void PrintJsonLine(const json& j) {
  std::fputs((j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n").c_str(), stdout);
}

std::string Join(const std::vector<std::string>& items, const char* separator = ",") {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// The SHA-256 of the SubjectPublicKeyInfo in a PEM or DER file holding a CSR, a certificate,
// a public key or a private key (tried in that order).
Result<Sha256Hash> SpkiOfFile(const std::string& path) {
  Result<std::string> read = ReadFile(path, 1'000'000);
  if (!read.has_value()) return Usage(path + ": " + read.error().message);
  const std::string& text = *read;
  auto bio = [&] { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); };
  EvpPkeyPtr key;
  const bool pem = text.find("-----BEGIN ") != std::string::npos;
  if (pem) {
    BioPtr b = bio();
    if (X509_REQ* req = PEM_read_bio_X509_REQ(b.get(), nullptr, nullptr, nullptr)) {
      key.reset(X509_REQ_get_pubkey(req));  // get1: owned
      X509_REQ_free(req);
    }
    if (!key) {
      b = bio();
      if (X509* cert = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)) {
        key.reset(X509_get_pubkey(cert));  // get1: owned
        X509_free(cert);
      }
    }
    if (!key) {
      b = bio();
      key.reset(PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr));
    }
    if (!key) {
      b = bio();
      // A passphrase-protected key fails here (no prompt): give the CSR or public key instead.
      key.reset(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
    }
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const long n = static_cast<long>(text.size());
    const unsigned char* q = p;
    if (X509_REQ* req = d2i_X509_REQ(nullptr, &q, n)) {
      key.reset(X509_REQ_get_pubkey(req));
      X509_REQ_free(req);
    }
    q = p;
    if (!key) {
      if (X509* cert = d2i_X509(nullptr, &q, n)) {
        key.reset(X509_get_pubkey(cert));
        X509_free(cert);
      }
    }
    q = p;
    if (!key) key.reset(d2i_PUBKEY(nullptr, &q, n));
    q = p;
    if (!key) key.reset(d2i_AutoPrivateKey(nullptr, &q, n));
  }
  (void)OpenSslErrors();  // clears the queue; the attempts that failed are not errors
  if (!key) {
    return Usage(path +
                 ": no CSR, certificate, public key or (unencrypted) private key in it (PEM "
                 "or DER)");
  }
  CTW_ASSIGN_OR_RETURN(Bytes spki, PublicKeyToDer(key.get()));
  return Sha256(spki);
}

// The exact name set of an expectation: DNS names (A-labels, lower case, "*." allowed) and
// IP addresses, sorted and unique, as the verdict compares it with a certificate's SANs.
Result<std::vector<std::string>> ExactNames(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const std::string& name : raw) {
    if (std::optional<std::string> ip = CanonicalIpAddress(name)) {
      out.push_back(*ip);
      continue;
    }
    std::optional<std::string> dns = CanonicalDnsName(name);
    if (!dns.has_value() || dns->empty() || dns->find('*', 1) != std::string::npos ||
        ((*dns)[0] == '*' && dns->rfind("*.", 0) != 0)) {
      return Usage("--name \"" + name + "\" is not a DNS name, *.wildcard or IP address");
    }
    out.push_back(*dns);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) return Usage("expect add: give the certificate's exact names with --name");
  return out;
}

json ExpectationJson(const Expectation& e, int64_t now) {
  const bool open_now = e.state == "open" && now <= e.window_end_ms;
  return {{"id", e.id},
          {"source", e.source},
          {"order_id", e.source == "manual" ? json(nullptr) : json(e.order_id)},
          {"ca", e.ca.empty() ? json(nullptr) : json(e.ca)},
          {"spki_sha256", HexEncode(e.spki_sha256)},
          {"names", e.names},
          {"window_start", FormatTimeMs(e.window_start_ms)},
          {"window_end", FormatTimeMs(e.window_end_ms)},
          {"state", e.state},
          {"window_open", open_now},
          {"identity", e.identity ? json(HexEncode(*e.identity)) : json(nullptr)},
          {"note", e.note.empty() ? json(nullptr) : json(e.note)},
          {"created_at", FormatTimeMs(e.created_ms)}};
}

// Runs a reconciliation after a change; a failure is reported, not fatal (the next `ctwatch
// run` reconciliation catches up).
void Reconcile(const Config& config) {
  Result<ReconcileReport> report = ReconcileIssuanceOnce(config, false);
  if (!report.has_value()) {
    std::fprintf(stderr, "ctwatch: issuance: %s\n", report.error().message.c_str());
  } else if (report->changed > 0) {
    std::fprintf(stderr, "ctwatch: issuance: %s\n", report->Summary().c_str());
  }
}

int ExpectAddCommand(const IssuanceArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  InitLogging(config->log_level);
  if (args.spki.empty() == args.from_file.empty()) {
    return Fail(Usage("expect add: give the key as --spki SHA256 or --from FILE (one of them)"));
  }
  Expectation e;
  e.source = "manual";
  if (!args.spki.empty()) {
    std::optional<Sha256Hash> key = ParseSpkiSha256(args.spki);
    if (!key.has_value()) {
      return Fail(
          Usage("--spki: 64 hex digits, the SHA-256 of the SubjectPublicKeyInfo "
                "(openssl pkey -in key.pem -pubout -outform der | sha256sum)"));
    }
    e.spki_sha256 = *key;
  } else {
    Result<Sha256Hash> key = SpkiOfFile(args.from_file);
    if (!key.has_value()) return Fail(key.error());
    e.spki_sha256 = *key;
  }
  Result<std::vector<std::string>> names = ExactNames(args.names);
  if (!names.has_value()) return Fail(names.error());
  e.names = std::move(names).value();
  const int64_t now = SystemClock::Get()->NowMs();
  std::optional<int64_t> window = ParseDurationMs(args.window);
  if (!window.has_value() || *window <= 0 || *window > 400LL * 86'400'000) {
    return Fail(
        Usage("--window \"" + args.window + "\": a duration up to 400d (e.g. 90s, 6h, 7d)"));
  }
  e.window_end_ms = now + *window;
  e.window_start_ms = now - 3'600'000;  // a certificate logged a little before is still ours
  if (!args.since.empty()) {
    std::optional<int64_t> since = ParseTimeMs(args.since);
    if (!since.has_value() || *since > e.window_end_ms) {
      return Fail(
          Usage("--since \"" + args.since + "\": a date or RFC 3339 time before the window's end"));
    }
    e.window_start_ms = *since;
  }
  if (!args.ca.empty()) {
    if (config->acme.FindCa(args.ca) == nullptr) {
      return Fail(Usage("--ca \"" + args.ca +
                        "\": no [[acme.ca]] of that name (leave it out "
                        "to accept any issuer)"));
    }
    e.ca = args.ca;
  }
  e.note = args.note;
  Result<std::unique_ptr<InventoryStore>> store = OpenInventoryStore(config->database);
  if (!store.has_value()) return Fail(store.error());
  Result<int64_t> id = (*store)->AddManualExpectation(e);
  if (!id.has_value()) return Fail(id.error());
  e.id = *id;
  e.created_ms = now;
  store->reset();
  if (args.json) {
    PrintJsonLine(ExpectationJson(e, now));
  } else {
    std::printf("expectation %lld: key sha256:%s for exactly {%s}, %s, window %s .. %s\n",
                static_cast<long long>(e.id), HexEncode(e.spki_sha256).c_str(),
                Join(e.names, ", ").c_str(), e.ca.empty() ? "any CA" : ("CA " + e.ca).c_str(),
                FormatTimeMs(e.window_start_ms).c_str(), FormatTimeMs(e.window_end_ms).c_str());
  }
  Reconcile(*config);
  return kExitOk;
}

int ExpectListCommand(const IssuanceArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  Result<std::unique_ptr<InventoryStore>> store = OpenInventoryStore(config->database);
  if (!store.has_value()) return Fail(store.error());
  Result<std::vector<Expectation>> list = (*store)->ListExpectations();
  if (!list.has_value()) return Fail(list.error());
  const int64_t now = SystemClock::Get()->NowMs();
  if (!args.json) {
    std::printf("%-5s %-7s %-10s %-10s %-20s %-20s %-18s %s\n", "ID", "SOURCE", "STATE", "CA",
                "WINDOW START", "WINDOW END", "KEY (SHA-256)", "NAMES");
  }
  for (const Expectation& e : *list) {
    const bool open_now = e.state == "open" && now <= e.window_end_ms;
    if (!args.all && !open_now) continue;
    if (args.json) {
      PrintJsonLine(ExpectationJson(e, now));
      continue;
    }
    const std::string state = e.state == "open" && !open_now ? "closed" : e.state;
    std::printf("%-5lld %-7s %-10s %-10s %-20.20s %-20.20s %-18s %s%s%s\n",
                static_cast<long long>(e.id), e.source.c_str(), state.c_str(),
                e.ca.empty() ? "(any)" : e.ca.c_str(),
                FormatTimeMs(e.window_start_ms).substr(0, 19).c_str(),
                FormatTimeMs(e.window_end_ms).substr(0, 19).c_str(),
                HexEncode(e.spki_sha256).substr(0, 16).c_str(), Join(e.names).c_str(),
                e.note.empty() ? "" : "  # ", e.note.c_str());
  }
  return kExitOk;
}

int ExpectRemoveCommand(const IssuanceArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  InitLogging(config->log_level);
  Result<std::unique_ptr<InventoryStore>> store = OpenInventoryStore(config->database);
  if (!store.has_value()) return Fail(store.error());
  Status cancelled = (*store)->CancelManualExpectation(args.id);
  if (!cancelled.has_value()) {
    const Error& e = cancelled.error();
    std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
    return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kFailedPrecondition
               ? kExitUsage
               : kExitFailure;
  }
  store->reset();
  std::printf("expectation %lld cancelled (kept, no longer matches)\n",
              static_cast<long long>(args.id));
  Reconcile(*config);  // what it held expected_pending is foreign now
  return kExitOk;
}

// `audit issuance`: one certificate.
struct AuditedCertificate {
  const StoredCertificate* stored = nullptr;
  std::string verdict;  // "" for a certificate that names no owned name (look-alike)
  std::string detail;
  std::string issuer_key;
};

int AuditIssuanceCommand(const IssuanceArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  std::optional<std::string> domain = CanonicalDnsName(args.domain);
  if (!domain.has_value() || domain->empty() || (*domain)[0] == '*') {
    return Fail(Usage("audit issuance: \"" + args.domain + "\" is not a domain name"));
  }
  Result<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = config->database, .read_only = true});
  if (!store.has_value()) return Fail(store.error());
  Result<std::vector<StoredCertificate>> certs =
      (*store)->ListCertificates({.name = "." + *domain, .limit = 1'000'000});
  if (!certs.has_value()) return Fail(certs.error());

  struct IssuerCount {
    std::string dn;
    std::map<std::string, size_t> by_verdict;
    size_t total = 0;
    int64_t last_not_before_ms = 0;
  };
  std::map<std::string, IssuerCount> issuers;  // by issuer key (or DN when unknown)
  std::map<std::string, size_t> totals;
  const int64_t now = SystemClock::Get()->NowMs();
  if (!args.json) {
    std::printf("%-16s %-16s %-10s %-10s %5s  %-36s %s\n", "IDENTITY", "VERDICT", "NOT BEFORE",
                "NOT AFTER", "DAYS", "ISSUER", "NAMES");
  }
  for (const StoredCertificate& c : *certs) {
    const CertificateRecord& r = c.certificate;
    AuditedCertificate a{.stored = &c};
    for (const Sighting& s : c.sightings) {
      if (!s.verdict_detail.empty()) {
        a.verdict = s.verdict.empty() ? "undecided" : s.verdict;
        a.detail = s.verdict_detail;
      }
    }
    const std::string verdict = a.verdict.empty() ? "none" : a.verdict;
    a.issuer_key = r.issuer_key_hash ? HexEncode(*r.issuer_key_hash) : std::string();
    IssuerCount& issuer = issuers[a.issuer_key.empty() ? "dn:" + r.issuer_dn : a.issuer_key];
    issuer.dn = r.issuer_dn;
    ++issuer.by_verdict[verdict];
    ++issuer.total;
    issuer.last_not_before_ms = std::max(issuer.last_not_before_ms, r.not_before_ms);
    ++totals[verdict];
    const double days = static_cast<double>(r.not_after_ms - r.not_before_ms) / 86'400'000.0;
    if (args.json) {
      PrintJsonLine({{"type", "certificate"},
                     {"identity", HexEncode(r.identity)},
                     {"verdict", a.verdict.empty() ? json(nullptr) : json(a.verdict)},
                     {"verdict_detail", a.detail.empty() ? json(nullptr) : json(a.detail)},
                     {"names", r.names},
                     {"issuer", r.issuer_dn},
                     {"issuer_key_hash", a.issuer_key.empty() ? json(nullptr) : json(a.issuer_key)},
                     {"spki_sha256", HexEncode(r.spki_sha256)},
                     {"serial", r.serial_hex},
                     {"not_before", FormatTimeMs(r.not_before_ms)},
                     {"not_after", FormatTimeMs(r.not_after_ms)},
                     {"lifetime_days", days},
                     {"valid_now", r.not_before_ms <= now && now < r.not_after_ms},
                     {"entry_type", r.entry_type},
                     {"first_seen", FormatTimeMs(c.first_seen_ms)},
                     {"sightings", c.sightings.size()}});
      continue;
    }
    std::printf("%-16.16s %-16s %-10.10s %-10.10s %5.0f  %-36.36s %s\n",
                HexEncode(r.identity).c_str(), verdict.c_str(),
                FormatTimeMs(r.not_before_ms).c_str(), FormatTimeMs(r.not_after_ms).c_str(), days,
                r.issuer_dn.c_str(), Join(r.names).c_str());
  }
  if (args.json) {
    for (const auto& [key, i] : issuers) {
      PrintJsonLine({{"type", "issuer"},
                     {"issuer", i.dn},
                     {"issuer_key_hash", key.rfind("dn:", 0) == 0 ? json(nullptr) : json(key)},
                     {"certificates", i.total},
                     {"by_verdict", i.by_verdict},
                     {"latest_not_before", FormatTimeMs(i.last_not_before_ms)}});
    }
    PrintJsonLine({{"type", "summary"},
                   {"domain", *domain},
                   {"certificates", certs->size()},
                   {"by_verdict", totals}});
    return kExitOk;
  }
  std::printf("\nWho issues for %s (%zu certificates):\n", domain->c_str(), certs->size());
  std::printf("%6s  %-40s %-18s %s\n", "COUNT", "ISSUER", "ISSUER KEY", "VERDICTS");
  for (const auto& [key, i] : issuers) {
    std::string verdicts;
    for (const auto& [v, n] : i.by_verdict) {
      verdicts += (verdicts.empty() ? "" : ", ") + std::to_string(n) + " " + v;
    }
    std::printf("%6zu  %-40.40s %-18s %s\n", i.total, i.dn.c_str(),
                key.rfind("dn:", 0) == 0 ? "(unknown)" : key.substr(0, 16).c_str(),
                verdicts.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterIssuanceCommands(CLI::App* app, int* exit_code) {
  auto add = [exit_code](CLI::App* parent, const char* name, const char* help,
                         int (*command)(const IssuanceArgs&)) {
    auto args = std::make_shared<IssuanceArgs>();
    CLI::App* cmd = parent->add_subcommand(name, help);
    cmd->add_option("-c,--config", args->config, "Configuration file (TOML)")->required();
    cmd->callback([args, exit_code, command] { *exit_code = command(*args); });
    return std::make_pair(cmd, args);
  };
  CLI::App* expect = app->add_subcommand(
      "expect", "Expectations placed by hand: a certificate ordered through another channel");
  expect->require_subcommand(1);
  {
    auto [cmd, args] = add(expect, "add",
                           "Expect a certificate for this key and exactly these names (its CT "
                           "sightings are expected_pending until it is imported)",
                           &ExpectAddCommand);
    cmd->add_option("--spki", args->spki, "SHA-256 of the certificate key's SubjectPublicKeyInfo");
    cmd->add_option("--from", args->from_file,
                    "Take the key from this CSR, certificate, public or private key (PEM or DER)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--name", args->names, "The certificate's exact names (repeat; all of them)")
        ->required();
    cmd->add_option("--window", args->window, "How long from now it may appear in CT")
        ->capture_default_str();
    cmd->add_option("--since", args->since,
                    "Start of the window (date or RFC 3339; default: an hour ago)");
    cmd->add_option("--ca", args->ca,
                    "Only from this [[acme.ca]]'s known issuer keys (default: any issuer)");
    cmd->add_option("--note", args->note, "Why (shown with the verdict)");
    cmd->add_flag("--json", args->json, "One JSON object");
  }
  {
    auto [cmd, args] =
        add(expect, "list", "Open expectations (--all: every one)", &ExpectListCommand);
    cmd->add_flag("--all", args->all, "Also fulfilled, cancelled and closed ones");
    cmd->add_flag("--json", args->json, "One JSON object per line");
  }
  {
    auto [cmd, args] =
        add(expect, "remove", "Cancel an expectation placed by hand (kept, marked cancelled)",
            &ExpectRemoveCommand);
    cmd->add_option("id", args->id, "Expectation id (ctwatch expect list)")->required();
  }
  CLI::App* audit = app->get_subcommand("audit");  // registered by RegisterPolicyCommands
  {
    auto [cmd, args] = add(audit, "issuance",
                           "Every certificate for DOMAIN with its verdict, issuer and lifetime; "
                           "who issues for us",
                           &AuditIssuanceCommand);
    cmd->add_option("domain", args->domain, "The domain (certificates for it and below)")
        ->required();
    cmd->add_flag("--json", args->json, "One JSON object per line");
  }
}

}  // namespace ctwatch
