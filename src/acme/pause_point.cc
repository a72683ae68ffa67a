#include "acme/pause_point.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/file.h"
#include "core/log.h"

namespace ctwatch {

void PausePoint(const char* step) {
  const char* at = std::getenv("CTWATCH_ACME_PAUSE_AT");
  if (at == nullptr || std::strcmp(at, step) != 0) return;
  spdlog::warn("CTWATCH_ACME_PAUSE_AT={}: pausing until killed", step);
  if (const char* file = std::getenv("CTWATCH_ACME_PAUSE_FILE")) {
    (void)WriteFileAtomic(file, step, 0644);
  }
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace ctwatch
