// RunHookProcess: runs a hook program (exec sink, heartbeat command) with posix_spawn in its own
// process group, extra environment variables, standard input read from a file, standard
// output and error sent to our standard error (hooks never corrupt machine-readable output),
// and a timeout after which the whole process group is killed.
// Thread-safety: safe from any thread (posix_spawn, no fork in a threaded process).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ctwatch {

struct HookProcess {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  std::string stdin_path;                                // empty: /dev/null
  int64_t timeout_ms = 30'000;
};

// OK when the program exits with status 0; otherwise an error naming the exit status, the
// signal, or the timeout.
Status RunHookProcess(const HookProcess& process);

}  // namespace ctwatch
