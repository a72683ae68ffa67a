// Pause points for the crash-safety tests: the order flow calls PausePoint("<step>") right
// after it persisted the state of a step. When the environment variable CTWATCH_ACME_PAUSE_AT
// equals that step, the process writes the step name to the file named by
// CTWATCH_ACME_PAUSE_FILE and sleeps until it is killed (the test sends SIGKILL). Without the
// variable this is a getenv and a compare. Steps are listed in docs/acme.md.
// Thread-safety: safe from any thread.
#pragma once

namespace ctwatch {

void PausePoint(const char* step);

}  // namespace ctwatch
