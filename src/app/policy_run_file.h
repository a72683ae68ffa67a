// How `ctwatch policy reload` reaches a running `ctwatch run`: run writes "<database>.pid"
// (its pid and config path) when it starts and removes it when it stops; each SIGHUP reload
// writes its outcome to "<database>.reload" ("<generation> ok|error <message>"), which
// `policy reload` waits for after sending the signal.
// Thread-safety: RunPidFile is owned by run's main thread; the functions are safe anywhere.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace ctwatch {

std::string RunPidFilePath(const std::string& database);
std::string ReloadStatusPath(const std::string& database);

class RunPidFile {
 public:
  // Writes the pid file (replacing a stale one; warns about a live one).
  static Result<RunPidFile> Create(const std::string& database, const std::string& config_path);
  RunPidFile(RunPidFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  RunPidFile& operator=(RunPidFile&&) = delete;
  ~RunPidFile();  // removes the file if it still names this process

 private:
  explicit RunPidFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct RunningInstance {
  pid_t pid = 0;
  std::string config_path;  // as run was given it, made absolute
};
// The live `ctwatch run` on this database; kNotFound when none is running.
Result<RunningInstance> FindRunningInstance(const std::string& database);

struct ReloadStatus {
  uint64_t generation = 0;
  bool ok = false;
  std::string message;
};
Status WriteReloadStatus(const std::string& database, const ReloadStatus& status);
std::optional<ReloadStatus> ReadReloadStatus(const std::string& database);

}  // namespace ctwatch
