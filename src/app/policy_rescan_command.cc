// `ctwatch rescan --log L --from INDEX|--since DATE [--to INDEX]`: re-judges a range of a log
// under the current policy (monitor/rescanner.h), e.g. after adding a domain or a brand. Safe
// while `ctwatch run` tails the same database: the live position is not touched.
// Thread-safety: called from main only.
#include <cstdio>

#include "app/commands.h"
#include "app/config.h"
#include "app/issuance_wiring.h"
#include "app/policy_commands.h"
#include "monitor/rescanner.h"
#include "app/wiring.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {
namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "ctwatch: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace

int RescanCommand(const RescanArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) return Fail(config.error());
  InitLogging(config->log_level);
  Result<std::shared_ptr<const Matcher>> matcher = BuildMatcher(*config);
  if (!matcher.has_value()) return Fail(matcher.error());
  Result<std::vector<MonitoredLog>> logs = MakeLogLoader(*config, /*once=*/true)();
  if (!logs.has_value()) return Fail(logs.error());
  const MonitoredLog* log = nullptr;
  for (const MonitoredLog& l : *logs) {
    if (l.info.description == args.log || Base64Encode(l.info.log_id) == args.log) log = &l;
  }
  if (log == nullptr) {
    return Fail(MakeError(
        ErrorCode::kInvalidArgument,
        "rescan: no monitored log \"" + args.log + "\" (see `ctwatch logs` for the names)"));
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({.path = config->database});
  if (!store.has_value()) return Fail(store.error());
  // Owned certificates get their issuance verdict as the tailer gives it (docs/issuance.md).
  Result<std::unique_ptr<IssuanceRuntime>> issuance =
      IssuanceRuntime::Open(config->database, store->get(), SystemClock::Get());
  if (!issuance.has_value()) return Fail(issuance.error());
  TailingOptions tailing = log->options.tailing;
  tailing.parallel_fetches = args.parallel;
  Rescanner rescanner(log->info, tailing, store->get(), std::move(matcher).value(),
                      MakeSourceFactoryMaker(*config)(*log), (*issuance)->judge());
  uint64_t from = args.from.value_or(0);
  if (!args.since.empty()) {
    std::optional<int64_t> since = ParseTimeMs(args.since);
    if (!since.has_value()) {
      return Fail(MakeError(ErrorCode::kInvalidArgument, "rescan: --since \"" + args.since +
                                                             "\" is not a date or RFC 3339 time"));
    }
    Result<uint64_t> index = rescanner.IndexAtTime(*since);
    if (!index.has_value()) return Fail(index.error());
    from = *index;
    std::printf("%s: entries logged since %s start at index %llu\n", log->info.description.c_str(),
                FormatTimeMs(*since).c_str(), static_cast<unsigned long long>(from));
  }
  Result<RescanReport> report = rescanner.Run(from, args.to);
  if (!report.has_value()) return Fail(report.error());
  std::printf(
      "%s: re-read entries [%llu, %llu), verified against %s: %llu entries, %llu matched, "
      "%llu malformed, %zu new findings (the live position is unchanged)\n",
      log->info.description.c_str(), static_cast<unsigned long long>(report->start),
      static_cast<unsigned long long>(report->end), report->verified_against.c_str(),
      static_cast<unsigned long long>(report->entries),
      static_cast<unsigned long long>(report->matches),
      static_cast<unsigned long long>(report->malformed), report->new_findings);
  return kExitOk;
}

}  // namespace ctwatch
