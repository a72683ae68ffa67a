// `ctwatch alerts test|status|suppress|suppressions|unsuppress` and `ctwatch findings
// ack|resolve`: checking a sink, looking at the delivery queues, suppression rules and the
// finding lifecycle (docs/alerts.md). They open their own connection to the database, so they
// work while `ctwatch run` is running.
// Thread-safety: called from main only.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "alerts/alert_service.h"
#include "alerts/alert_store.h"
#include "alerts/render.h"
#include "alerts/sink.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/sha256.h"
#include "store/store.h"

namespace ctwatch {
namespace {

using nlohmann::json;

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

void PrintJsonLine(const json& j) {
  std::fputs((j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n").c_str(), stdout);
}

// Opens the database (migrating it, as `run` would) and an alert store on it.
Result<std::unique_ptr<AlertStore>> OpenAlertStore(const Config& config, bool must_exist) {
  if (must_exist && !FileExists(config.database)) {
    return MakeError(ErrorCode::kNotFound,
                     "no database at " + config.database + " (has `ctwatch run` been started?)");
  }
  CTW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore({.path = config.database}));
  store.reset();
  return OpenSqliteAlertStore(config.database);
}

// A sample finding about a made-up certificate, for `alerts test`.
OutgoingMessage SampleMessage(const Config& config, const std::string& sink) {
  const int64_t now = SystemClock::Get()->NowMs();
  const std::string domain =
      config.policy.domains.empty() ? "example.com" : config.policy.domains[0];
  AlertFinding f;
  f.stored.id = 0;
  f.stored.finding.kind = "test";
  f.stored.finding.severity = Severity::kInfo;
  f.stored.finding.names = {"ctwatch-test." + domain};
  f.stored.finding.detail =
      "a test alert from `ctwatch alerts test`: if you read this, sink " + sink + " works";
  f.stored.finding.dedup_key = "test:" + std::to_string(now);
  f.stored.state = "open";
  f.stored.created_ms = now;
  CertificateDetails c;
  c.identity = Sha256(AsBytes("ctwatch test certificate tbs"));
  c.cert_sha256 = Sha256(AsBytes("ctwatch test certificate"));
  c.entry_type = "cert";
  c.subject_dn = "CN=ctwatch-test." + domain;
  c.issuer_dn = "CN=ctwatch test CA";
  c.serial_hex = "01";
  c.not_before_ms = now - now % 1000;
  c.not_after_ms = c.not_before_ms + 90LL * 86'400'000;
  c.spki_sha256 = Sha256(AsBytes("ctwatch test key"));
  c.names = f.stored.finding.names;
  f.stored.finding.identity = c.identity;
  f.certificate = c;
  OutgoingMessage m;
  m.sink = sink;
  m.idempotency_key = NewIdempotencyKey();
  m.kind = MessageKind::kTest;
  m.created_ms = now;
  m.payload = "This is a test alert sent by `ctwatch alerts test --sink " + sink + "`.";
  m.findings = {f};
  return m;
}

struct TestArgs {
  std::string config;
  std::string sink;
};

int TestCommand(const TestArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  const SinkConfig* sink = nullptr;
  for (const SinkConfig& s : config->alerts.sinks) {
    if (s.name == args.sink) sink = &s;
  }
  if (sink == nullptr) {
    std::string names;
    for (const SinkConfig& s : config->alerts.sinks) names += (names.empty() ? "" : ", ") + s.name;
    return Fail(MakeError(
        ErrorCode::kInvalidArgument,
        "no sink named " + args.sink + " (configured: " + (names.empty() ? "none" : names) + ")"));
  }
  SinkContext context;
  context.watch_domains = config->policy.domains;
  Result<std::unique_ptr<Sink>> made = MakeSink(*sink, context);
  if (!made.has_value()) return Fail(made.error());
  const OutgoingMessage message = SampleMessage(*config, sink->name);
  Status sent = (*made)->Deliver(message);
  if (!sent.has_value()) {
    std::fprintf(stderr, "ctwatch: sink %s (%s): %s\n", sink->name.c_str(),
                 SinkTypeName(sink->type), sent.error().message.c_str());
    return kExitFailure;
  }
  std::printf("sent a test alert to sink %s (%s), idempotency key %s\n", sink->name.c_str(),
              SinkTypeName(sink->type), message.idempotency_key.c_str());
  return kExitOk;
}

struct StatusArgs {
  std::string config;
  bool json = false;
};

int StatusCommand(const StatusArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenAlertStore(*config, true);
  if (!store.has_value()) return Fail(store.error());
  auto stats = (*store)->QueueStats();
  if (!stats.has_value()) return Fail(stats.error());
  auto outbox = (*store)->OutboxSize();
  if (!outbox.has_value()) return Fail(outbox.error());
  std::map<std::string, SinkQueueStats> all = *stats;
  for (const SinkConfig& s : config->alerts.sinks) all[s.name];
  if (!args.json) {
    std::printf("outbox: %lld finding(s) not yet fanned out\n", static_cast<long long>(*outbox));
    std::printf("%-20s %-8s %8s %8s %10s %7s %10s  %s\n", "SINK", "TYPE", "QUEUED", "PENDING",
                "DELIVERED", "FAILED", "SUPPRESSED", "OLDEST PENDING / LAST ERROR");
  }
  for (const auto& [name, s] : all) {
    std::string type = "(removed)";
    for (const SinkConfig& c : config->alerts.sinks) {
      if (c.name == name) type = SinkTypeName(c.type);
    }
    if (args.json) {
      PrintJsonLine(
          {{"sink", name},
           {"type", type},
           {"queued", s.queued},
           {"pending", s.pending},
           {"delivered", s.delivered},
           {"failed", s.failed},
           {"suppressed", s.suppressed},
           {"oldest_pending",
            s.oldest_pending_ms ? json(FormatTimeMs(*s.oldest_pending_ms)) : json(nullptr)},
           {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
           {"outbox", *outbox}});
      continue;
    }
    std::string tail = s.oldest_pending_ms ? FormatTimeMs(*s.oldest_pending_ms) : "-";
    if (!s.last_error.empty()) tail += "  " + s.last_error;
    std::printf("%-20s %-8s %8lld %8lld %10lld %7lld %10lld  %s\n", name.c_str(), type.c_str(),
                static_cast<long long>(s.queued), static_cast<long long>(s.pending),
                static_cast<long long>(s.delivered), static_cast<long long>(s.failed),
                static_cast<long long>(s.suppressed), tail.c_str());
  }
  return kExitOk;
}

struct SuppressArgs {
  std::string config;
  std::string name, pattern, issuer_key, reason, period;
};

int SuppressCommand(const SuppressArgs& args) {
  const int given = !args.name.empty() + !args.pattern.empty() + !args.issuer_key.empty();
  if (given != 1) {
    return Fail(MakeError(ErrorCode::kInvalidArgument,
                          "give exactly one of --name, --pattern and --issuer-key"));
  }
  SuppressionRule rule;
  std::string value;
  if (!args.name.empty()) {
    rule.match = SuppressionMatch::kName;
    value = args.name;
  } else if (!args.pattern.empty()) {
    rule.match = SuppressionMatch::kPattern;
    value = args.pattern;
  } else {
    rule.match = SuppressionMatch::kIssuerKey;
    value = args.issuer_key;
  }
  Result<std::string> normalized = NormalizeSuppressionValue(rule.match, value);
  if (!normalized.has_value()) return Fail(normalized.error());
  rule.value = *normalized;
  rule.reason = args.reason;
  rule.created_ms = SystemClock::Get()->NowMs();
  if (!args.period.empty() && args.period != "forever") {
    std::optional<int64_t> ms = ParseDurationMs(args.period);
    if (!ms.has_value() || *ms <= 0) {
      return Fail(MakeError(ErrorCode::kInvalidArgument,
                            "--for: expected a duration such as 12h, 30d, or forever"));
    }
    rule.expires_ms = rule.created_ms + *ms;
  }
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenAlertStore(*config, false);
  if (!store.has_value()) return Fail(store.error());
  Result<int64_t> id = (*store)->AddSuppression(rule);
  if (!id.has_value()) return Fail(id.error());
  std::printf(
      "suppression #%lld: %s %s %s (%s)\n", static_cast<long long>(*id),
      SuppressionMatchName(rule.match), rule.value.c_str(),
      rule.expires_ms ? ("until " + FormatTimeMs(*rule.expires_ms)).c_str() : "until removed",
      rule.reason.c_str());
  return kExitOk;
}

struct ListSuppressionsArgs {
  std::string config;
  bool json = false;
  bool all = false;
};

int ListSuppressionsCommand(const ListSuppressionsArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenAlertStore(*config, true);
  if (!store.has_value()) return Fail(store.error());
  auto rules = (*store)->ListSuppressions();
  if (!rules.has_value()) return Fail(rules.error());
  const int64_t now = SystemClock::Get()->NowMs();
  for (const SuppressionRule& r : *rules) {
    const bool expired = r.expires_ms.has_value() && *r.expires_ms <= now;
    if (expired && !args.all) continue;
    if (args.json) {
      PrintJsonLine(
          {{"id", r.id},
           {"match", SuppressionMatchName(r.match)},
           {"value", r.value},
           {"reason", r.reason},
           {"created_at", FormatTimeMs(r.created_ms)},
           {"expires_at", r.expires_ms ? json(FormatTimeMs(*r.expires_ms)) : json(nullptr)},
           {"active", !expired}});
      continue;
    }
    std::printf("#%lld %-10s %-40s %-24s %s\n", static_cast<long long>(r.id),
                SuppressionMatchName(r.match), r.value.c_str(),
                r.expires_ms ? FormatTimeMs(*r.expires_ms).c_str() : "forever", r.reason.c_str());
  }
  return kExitOk;
}

struct IdArgs {
  std::string config;
  int64_t id = 0;
  std::string note;
};

int UnsuppressCommand(const IdArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenAlertStore(*config, true);
  if (!store.has_value()) return Fail(store.error());
  Result<bool> removed = (*store)->RemoveSuppression(args.id);
  if (!removed.has_value()) return Fail(removed.error());
  if (!*removed) {
    return Fail(MakeError(ErrorCode::kNotFound, "no suppression #" + std::to_string(args.id)));
  }
  std::printf("suppression #%lld removed\n", static_cast<long long>(args.id));
  return kExitOk;
}

int SetStateCommand(const IdArgs& args, const std::string& state) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  auto store = OpenAlertStore(*config, true);
  if (!store.has_value()) return Fail(store.error());
  Result<bool> changed =
      (*store)->SetFindingState(args.id, state, args.note, SystemClock::Get()->NowMs());
  if (!changed.has_value()) return Fail(changed.error());
  if (!*changed)
    return Fail(MakeError(ErrorCode::kNotFound, "no finding #" + std::to_string(args.id)));
  std::printf("finding #%lld %s\n", static_cast<long long>(args.id), state.c_str());
  return kExitOk;
}

}  // namespace

void RegisterAlertsCommands(CLI::App* app, int* exit_code) {
  CLI::App* alerts =
      app->add_subcommand("alerts", "Alert delivery: test a sink, queues, suppressions");
  alerts->require_subcommand(1);

  auto test = std::make_shared<TestArgs>();
  CLI::App* test_cmd = alerts->add_subcommand("test", "Send a sample alert to one sink, now");
  test_cmd->add_option("-c,--config", test->config, "Configuration file (TOML)")->required();
  test_cmd->add_option("--sink", test->sink, "The [[alerts.sink]] name")->required();
  test_cmd->callback([test, exit_code] { *exit_code = TestCommand(*test); });

  auto status = std::make_shared<StatusArgs>();
  CLI::App* status_cmd =
      alerts->add_subcommand("status", "Per sink: queued, pending, delivered, failed");
  status_cmd->add_option("-c,--config", status->config, "Configuration file (TOML)")->required();
  status_cmd->add_flag("--json", status->json, "One JSON object per line");
  status_cmd->callback([status, exit_code] { *exit_code = StatusCommand(*status); });

  auto suppress = std::make_shared<SuppressArgs>();
  CLI::App* suppress_cmd = alerts->add_subcommand(
      "suppress", "Stop alerts (findings are still recorded) for a name, pattern or issuer key");
  suppress_cmd->add_option("-c,--config", suppress->config, "Configuration file (TOML)")
      ->required();
  suppress_cmd->add_option("--name", suppress->name, "An exact name (www.example.com)");
  suppress_cmd->add_option("--pattern", suppress->pattern,
                           "A glob over names: * any characters, ? one (*.staging.example.com)");
  suppress_cmd->add_option("--issuer-key", suppress->issuer_key,
                           "Hex SHA-256 of the issuer's SubjectPublicKeyInfo");
  suppress_cmd->add_option("--for", suppress->period, "How long: 12h, 30d, or forever (default)");
  suppress_cmd->add_option("--reason", suppress->reason, "Why (shown in listings)")->required();
  suppress_cmd->callback([suppress, exit_code] { *exit_code = SuppressCommand(*suppress); });

  auto list = std::make_shared<ListSuppressionsArgs>();
  CLI::App* list_cmd = alerts->add_subcommand("suppressions", "List suppression rules");
  list_cmd->add_option("-c,--config", list->config, "Configuration file (TOML)")->required();
  list_cmd->add_flag("--json", list->json, "One JSON object per line");
  list_cmd->add_flag("--all", list->all, "Include expired rules");
  list_cmd->callback([list, exit_code] { *exit_code = ListSuppressionsCommand(*list); });

  auto unsuppress = std::make_shared<IdArgs>();
  CLI::App* unsuppress_cmd = alerts->add_subcommand("unsuppress", "Remove a suppression rule");
  unsuppress_cmd->add_option("-c,--config", unsuppress->config, "Configuration file (TOML)")
      ->required();
  unsuppress_cmd->add_option("id", unsuppress->id, "Rule number")->required();
  unsuppress_cmd->callback(
      [unsuppress, exit_code] { *exit_code = UnsuppressCommand(*unsuppress); });

  // `findings ack|resolve ID`: subcommands of the `findings` listing; their --config is the
  // listing's (options fall through to it), so `ctwatch findings --config F` still lists.
  CLI::App* findings = app->get_subcommand("findings");
  for (const char* state : {"acknowledged", "resolved"}) {
    const std::string verb = std::string(state) == "acknowledged" ? "ack" : "resolve";
    auto args = std::make_shared<IdArgs>();
    CLI::App* cmd = findings->add_subcommand(
        verb, verb == "ack" ? "Acknowledge a finding: no more alerts for its certificate"
                            : "Mark a finding resolved: no more alerts for its certificate");
    cmd->add_option("id", args->id, "Finding number (see ctwatch findings)")->required();
    cmd->add_option("--note", args->note, "Why (kept with the mute)");
    cmd->fallthrough();
    const std::string target = state;
    cmd->callback([findings, args, exit_code, target] {
      args->config = findings->get_option("--config")->as<std::string>();
      *exit_code = SetStateCommand(*args, target);
    });
  }
}

}  // namespace ctwatch
