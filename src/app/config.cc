#include "app/config.h"

#include "app/toml_reader.h"
#include "app/acme_config_reader.h"
#include "app/alerts_config_reader.h"
#include "app/policy_config_reader.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "cert/dns_name.h"
#include "core/file.h"

namespace ctwatch {
namespace {

Status ReadTailing(TableReader& r, TailingOptions* t) {
  std::optional<StartPosition> start;
  CTW_RETURN_IF_ERROR(r.Start("start", &start));
  if (start.has_value()) t->start = *start;
  CTW_RETURN_IF_ERROR(r.Duration("poll_interval", 1000, &t->poll_interval_ms));
  int64_t batch = t->batch_size;
  CTW_RETURN_IF_ERROR(r.Int("batch_size", 1, 10000, &batch));
  t->batch_size = static_cast<int>(batch);
  int64_t parallel = t->parallel_fetches;
  CTW_RETURN_IF_ERROR(r.Int("parallel_fetches", 1, 32, &parallel));
  t->parallel_fetches = static_cast<int>(parallel);
  CTW_RETURN_IF_ERROR(r.Number("requests_per_second", 0, 10000, &t->requests_per_second));
  CTW_RETURN_IF_ERROR(r.Duration("partial_tile_wait", 0, &t->partial_tile_wait_ms));
  CTW_RETURN_IF_ERROR(r.Duration("request_timeout", 100, &t->request_timeout_ms));
  int64_t max_mb = static_cast<int64_t>(t->max_response_bytes >> 20);
  CTW_RETURN_IF_ERROR(r.Int("max_response_mb", 1, 1024, &max_mb));
  t->max_response_bytes = static_cast<size_t>(max_mb) << 20;
  return OkStatus();
}

Status ReadLogs(const toml::table& table, const std::string& file, const std::string& dir,
                LogsConfig* logs) {
  TableReader r(table, file, "logs.");
  CTW_RETURN_IF_ERROR(r.Path("list", dir, &logs->list));
  CTW_RETURN_IF_ERROR(r.Path("list_signature", dir, &logs->list_signature));
  CTW_RETURN_IF_ERROR(r.Path("list_key", dir, &logs->list_key));
  CTW_RETURN_IF_ERROR(r.Path("fallback_list", dir, &logs->fallback_list));
  CTW_RETURN_IF_ERROR(r.Path("ca_file", dir, &logs->ca_file));
  CTW_RETURN_IF_ERROR(r.Duration("refresh_interval", 1000, &logs->refresh_interval_ms));
  CTW_RETURN_IF_ERROR(r.StringList("include", &logs->include));
  CTW_RETURN_IF_ERROR(r.StringList("exclude", &logs->exclude));
  CTW_RETURN_IF_ERROR(ReadTailing(r, &logs->tailing));
  if (const toml::node* n = r.Get("override")) {
    if (!n->is_array_of_tables()) return r.ErrorAt(*n, "override", "expected [[logs.override]] tables");
    for (const toml::node& item : *n->as_array()) {
      TableReader o(*item.as_table(), file, "logs.override.");
      LogOverride ov;
      CTW_RETURN_IF_ERROR(o.String("log", &ov.log));
      if (ov.log.empty()) return o.ErrorAt(item, "log", "required (a log description or log id)");
      CTW_RETURN_IF_ERROR(o.Start("start", &ov.start));
      double rps = -1;
      CTW_RETURN_IF_ERROR(o.Number("requests_per_second", 0, 10000, &rps));
      if (rps >= 0) ov.requests_per_second = rps;
      int64_t parallel = -1, batch = -1;
      CTW_RETURN_IF_ERROR(o.Int("parallel_fetches", 1, 32, &parallel));
      if (parallel > 0) ov.parallel_fetches = static_cast<int>(parallel);
      CTW_RETURN_IF_ERROR(o.Int("batch_size", 1, 10000, &batch));
      if (batch > 0) ov.batch_size = static_cast<int>(batch);
      if (const toml::node* d = o.Get("disabled")) {
        if (!d->is_boolean()) return o.ErrorAt(*d, "disabled", "expected true or false");
        ov.disabled = d->as_boolean()->get();
      }
      CTW_RETURN_IF_ERROR(o.CheckNoUnknownKeys());
      logs->overrides.push_back(std::move(ov));
    }
  }
  if (logs->list.empty() && logs->fallback_list.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, file + ": logs.list: required (a log list file or URL)");
  }
  return r.CheckNoUnknownKeys();
}

}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const int64_t n = std::stoll(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  if (unit == "ms") return n;
  if (unit == "s" || unit.empty()) return n * 1000;
  if (unit == "m") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "d") return n * 86'400'000;
  return std::nullopt;
}

Result<Config> LoadConfig(const std::string& path) {
  CTW_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 4u << 20));
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return MakeError(ErrorCode::kInvalidArgument, out.str());
  }
  Config config;
  config.path = path;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  TableReader r(root, path, "");
  Status status;

  if (const toml::table* service = r.Table("service", &status)) {
    TableReader s(*service, path, "service.");
    CTW_RETURN_IF_ERROR(s.Path("database", dir, &config.database));
    CTW_RETURN_IF_ERROR(s.String("log_level", &config.log_level));
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
    if (kLevels.count(config.log_level) == 0) {
      return s.ErrorAt(*service->get("log_level"), "log_level", "expected trace, debug, info, warn or error");
    }
    CTW_RETURN_IF_ERROR(s.CheckNoUnknownKeys());
  }
  CTW_RETURN_IF_ERROR(status);
  if (config.database.empty()) config.database = TableReader::Resolve("ctwatch.db", dir);

  const toml::table* logs = r.Table("logs", &status);
  CTW_RETURN_IF_ERROR(status);
  if (logs == nullptr) return MakeError(ErrorCode::kInvalidArgument, path + ": [logs]: required section");
  CTW_RETURN_IF_ERROR(ReadLogs(*logs, path, dir, &config.logs));

  if (const toml::node* watch = r.Get("watch")) {
    return r.ErrorAt(*watch, "watch",
                     "moved: the owned domains are now [policy] domains (docs/policy.md)");
  }
  if (const toml::table* policy = r.Table("policy", &status)) {
    CTW_RETURN_IF_ERROR(ReadPolicyConfig(*policy, path, &config.policy));
  }
  CTW_RETURN_IF_ERROR(status);
  CTW_RETURN_IF_ERROR(ReadAcmeConfig(r, path, dir, &config.acme));
  CTW_RETURN_IF_ERROR(ReadAlertsConfig(r, path, dir, config.database, &config.alerts));
  CTW_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  return config;
}

TailingOptions TailingFor(const LogsConfig& logs, const std::string& description,
                          const std::string& log_id_b64, bool* disabled) {
  TailingOptions t = logs.tailing;
  *disabled = false;
  for (const LogOverride& o : logs.overrides) {
    if (o.log != description && o.log != log_id_b64) continue;
    if (o.start) t.start = *o.start;
    if (o.requests_per_second) t.requests_per_second = *o.requests_per_second;
    if (o.parallel_fetches) t.parallel_fetches = *o.parallel_fetches;
    if (o.batch_size) t.batch_size = *o.batch_size;
    *disabled = o.disabled;
  }
  return t;
}

}  // namespace ctwatch
