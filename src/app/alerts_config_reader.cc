// The [alerts] config reader; see alerts_config_reader.h. Thread-safety: one thread.
#include "app/alerts_config_reader.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "core/file.h"

namespace ctwatch {
namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// A secret from `key` itself, `key_file` (first line) or `key_env`; at most one of them.
Status ReadSecret(TableReader& r, const std::string& key, const std::string& dir,
                  std::string* out) {
  std::string inline_value, file, env;
  CTW_RETURN_IF_ERROR(r.String(key, &inline_value));
  CTW_RETURN_IF_ERROR(r.Path(key + "_file", dir, &file));
  CTW_RETURN_IF_ERROR(r.String(key + "_env", &env));
  const int given = !inline_value.empty() + !file.empty() + !env.empty();
  if (given > 1) {
    const toml::node* n = r.Get(key + "_file") ? r.Get(key + "_file") : r.Get(key + "_env");
    return r.ErrorAt(*n, key, "give only one of " + key + ", " + key + "_file and " + key + "_env");
  }
  if (!file.empty()) {
    Result<std::string> text = ReadFile(file, 64 * 1024);
    if (!text.has_value())
      return r.ErrorAt(*r.Get(key + "_file"), key + "_file", text.error().message);
    inline_value = *text;
    while (!inline_value.empty() && (inline_value.back() == '\n' || inline_value.back() == '\r')) {
      inline_value.pop_back();
    }
    if (inline_value.empty())
      return r.ErrorAt(*r.Get(key + "_file"), key + "_file", file + " is empty");
  }
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') {
      return r.ErrorAt(*r.Get(key + "_env"), key + "_env",
                       "environment variable " + env + " is not set");
    }
    inline_value = value;
  }
  *out = inline_value;
  return OkStatus();
}

Status ReadUrl(TableReader& r, const std::string& key, const std::set<std::string>& schemes,
               bool required, const toml::node& table, std::string* out) {
  const toml::node* n = r.Get(key);
  if (out->empty()) CTW_RETURN_IF_ERROR(r.String(key, out));
  if (out->empty()) {
    if (required) return r.ErrorAt(n != nullptr ? *n : table, key, "required");
    return OkStatus();
  }
  const size_t colon = out->find("://");
  if (colon == std::string::npos || schemes.count(out->substr(0, colon)) == 0 || HasControl(*out)) {
    std::string list;
    for (const std::string& s : schemes) list += (list.empty() ? "" : ", ") + s + "://";
    // The URL may hold a token: never echo it.
    return r.ErrorAt(n != nullptr ? *n : table, key, "expected a URL starting with " + list);
  }
  return OkStatus();
}

// A program given with a '/' is a path relative to the config file's directory; without one
// it is looked up in PATH when run.
void ResolveProgram(const std::string& dir, std::string* program) {
  if (program->find('/') == std::string::npos) return;
  *program =
      std::filesystem::absolute(TableReader::Resolve(*program, dir)).lexically_normal().string();
}

Status ReadFilter(TableReader& r, SinkFilter* f) {
  CTW_RETURN_IF_ERROR(r.StringList("kinds", &f->kinds));
  CTW_RETURN_IF_ERROR(r.StringList("exclude_kinds", &f->exclude_kinds));
  std::string severity;
  CTW_RETURN_IF_ERROR(r.String("min_severity", &severity));
  if (!severity.empty()) {
    std::optional<Severity> s = ParseSeverity(severity);
    if (!s.has_value()) {
      return r.ErrorAt(*r.Get("min_severity"), "min_severity",
                       "expected info, low, medium, high or critical");
    }
    f->min_severity = *s;
  }
  CTW_RETURN_IF_ERROR(r.StringList("domains", &f->domains));
  for (std::string& d : f->domains) {
    while (!d.empty() && d.back() == '.') d.pop_back();
    if (d.rfind("*.", 0) == 0) d = d.substr(2);
    if (d.empty() || d.find_first_of(" /:*") != std::string::npos) {
      return r.ErrorAt(*r.Get("domains"), "domains", "\"" + d + "\" is not a domain name");
    }
  }
  return OkStatus();
}

Status ReadHeaders(TableReader& r, std::vector<std::pair<std::string, std::string>>* out) {
  const toml::node* n = r.Get("headers");
  if (n == nullptr) return OkStatus();
  if (!n->is_table()) return r.ErrorAt(*n, "headers", "expected a table of header = \"value\"");
  for (const auto& [k, v] : *n->as_table()) {
    const std::string name(k.str());
    if (!v.is_string() || name.empty() || name.find_first_of(": ") != std::string::npos ||
        HasControl(name) || HasControl(v.as_string()->get())) {
      return r.ErrorAt(v, "headers", "header " + name + ": expected a name and a one-line string");
    }
    out->emplace_back(name, v.as_string()->get());
  }
  return OkStatus();
}

Status ReadSink(const toml::node& item, const std::string& file, const std::string& dir,
                const std::string& database, SinkConfig* s) {
  if (!item.is_table()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     file + ": alerts.sink: expected [[alerts.sink]] tables");
  }
  TableReader r(*item.as_table(), file, "alerts.sink.");
  CTW_RETURN_IF_ERROR(r.String("name", &s->name));
  if (s->name.empty() || s->name.size() > 64 ||
      s->name.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos) {
    return r.ErrorAt(item, "name", "required: a short name ([A-Za-z0-9._-], at most 64)");
  }
  std::string type;
  CTW_RETURN_IF_ERROR(r.String("type", &type));
  static const std::map<std::string, SinkType> kTypes = {{"webhook", SinkType::kWebhook},
                                                         {"slack", SinkType::kSlack},
                                                         {"email", SinkType::kEmail},
                                                         {"exec", SinkType::kExec},
                                                         {"jsonl", SinkType::kJsonLines}};
  auto t = kTypes.find(type);
  if (t == kTypes.end()) {
    return r.ErrorAt(r.Get("type") ? *r.Get("type") : item, "type",
                     "expected webhook, slack, email, exec or jsonl");
  }
  s->type = t->second;
  CTW_RETURN_IF_ERROR(ReadFilter(r, &s->filter));
  CTW_RETURN_IF_ERROR(r.Duration("timeout", 100, &s->timeout_ms));
  if (const toml::node* n = r.Get("rate_limit")) {
    std::optional<std::pair<int64_t, int64_t>> rate;
    if (n->is_integer()) rate = ParseRateLimit(std::to_string(n->as_integer()->get()));
    if (n->is_string()) rate = ParseRateLimit(n->as_string()->get());
    if (!rate.has_value()) {
      return r.ErrorAt(*n, "rate_limit",
                       "expected messages per period such as \"30/1m\" or \"100/h\"");
    }
    std::tie(s->rate_limit, s->rate_period_ms) = *rate;
  }
  CTW_RETURN_IF_ERROR(r.Duration("digest_interval", 1000, &s->digest_interval_ms));
  CTW_RETURN_IF_ERROR(r.Int("digest_max", 1, 100'000, &s->digest_max));
  CTW_RETURN_IF_ERROR(r.Bool("summary", &s->summary));
  CTW_RETURN_IF_ERROR(r.String("certificate_link", &s->certificate_link));

  switch (s->type) {
    case SinkType::kWebhook: {
      CTW_RETURN_IF_ERROR(ReadUrl(r, "url", {"http", "https"}, true, item, &s->webhook.url));
      CTW_RETURN_IF_ERROR(ReadSecret(r, "secret", dir, &s->webhook.secret));
      CTW_RETURN_IF_ERROR(r.String("signature_header", &s->webhook.signature_header));
      CTW_RETURN_IF_ERROR(ReadHeaders(r, &s->webhook.headers));
      CTW_RETURN_IF_ERROR(r.Path("ca_file", dir, &s->webhook.ca_file));
      break;
    }
    case SinkType::kSlack: {
      // Slack's webhook URL is itself the secret: it may come from the environment.
      std::string env;
      CTW_RETURN_IF_ERROR(r.String("url_env", &env));
      if (!env.empty()) {
        const char* value = std::getenv(env.c_str());
        if (value == nullptr || *value == '\0') {
          return r.ErrorAt(*r.Get("url_env"), "url_env",
                           "environment variable " + env + " is not set");
        }
        s->slack.url = value;
      }
      CTW_RETURN_IF_ERROR(ReadUrl(r, "url", {"http", "https"}, true, item, &s->slack.url));
      CTW_RETURN_IF_ERROR(r.Path("ca_file", dir, &s->slack.ca_file));
      break;
    }
    case SinkType::kEmail: {
      EmailSinkConfig& e = s->email;
      CTW_RETURN_IF_ERROR(ReadUrl(r, "url", {"smtp", "smtps"}, true, item, &e.url));
      CTW_RETURN_IF_ERROR(r.String("from", &e.from));
      CTW_RETURN_IF_ERROR(r.StringList("to", &e.to));
      for (const std::string& a : std::vector<std::string>{e.from}) {
        if (a.find('@') == std::string::npos || HasControl(a) ||
            a.find_first_of("<> ,") != std::string::npos) {
          return r.ErrorAt(r.Get("from") ? *r.Get("from") : item, "from",
                           "required: an e-mail address");
        }
      }
      if (e.to.empty())
        return r.ErrorAt(r.Get("to") ? *r.Get("to") : item, "to",
                         "required: a list of e-mail addresses");
      for (const std::string& a : e.to) {
        if (a.find('@') == std::string::npos || HasControl(a) ||
            a.find_first_of("<> ,") != std::string::npos) {
          return r.ErrorAt(*r.Get("to"), "to", "\"" + a + "\" is not an e-mail address");
        }
      }
      CTW_RETURN_IF_ERROR(r.String("username", &e.username));
      CTW_RETURN_IF_ERROR(ReadSecret(r, "password", dir, &e.password));
      if (!e.password.empty() && e.username.empty()) {
        return r.ErrorAt(item, "username", "required with a password");
      }
      std::string starttls;
      CTW_RETURN_IF_ERROR(r.String("starttls", &starttls));
      if (starttls == "optional") {
        e.starttls = StartTls::kOptional;
      } else if (starttls == "off") {
        e.starttls = StartTls::kOff;
      } else if (!starttls.empty() && starttls != "required") {
        return r.ErrorAt(*r.Get("starttls"), "starttls", "expected required, optional or off");
      }
      if (e.starttls == StartTls::kOff && !e.password.empty() && e.url.rfind("smtps://", 0) != 0) {
        return r.ErrorAt(*r.Get("starttls"), "starttls",
                         "a password is never sent without TLS: use required, or smtps://");
      }
      CTW_RETURN_IF_ERROR(r.Path("ca_file", dir, &e.ca_file));
      CTW_RETURN_IF_ERROR(r.String("subject_prefix", &e.subject_prefix));
      break;
    }
    case SinkType::kExec: {
      CTW_RETURN_IF_ERROR(r.StringList("command", &s->exec.command));
      if (s->exec.command.empty() || s->exec.command[0].empty()) {
        return r.ErrorAt(
            r.Get("command") ? *r.Get("command") : item, "command",
            "required: the program and its arguments, e.g. [\"/etc/ctwatch/hook.sh\"]");
      }
      ResolveProgram(dir, &s->exec.command[0]);
      // certspotter hooks take one certificate per run: grouping would not save a single run.
      for (const char* key : {"digest_interval", "rate_limit"}) {
        if (const toml::node* n = r.Get(key)) {
          return r.ErrorAt(*n, key, "does not apply to exec hooks (they run once per finding)");
        }
      }
      CTW_RETURN_IF_ERROR(r.Path("files_dir", dir, &s->exec.files_dir));
      if (s->exec.files_dir.empty()) {
        const auto base = std::filesystem::path(database).parent_path();
        s->exec.files_dir = (base / "alert-files" / s->name).string();
      }
      // Hooks get absolute file names, whatever their working directory.
      s->exec.files_dir = std::filesystem::absolute(s->exec.files_dir).lexically_normal().string();
      if (s->timeout_ms == 10'000 && r.Get("timeout") == nullptr) s->timeout_ms = 30'000;
      break;
    }
    case SinkType::kJsonLines: {
      CTW_RETURN_IF_ERROR(r.String("path", &s->jsonl.path));
      if (s->jsonl.path.empty()) {
        return r.ErrorAt(item, "path", "required: a file, or \"-\" for standard output");
      }
      if (s->jsonl.path != "-") s->jsonl.path = TableReader::Resolve(s->jsonl.path, dir);
      CTW_RETURN_IF_ERROR(r.Bool("fsync", &s->jsonl.fsync));
      break;
    }
  }
  return r.CheckNoUnknownKeys();
}

Status ReadHealth(TableReader& r, HealthConfig* h) {
  CTW_RETURN_IF_ERROR(r.Duration("check_interval", 1000, &h->check_interval_ms));
  CTW_RETURN_IF_ERROR(r.Duration("log_unreachable_after", 0, &h->log_unreachable_after_ms));
  int64_t entries = static_cast<int64_t>(h->backlog_entries);
  CTW_RETURN_IF_ERROR(r.Int("backlog_entries", 0, int64_t{1} << 40, &entries));
  h->backlog_entries = static_cast<uint64_t>(entries);
  CTW_RETURN_IF_ERROR(r.Duration("backlog_after", 0, &h->backlog_after_ms));
  CTW_RETURN_IF_ERROR(r.Duration("sink_failing_after", 0, &h->sink_failing_after_ms));
  std::string summary;
  CTW_RETURN_IF_ERROR(r.String("daily_summary", &summary));
  if (!summary.empty() && summary != "off") {
    const bool shape = summary.size() == 5 && summary[2] == ':' &&
                       std::isdigit(static_cast<unsigned char>(summary[0])) &&
                       std::isdigit(static_cast<unsigned char>(summary[1])) &&
                       std::isdigit(static_cast<unsigned char>(summary[3])) &&
                       std::isdigit(static_cast<unsigned char>(summary[4]));
    const int hour = shape ? std::stoi(summary.substr(0, 2)) : 99;
    const int minute = shape ? std::stoi(summary.substr(3, 2)) : 99;
    if (hour > 23 || minute > 59) {
      return r.ErrorAt(*r.Get("daily_summary"), "daily_summary",
                       "expected a UTC time of day such as \"08:00\", or \"off\"");
    }
    h->daily_summary_minute = hour * 60 + minute;
  }
  return r.CheckNoUnknownKeys();
}

Status ReadHeartbeat(TableReader& r, const std::string& dir, HeartbeatConfig* h,
                     const toml::node& table) {
  CTW_RETURN_IF_ERROR(ReadUrl(r, "url", {"http", "https"}, false, table, &h->url));
  CTW_RETURN_IF_ERROR(r.StringList("command", &h->command));
  if (!h->command.empty()) ResolveProgram(dir, &h->command[0]);
  CTW_RETURN_IF_ERROR(r.Duration("interval", 1000, &h->interval_ms));
  CTW_RETURN_IF_ERROR(r.Duration("timeout", 100, &h->timeout_ms));
  CTW_RETURN_IF_ERROR(r.Path("ca_file", dir, &h->ca_file));
  if (!h->enabled()) return r.ErrorAt(table, "url", "a heartbeat needs a url or a command");
  return r.CheckNoUnknownKeys();
}

}  // namespace

std::optional<std::pair<int64_t, int64_t>> ParseRateLimit(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view count = text.substr(0, slash);
  if (count.empty() || count.size() > 9 ||
      count.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const int64_t n = std::stoll(std::string(count));
  int64_t period = 60'000;
  if (slash != std::string_view::npos) {
    std::string unit(text.substr(slash + 1));
    if (!unit.empty() && !std::isdigit(static_cast<unsigned char>(unit[0]))) unit = "1" + unit;
    std::optional<int64_t> ms = ParseDurationMs(unit);
    if (!ms.has_value() || *ms < 1000) return std::nullopt;
    period = *ms;
  }
  return std::make_pair(n, period);
}

Status ReadAlertsConfig(TableReader& root, const std::string& file, const std::string& dir,
                        const std::string& database, AlertsConfig* out) {
  Status status;
  const toml::table* alerts = root.Table("alerts", &status);
  CTW_RETURN_IF_ERROR(status);
  if (alerts == nullptr) return OkStatus();
  TableReader r(*alerts, file, "alerts.");
  DeliveryConfig& d = out->delivery;
  CTW_RETURN_IF_ERROR(r.Duration("poll_interval", 10, &d.poll_interval_ms));
  CTW_RETURN_IF_ERROR(r.Duration("retry_base", 10, &d.retry_base_ms));
  CTW_RETURN_IF_ERROR(r.Duration("retry_max", 10, &d.retry_max_ms));
  CTW_RETURN_IF_ERROR(r.Duration("give_up_after", 1000, &d.give_up_after_ms));
  if (d.retry_max_ms < d.retry_base_ms) {
    return r.ErrorAt(*alerts, "retry_max", "must not be shorter than retry_base");
  }
  if (const toml::table* health = r.Table("health", &status)) {
    TableReader h(*health, file, "alerts.health.");
    CTW_RETURN_IF_ERROR(ReadHealth(h, &out->health));
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::table* heartbeat = r.Table("heartbeat", &status)) {
    TableReader h(*heartbeat, file, "alerts.heartbeat.");
    CTW_RETURN_IF_ERROR(ReadHeartbeat(h, dir, &out->heartbeat, *heartbeat));
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::node* sinks = r.Get("sink")) {
    if (!sinks->is_array_of_tables())
      return r.ErrorAt(*sinks, "sink", "expected [[alerts.sink]] tables");
    std::set<std::string> names;
    for (const toml::node& item : *sinks->as_array()) {
      SinkConfig sink;
      CTW_RETURN_IF_ERROR(ReadSink(item, file, dir, database, &sink));
      if (!names.insert(sink.name).second) {
        TableReader named(*item.as_table(), file, "alerts.sink.");
        return named.ErrorAt(*item.as_table()->get("name"), "name",
                             "sink " + sink.name + " is defined twice");
      }
      out->sinks.push_back(std::move(sink));
    }
  }
  return r.CheckNoUnknownKeys();
}

}  // namespace ctwatch
