// `ctwatch logs`, `ctwatch certs` and `ctwatch findings`: read-only views of the store, as a
// table for people or JSON lines for programs (the field names are a contract; see
// docs/cli.md).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "app/commands.h"
#include "app/ingest_commands.h"
#include "app/config.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "store/store.h"

namespace ctwatch {
namespace {

using nlohmann::json;

Result<std::unique_ptr<Store>> OpenForReading(const std::string& config_path) {
  CTW_ASSIGN_OR_RETURN(Config config, LoadConfig(config_path));
  return OpenSqliteStore({.path = config.database, .read_only = true});
}

json TimeOrNull(const std::optional<int64_t>& ms) {
  return ms.has_value() ? json(FormatTimeMs(*ms)) : json(nullptr);
}

// Whole seconds for tables.
std::string Text(const std::optional<int64_t>& ms) {
  return ms ? FormatTimeMs(*ms / 1000 * 1000) : "-";
}

void PrintJsonLine(const json& j) {
  std::fputs((j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n").c_str(), stdout);
}

std::map<Sha256Hash, std::string> LogNames(Store* store) {
  std::map<Sha256Hash, std::string> out;
  if (auto logs = store->ListLogs(); logs.has_value()) {
    for (const LogStatus& s : *logs) out[s.log.log_id] = s.log.description;
  }
  return out;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace

int LogsCommand(const ListArgs& args) {
  auto store = OpenForReading(args.config);
  if (!store.has_value()) return Fail(store.error());
  auto logs = (*store)->ListLogs();
  if (!logs.has_value()) return Fail(logs.error());
  if (!args.json) {
    std::printf("%-34s %-7s %12s %12s %10s %-20s %s\n", "LOG", "API", "TREE SIZE", "VERIFIED",
                "BACKLOG", "LAST SUCCESS", "LAST ERROR");
  }
  for (const LogStatus& s : *logs) {
    const uint64_t head = s.head_size.value_or(0);
    const uint64_t backlog = head > s.progress.position ? head - s.progress.position : 0;
    if (args.json) {
      PrintJsonLine({{"log_id", Base64Encode(s.log.log_id)},
                     {"name", s.log.description},
                     {"url", s.log.url},
                     {"api", s.log.api},
                     {"state", s.log.list_state},
                     {"active", s.active},
                     {"started", s.started},
                     {"tree_size", s.head_size ? json(*s.head_size) : json(nullptr)},
                     {"position", s.progress.position},
                     {"verified_size", s.progress.verified_size},
                     {"backlog", backlog},
                     {"verified_at", TimeOrNull(s.verified_at_ms)},
                     {"last_success", TimeOrNull(s.last_success_ms)},
                     {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                     {"last_error_at", TimeOrNull(s.last_error_ms)}});
      continue;
    }
    std::printf("%-34.34s %-7s %12s %12llu %10llu %-20.20s %s\n", s.log.description.c_str(),
                s.log.api.c_str(), s.head_size ? std::to_string(*s.head_size).c_str() : "-",
                static_cast<unsigned long long>(s.progress.verified_size),
                static_cast<unsigned long long>(backlog), Text(s.last_success_ms).c_str(),
                s.last_error.empty() ? (!s.active ? "(inactive)" : s.started ? "" : "(not started)")
                                     : s.last_error.c_str());
  }
  return kExitOk;
}

int CertsCommand(const ListArgs& args) {
  auto store = OpenForReading(args.config);
  if (!store.has_value()) return Fail(store.error());
  auto certs = (*store)->ListCertificates({.name = args.name, .limit = args.limit});
  if (!certs.has_value()) return Fail(certs.error());
  const auto log_names = LogNames(store->get());
  for (const StoredCertificate& c : *certs) {
    const CertificateRecord& r = c.certificate;
    // The issuance verdict (docs/issuance.md): every judged sighting of a certificate carries
    // the same one; the newest judgement wins should they ever differ.
    std::string verdict, verdict_detail;
    for (const Sighting& s : c.sightings) {
      if (!s.verdict_detail.empty()) {
        verdict = s.verdict.empty() ? "undecided" : s.verdict;
        verdict_detail = s.verdict_detail;
      }
    }
    if (!args.json) {
      std::string names;
      for (const std::string& n : r.names) names += (names.empty() ? "" : ",") + n;
      std::printf("%s %-7s %-16s %s  %s..%s  %s  (%zu sightings)\n",
                  HexEncode(r.identity).substr(0, 16).c_str(), r.entry_type.c_str(),
                  verdict.empty() ? "-" : verdict.c_str(), names.c_str(),
                  FormatTimeMs(r.not_before_ms).substr(0, 10).c_str(),
                  FormatTimeMs(r.not_after_ms).substr(0, 10).c_str(), r.issuer_dn.c_str(),
                  c.sightings.size());
      for (const Sighting& s : c.sightings) {
        auto name = log_names.find(s.log_id);
        std::printf("    %-7s %s #%llu %s  %s%s%s\n", s.entry_type.c_str(),
                    name != log_names.end() ? name->second.c_str() : "?",
                    static_cast<unsigned long long>(s.index),
                    FormatTimeMs(static_cast<int64_t>(s.timestamp_ms)).substr(0, 19).c_str(),
                    s.verdict.empty() ? (s.verdict_detail.empty() ? "-" : "undecided")
                                      : s.verdict.c_str(),
                    s.verdict_detail.empty() ? "" : ": ", s.verdict_detail.c_str());
      }
      continue;
    }
    json sightings = json::array();
    for (const Sighting& s : c.sightings) {
      auto name = log_names.find(s.log_id);
      sightings.push_back({{"log", name != log_names.end() ? name->second : Base64Encode(s.log_id)},
                           {"log_id", Base64Encode(s.log_id)},
                           {"index", s.index},
                           {"entry_type", s.entry_type},
                           {"cert_sha256", s.cert_sha256 ? json(HexEncode(*s.cert_sha256)) : json(nullptr)},
                           {"timestamp", FormatTimeMs(static_cast<int64_t>(s.timestamp_ms))},
                           {"verified", s.verified},
                           {"verdict", s.verdict.empty() ? json(nullptr) : json(s.verdict)},
                           {"verdict_detail", s.verdict_detail.empty() ? json(nullptr)
                                                                       : json(s.verdict_detail)}});
    }
    PrintJsonLine({{"identity", HexEncode(r.identity)},
                   {"cert_sha256", r.cert_sha256 ? json(HexEncode(*r.cert_sha256)) : json(nullptr)},
                   {"entry_type", r.entry_type},
                   {"names", r.names},
                   {"subject", r.subject_dn},
                   {"issuer", r.issuer_dn},
                   {"serial", r.serial_hex},
                   {"not_before", FormatTimeMs(r.not_before_ms)},
                   {"not_after", FormatTimeMs(r.not_after_ms)},
                   {"spki_sha256", HexEncode(r.spki_sha256)},
                   {"issuer_key_hash", r.issuer_key_hash ? json(HexEncode(*r.issuer_key_hash)) : json(nullptr)},
                   {"first_seen", FormatTimeMs(c.first_seen_ms)},
                   {"verdict", verdict.empty() ? json(nullptr) : json(verdict)},
                   {"verdict_detail", verdict_detail.empty() ? json(nullptr) : json(verdict_detail)},
                   {"sightings", sightings}});
  }
  return kExitOk;
}

int FindingsCommand(const ListArgs& args) {
  auto store = OpenForReading(args.config);
  if (!store.has_value()) return Fail(store.error());
  auto findings = (*store)->ListFindings({.kind = args.kind, .limit = args.limit});
  if (!findings.has_value()) return Fail(findings.error());
  const auto log_names = LogNames(store->get());
  for (const StoredFinding& f : *findings) {
    std::string log;
    if (f.log_id) {
      auto it = log_names.find(*f.log_id);
      log = it != log_names.end() ? it->second : Base64Encode(*f.log_id);
    }
    if (!args.json) {
      std::printf("#%lld %-8s %-20s %-8s %s  %s%s%s\n", static_cast<long long>(f.id),
                  SeverityName(f.finding.severity), f.finding.kind.c_str(), f.state.c_str(),
                  FormatTimeMs(f.created_ms).c_str(), f.finding.detail.c_str(),
                  f.note.empty() ? "" : " [resolved: ", f.note.empty() ? "" : (f.note + "]").c_str());
      continue;
    }
    PrintJsonLine({{"id", f.id},
                   {"kind", f.finding.kind},
                   {"severity", SeverityName(f.finding.severity)},
                   {"state", f.state},
                   {"identity", f.finding.identity ? json(HexEncode(*f.finding.identity)) : json(nullptr)},
                   {"names", f.finding.names},
                   {"log", f.log_id ? json(log) : json(nullptr)},
                   {"index", f.index ? json(*f.index) : json(nullptr)},
                   {"detail", f.finding.detail},
                   {"note", f.note.empty() ? json(nullptr) : json(f.note)},
                   {"created_at", FormatTimeMs(f.created_ms)}});
  }
  return kExitOk;
}

}  // namespace ctwatch
