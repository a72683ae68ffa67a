// `ctwatch run`: loads the config, opens the store, builds the matcher, starts the Monitor and
// handles signals (SIGINT/SIGTERM stop gracefully; SIGHUP reloads the watch list).
#include <csignal>
#include <thread>

#include "app/commands.h"
#include "app/ingest_commands.h"
#include "app/config.h"
#include "app/wiring.h"
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

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);  // our own wake-up of the signal thread at exit
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Monitor monitor(MonitorOptions{.refresh_interval_ms = config->logs.refresh_interval_ms},
                  MakeLogLoader(*config, args.once), MakeSourceFactoryMaker(*config),
                  store->get(), &handle);
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        ReloadMatcher(args.config, &handle);
        continue;
      }
      if (sig == SIGUSR2) return;
      spdlog::info("signal {}: stopping", sig);
      monitor.Stop();
      return;
    }
  });
  Status result = monitor.Run();
  pthread_kill(signal_thread.native_handle(), SIGUSR2);
  signal_thread.join();
  if (!result.has_value()) {
    spdlog::error("{}", result.error().message);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace ctwatch
