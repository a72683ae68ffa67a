// `ctwatch run`: loads the config, opens the store, builds the matcher, starts the Monitor and
// handles signals (SIGINT/SIGTERM stop gracefully; SIGHUP reloads the policy). A pid file beside
// the database lets `ctwatch policy reload` send that SIGHUP and read the outcome
// (policy_run_file.h). Beside the monitor, the issuance verdicts (docs/issuance.md) are
// reconciled every few seconds and at once after a reload.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

#include "app/commands.h"
#include "app/ingest_commands.h"
#include "app/acme_runtime.h"
#include "app/config.h"
#include "app/issuance_wiring.h"
#include "app/policy_run_file.h"
#include "app/wiring.h"
#include "alerts/alert_service.h"
#include "core/log.h"
#include "monitor/monitor.h"

namespace ctwatch {

int RunCommand(const RunArgs& args) {
  Result<Config> config = LoadConfig(args.config);
  if (!config.has_value()) {
    std::fprintf(stderr, "ctwatch: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  InitLogging(config->log_level);
  Result<std::shared_ptr<const Matcher>> matcher = BuildMatcher(*config);
  if (!matcher.has_value()) {
    std::fprintf(stderr, "ctwatch: %s\n", matcher.error().message.c_str());
    return kExitUsage;
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({.path = config->database});
  if (!store.has_value()) {
    spdlog::error("{}", store.error().ToString());
    return kExitFailure;
  }
  MatcherHandle handle(std::move(matcher).value());
  // Issuance verdicts: the judge the tailers call, over the inventory and expectations.
  Result<std::unique_ptr<IssuanceRuntime>> issuance =
      IssuanceRuntime::Open(config->database, store->get(), SystemClock::Get());
  if (!issuance.has_value()) {
    spdlog::error("{}", issuance.error().ToString());
    return kExitFailure;
  }

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);  // our own wake-up of the signal thread at exit
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Written once SIGHUP is blocked: from now on `ctwatch policy reload` may signal us.
  Result<RunPidFile> pid_file = RunPidFile::Create(config->database, args.config);
  if (!pid_file.has_value()) spdlog::warn("{}", pid_file.error().ToString());

  Monitor monitor(MonitorOptions{.refresh_interval_ms = config->logs.refresh_interval_ms,
                                 .once = args.once,
                                 .issuance = (*issuance)->judge()},
                  MakeLogLoader(*config, args.once), MakeSourceFactoryMaker(*config),
                  store->get(), &handle);
  // Alert delivery runs beside the monitor on its own connection (threads start after the
  // signal mask, so they inherit it).
  Result<std::unique_ptr<AlertService>> alerts =
      AlertService::Create({.database = config->database,
                            .config = config->alerts,
                            .watch_domains = config->policy.domains,
                            .store = store->get()});
  if (!alerts.has_value()) {
    spdlog::error("{}", alerts.error().ToString());
    return kExitFailure;
  }
  (*alerts)->Start();
  // The ACME renewal scheduler (docs/acme.md) runs beside the monitor when certificates are
  // configured; its findings go to the same store.
  std::unique_ptr<AcmeRuntime> acme;
  if (config->acme.enabled() && !config->acme.certificates.empty()) {
    Result<std::unique_ptr<AcmeRuntime>> opened =
        AcmeRuntime::Open(*config, {.findings = store->get()});
    if (!opened.has_value()) {
      spdlog::error("{}", opened.error().ToString());
      (*alerts)->Stop();
      return kExitFailure;
    }
    acme = std::move(opened).value();
    if (!args.once) acme->scheduler()->Start();
  }
  // Reconciliation: expected_pending becomes expected once the engine (this process, or
  // `ctwatch acme issue`) stored the certificate, or foreign when its window closed; imports
  // and authorizations resolve earlier foreign findings. Every poll interval, at most 5 s.
  if (!args.once) {
    (*issuance)->Start(&handle, std::clamp<int64_t>(config->logs.tailing.poll_interval_ms,
                                                    1'000, 5'000));
  }
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        Result<std::string> reloaded = ReloadMatcher(args.config, &handle);
        if (reloaded.has_value()) (*issuance)->Wake(true);  // authorizations may have changed
        const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        (void)WriteReloadStatus(
            config->database,
            {.generation = static_cast<uint64_t>(now.count()),
             .ok = reloaded.has_value(),
             .message = reloaded.has_value() ? *reloaded : reloaded.error().message});
        continue;
      }
      if (sig == SIGUSR2) return;
      spdlog::info("signal {}: stopping", sig);
      monitor.Stop();
      return;
    }
  });
  Status result = monitor.Run();
  if (acme && args.once) {
    Result<PassReport> pass = acme->scheduler()->RunPass();  // one renewal pass
    if (!pass.has_value()) spdlog::error("acme: {}", pass.error().message);
  }
  if (acme) acme->scheduler()->Stop();  // lets the orders in flight finish
  (*issuance)->Stop();
  if (args.once) {
    // One reconciliation with everything this run stored (certificates, sightings).
    Result<ReconcileReport> reconciled = (*issuance)->reconciler()->Run(*handle.Get(), true);
    if (!reconciled.has_value()) {
      spdlog::error("issuance: {}", reconciled.error().ToString());
    } else {
      spdlog::info("issuance: {}", reconciled->Summary());
    }
  }
  if (args.once && !(*alerts)->Drain(30'000)) {
    spdlog::warn("alerts: some deliveries are still pending; the next run resumes them");
  }
  (*alerts)->Stop();
  pthread_kill(signal_thread.native_handle(), SIGUSR2);
  signal_thread.join();
  if (!result.has_value()) {
    spdlog::error("{}", result.error().message);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace ctwatch
