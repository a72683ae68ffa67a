// RunProgram: runs a hook program (DNS-01 exec hook, deploy hook) with posix_spawn, extra
// environment variables, a timeout and its own process group (so that a timeout kills the
// hook's children too). The child's stdout is sent to our stderr, so hooks never corrupt
// machine-readable output on stdout; stdin is /dev/null.
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
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) ours
  int64_t timeout_ms = 120'000;
};

// The exit status (0..255). Fails when the program cannot be started, is killed by a signal,
// or runs past the timeout (it is then killed with its process group).
Result<int> RunProgram(const ProgramRun& run);

// As RunProgram, and a non-zero exit status is an error naming `what`.
Status RunProgramOk(const ProgramRun& run, const std::string& what);

}  // namespace ctwatch
