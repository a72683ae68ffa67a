// RunProgram; see subprocess.h. Thread-safety: safe from any thread.
#include "core/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "core/clock.h"

extern char** environ;

namespace ctwatch {
namespace {

struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<int> RunProgram(const ProgramRun& process) {
  if (process.argv.empty() || process.argv[0].empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no program to run");
  }
  const std::string& name = process.argv[0];
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : process.env) env[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = process.argv;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  SpawnSetup setup;
  const std::string input = process.stdin_path.empty() ? "/dev/null" : process.stdin_path;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, STDERR_FILENO, STDOUT_FILENO);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  // The child starts with default dispositions and nothing blocked, whatever our threads do
  // (ctwatch run blocks its signals for sigwait).
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  sigset_t no_mask;
  sigemptyset(&no_mask);
  posix_spawnattr_setsigmask(&setup.attr, &no_mask);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  if (rc != 0) return MakeError(ErrorCode::kIo, "cannot run " + name + ": " + std::strerror(rc));

  const int64_t deadline = MonotonicMs() + process.timeout_ms;
  int64_t pause_ms = 1;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return MakeError(ErrorCode::kIo,
                       name + " was killed by signal " + std::to_string(WTERMSIG(status)));
    }
    if (done < 0 && errno != EINTR) {
      return MakeError(ErrorCode::kIo, "waitpid " + name + ": " + std::strerror(errno));
    }
    if (MonotonicMs() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return MakeError(ErrorCode::kTimeout, name + " did not finish within " +
                                                std::to_string(process.timeout_ms) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 20);
  }
}

Status RunProgramOk(const ProgramRun& run, const std::string& what) {
  CTW_ASSIGN_OR_RETURN(int status, RunProgram(run));
  if (status != 0) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     what + " exited with status " + std::to_string(status));
  }
  return OkStatus();
}

}  // namespace ctwatch
