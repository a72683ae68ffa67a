// `ctwatch audit exposure DOMAIN [--json|--csv]`: what of DOMAIN is public in CT. One row per
// name at or below DOMAIN that any stored certificate names: first and last seen (log
// timestamps), issuers, number of certificates, wildcard, whether it looks internal (the
// policy's internal-name rules) and whether a certificate for it is valid now. The names
// come from the reversed-name index (Store::ListNamesUnder), not a table scan.
// Thread-safety: called from main only.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/commands.h"
#include "app/config.h"
#include "app/policy_commands.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "policy/policy_matcher.h"
#include "store/store.h"

namespace ctwatch {
namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

struct Exposure {
  std::string name;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  std::set<std::string> issuers;
  std::set<Sha256Hash> certificates;
  bool wildcard = false;
  std::vector<std::string> internal;  // rules matched
  bool valid_now = false;
};

std::string Joined(const std::set<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += separator;
    out += i;
  }
  return out;
}

std::string Joined(const std::vector<std::string>& items, const char* separator) {
  return Joined(std::set<std::string>(items.begin(), items.end()), separator);
}

std::string Csv(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int AuditExposureCommand(const AuditArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  Result<std::shared_ptr<const PolicyMatcher>> policy = PolicyMatcher::Create(config->policy);
  if (!policy.has_value()) return Fail(policy.error());
  std::optional<std::string> domain = CanonicalDnsName(args.domain);
  if (!domain.has_value() || domain->empty() || domain->find('*') != std::string::npos) {
    return Fail(MakeError(ErrorCode::kInvalidArgument,
                          "audit exposure: \"" + args.domain + "\" is not a domain"));
  }
  Result<std::unique_ptr<Store>> store =
      OpenSqliteStore({.path = config->database, .read_only = true});
  if (!store.has_value()) return Fail(store.error());
  Result<std::vector<NameCertificate>> rows = (*store)->ListNamesUnder(*domain);
  if (!rows.has_value()) return Fail(rows.error());

  const int64_t now = SystemClock::Get()->NowMs();
  std::map<std::string, Exposure> by_name;
  for (const NameCertificate& r : *rows) {
    Exposure& e = by_name[r.name];
    if (e.name.empty()) {
      e.name = r.name;
      e.first_seen_ms = r.first_seen_ms;
      e.last_seen_ms = r.last_seen_ms;
      e.wildcard = r.name.rfind("*.", 0) == 0;
      e.internal = (*policy)->InternalRulesUnder(r.name, *domain);
    }
    e.first_seen_ms = std::min(e.first_seen_ms, r.first_seen_ms);
    e.last_seen_ms = std::max(e.last_seen_ms, r.last_seen_ms);
    e.issuers.insert(r.issuer_dn);
    e.certificates.insert(r.identity);
    e.valid_now = e.valid_now || (r.not_before_ms <= now && now < r.not_after_ms);
  }

  if (args.csv) {
    std::printf(
        "name,first_seen,last_seen,issuers,certificates,wildcard,looks_internal,valid_now\n");
  } else if (!args.json) {
    std::printf("%-44s %-10s %-10s %5s %-4s %-5s %-28s %s\n", "NAME", "FIRST SEEN", "LAST SEEN",
                "CERTS", "WILD", "VALID", "LOOKS INTERNAL", "ISSUERS");
  }
  for (const auto& [name, e] : by_name) {
    if (args.json) {
      const nlohmann::json j = {
          {"name", e.name},
          {"first_seen", FormatTimeMs(e.first_seen_ms)},
          {"last_seen", FormatTimeMs(e.last_seen_ms)},
          {"issuers", std::vector<std::string>(e.issuers.begin(), e.issuers.end())},
          {"certificates", e.certificates.size()},
          {"wildcard", e.wildcard},
          {"looks_internal", !e.internal.empty()},
          {"internal_rules", e.internal},
          {"valid_now", e.valid_now}};
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else if (args.csv) {
      std::printf("%s,%s,%s,%s,%zu,%s,%s,%s\n", Csv(e.name).c_str(),
                  FormatTimeMs(e.first_seen_ms).c_str(), FormatTimeMs(e.last_seen_ms).c_str(),
                  Csv(Joined(e.issuers, "; ")).c_str(), e.certificates.size(),
                  e.wildcard ? "yes" : "no", Csv(Joined(e.internal, "; ")).c_str(),
                  e.valid_now ? "yes" : "no");
    } else {
      std::printf("%-44s %-10s %-10s %5zu %-4s %-5s %-28s %s\n", e.name.c_str(),
                  FormatTimeMs(e.first_seen_ms).substr(0, 10).c_str(),
                  FormatTimeMs(e.last_seen_ms).substr(0, 10).c_str(), e.certificates.size(),
                  e.wildcard ? "yes" : "", e.valid_now ? "yes" : "no",
                  Joined(e.internal, ", ").c_str(), Joined(e.issuers, "; ").c_str());
    }
  }
  if (!args.json && !args.csv) {
    std::printf("%zu names under %s in %zu certificate names\n", by_name.size(), domain->c_str(),
                rows->size());
  }
  return kExitOk;
}

}  // namespace ctwatch
