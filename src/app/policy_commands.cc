// `ctwatch policy check|reload`, and the registration of the policy command group (with
// `rescan` and `audit exposure`, policy_rescan_command.cc and policy_audit_command.cc).
// Thread-safety: called from main only.
#include "app/policy_commands.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "app/config.h"
#include "app/policy_run_file.h"
#include "policy/policy_matcher.h"

namespace ctwatch {
namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

std::string Joined(const std::vector<std::string>& items, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max) out += ", … (" + std::to_string(items.size()) + " in all)";
  return out;
}

void ExplainName(const PolicyMatcher& policy, const std::string& name) {
  switch (policy.Classify(name)) {
    case NameClass::kOwned: {
      const std::vector<std::string> rules = policy.InternalRules(name);
      std::printf("%s: owned%s%s\n", name.c_str(),
                  rules.empty() ? "" : "; looks internal: ", Joined(rules).c_str());
      return;
    }
    case NameClass::kExcluded:
      std::printf("%s: excluded (below an owned domain, but not ours)\n", name.c_str());
      return;
    case NameClass::kHome:
      std::printf(
          "%s: not ours, but allowlisted or below one of our registrable domains (never a "
          "look-alike)\n",
          name.c_str());
      return;
    case NameClass::kForeign:
      break;
  }
  if (auto m = policy.Lookalike(name)) {
    std::printf("%s: lookalike [%s]: %s\n", name.c_str(), m->technique.c_str(),
                m->Detail(name).c_str());
  } else {
    std::printf("%s: not ours, not a look-alike%s\n", name.c_str(),
                policy.IsNonPublic(name) ? " (not a public name)" : "");
  }
}

}  // namespace

int PolicyCheckCommand(const PolicyCheckArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  Result<std::shared_ptr<const PolicyMatcher>> compiled = PolicyMatcher::Create(config->policy);
  if (!compiled.has_value()) return Fail(compiled.error());
  const PolicyMatcher& m = **compiled;
  const PolicyConfig& p = config->policy;
  std::vector<std::string> issuers;
  for (const AllowedIssuer& i : p.allowed_issuers) issuers.push_back(i.label);
  std::printf("%s: policy OK\n", args.config.c_str());
  std::printf("  owned: %zu domains, %zu exact names, %zu exclusions\n", p.domains.size(),
              p.names.size(), p.exclude.size());
  std::printf("  allowed issuers: %s\n",
              issuers.empty() ? "not checked (none configured)" : Joined(issuers).c_str());
  std::printf("  internal-name rules: %zu (built-in set %s, %zu patterns)\n", m.rule_count(),
              p.internal.builtin ? "on" : "off", p.internal.patterns.size());
  if (p.lookalike.enabled) {
    std::printf("  look-alikes: %zu brands, %zu allowlisted domains\n", m.brand_count(),
                p.lookalike.allow.size());
  } else {
    std::printf("  look-alikes: off\n");
  }
  for (const std::string& w : m.warnings()) std::printf("warning: %s\n", w.c_str());
  for (const std::string& n : args.names) ExplainName(m, n);
  return kExitOk;
}

int PolicyReloadCommand(const PolicyReloadArgs& args) {
  // Never signal a run with a policy it would refuse: check it here first.
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  Result<RunningInstance> running = FindRunningInstance(config->database);
  if (!running.has_value()) return Fail(running.error());
  std::error_code ec;
  const std::string mine = std::filesystem::absolute(args.config, ec).lexically_normal().string();
  if (!running->config_path.empty() && running->config_path != mine) {
    std::fprintf(stderr,
                 "ctwatch: note: the running ctwatch (pid %d) was started with %s and reloads "
                 "that file\n",
                 static_cast<int>(running->pid), running->config_path.c_str());
  }
  const std::optional<ReloadStatus> before = ReadReloadStatus(config->database);
  if (kill(running->pid, SIGHUP) != 0) {
    return Fail(MakeError(ErrorCode::kIo, "cannot signal pid " + std::to_string(running->pid)));
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    const std::optional<ReloadStatus> now = ReadReloadStatus(config->database);
    if (now.has_value() && (!before.has_value() || now->generation != before->generation)) {
      if (!now->ok) {
        std::fprintf(stderr, "ctwatch: pid %d kept its current policy: %s\n",
                     static_cast<int>(running->pid), now->message.c_str());
        return kExitFailure;
      }
      std::printf(
          "reloaded: pid %d now judges with the new policy (%s), from the next batch of "
          "every log\n",
          static_cast<int>(running->pid), now->message.c_str());
      return kExitOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "ctwatch: sent SIGHUP to pid %d but it did not confirm within %.0f s\n",
               static_cast<int>(running->pid), args.timeout_s);
  return kExitFailure;
}

void RegisterPolicyCommands(CLI::App* app, int* exit_code) {
  CLI::App* policy =
      app->add_subcommand("policy", "Check the policy, or make a running ctwatch reload it");
  policy->require_subcommand(1);

  auto check = std::make_shared<PolicyCheckArgs>();
  CLI::App* check_cmd = policy->add_subcommand(
      "check", "Validate the config's [policy] (errors name file, line and key) and summarise it");
  check_cmd->add_option("-c,--config", check->config, "Configuration file (TOML)")->required();
  check_cmd->add_option("--name", check->names, "Also show how the policy sees these names");
  check_cmd->callback([check, exit_code] { *exit_code = PolicyCheckCommand(*check); });

  auto reload = std::make_shared<PolicyReloadArgs>();
  CLI::App* reload_cmd = policy->add_subcommand(
      "reload", "Check the policy, then make the `ctwatch run` on the same database reload it");
  reload_cmd->add_option("-c,--config", reload->config, "Configuration file (TOML)")->required();
  reload_cmd->add_option("--timeout", reload->timeout_s, "Seconds to wait for confirmation")
      ->capture_default_str();
  reload_cmd->callback([reload, exit_code] { *exit_code = PolicyReloadCommand(*reload); });

  auto rescan = std::make_shared<RescanArgs>();
  CLI::App* rescan_cmd = app->add_subcommand(
      "rescan",
      "Re-read a range of a log under the current policy (the live position is untouched)");
  rescan_cmd->add_option("-c,--config", rescan->config, "Configuration file (TOML)")->required();
  rescan_cmd->add_option("--log", rescan->log, "Log description or base64 log id")->required();
  auto* from = rescan_cmd->add_option("--from", rescan->from, "First entry index");
  auto* since = rescan_cmd->add_option(
      "--since", rescan->since,
      "Or: from the first entry logged at or after this time (RFC 3339 or date)");
  from->excludes(since);
  rescan_cmd->add_option("--to", rescan->to,
                         "End entry index, exclusive (default: the log's position)");
  rescan_cmd->add_option("--parallel", rescan->parallel, "Ranges fetched in parallel")
      ->capture_default_str();
  rescan_cmd->callback([rescan, exit_code, from, since] {
    if (from->count() == 0 && since->count() == 0) {
      std::fprintf(stderr, "ctwatch: rescan: --from INDEX or --since DATE is required\n");
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = RescanCommand(*rescan);
  });

  CLI::App* audit = app->add_subcommand("audit", "Audits of what CT shows about you");
  audit->require_subcommand(1);
  auto exposure = std::make_shared<AuditArgs>();
  CLI::App* exposure_cmd = audit->add_subcommand(
      "exposure",
      "Every name under DOMAIN ever seen in CT: when, by whom, how many, internal-looking?");
  exposure_cmd->add_option("domain", exposure->domain, "The domain (all names at or below it)")
      ->required();
  exposure_cmd->add_option("-c,--config", exposure->config, "Configuration file (TOML)")
      ->required();
  auto* json = exposure_cmd->add_flag("--json", exposure->json, "One JSON object per line");
  auto* csv = exposure_cmd->add_flag("--csv", exposure->csv, "CSV with a header row");
  json->excludes(csv);
  exposure_cmd->callback([exposure, exit_code] { *exit_code = AuditExposureCommand(*exposure); });
}

}  // namespace ctwatch
