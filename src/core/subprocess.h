// RunProgram: runs a hook program (DNS-01 exec hook, deploy hook, alert exec sink, heartbeat
// command) with posix_spawn in its own process group, extra environment variables, standard
// input from a file (or /dev/null), standard output and error sent to our standard error (so
// hooks never corrupt machine-readable output on stdout), default signal dispositions, and a
// timeout after which the whole process group is killed.
// Thread-safety: safe from any thread (posix_spawn, no fork in a threaded process).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ctwatch {

struct ProgramRun {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  std::string stdin_path;                                // empty: /dev/null
  int64_t timeout_ms = 120'000;
};

// The exit status (0..255). Fails when the program cannot be started, is killed by a signal,
// or runs past the timeout (it is then killed with its process group).
Result<int> RunProgram(const ProgramRun& run);

// As RunProgram, and a non-zero exit status is an error naming `what`.
Status RunProgramOk(const ProgramRun& run, const std::string& what);

}  // namespace ctwatch
