// The run pid file and reload status; see policy_run_file.h.
#include "app/policy_run_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <sstream>

#include "core/file.h"
#include "core/log.h"

namespace ctwatch {
namespace {

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// A live process that is a ctwatch (not a recycled pid).
bool IsLiveCtwatch(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  auto cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline", 1 << 16);
  if (!cmdline.has_value()) return true;  // no /proc: trust kill()
  return cmdline->find("ctwatch") != std::string::npos;
}

std::optional<RunningInstance> ParsePidFile(const std::string& text) {
  std::istringstream in(text);
  long pid = 0;
  std::string config;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  in >> std::ws;
  std::getline(in, config);
  return RunningInstance{.pid = static_cast<pid_t>(pid), .config_path = config};
}

}  // namespace

std::string RunPidFilePath(const std::string& database) { return database + ".pid"; }
std::string ReloadStatusPath(const std::string& database) { return database + ".reload"; }

Result<RunPidFile> RunPidFile::Create(const std::string& database, const std::string& config_path) {
  const std::string path = RunPidFilePath(database);
  if (auto old = ReadFile(path, 4096); old.has_value()) {
    if (auto other = ParsePidFile(*old);
        other && other->pid != getpid() && IsLiveCtwatch(other->pid)) {
      spdlog::warn(
          "another ctwatch run (pid {}) uses {}; `ctwatch policy reload` now signals this one",
          other->pid, database);
    }
  }
  CTW_RETURN_IF_ERROR(
      WriteFileAtomic(path, std::to_string(getpid()) + "\n" + AbsolutePath(config_path) + "\n"));
  return RunPidFile(path);
}

RunPidFile::~RunPidFile() {
  if (path_.empty()) return;
  auto text = ReadFile(path_, 4096);
  if (!text.has_value()) return;
  if (auto mine = ParsePidFile(*text); mine && mine->pid == getpid())
    std::filesystem::remove(path_);
}

Result<RunningInstance> FindRunningInstance(const std::string& database) {
  const std::string path = RunPidFilePath(database);
  auto text = ReadFile(path, 4096);
  if (!text.has_value()) {
    return MakeError(ErrorCode::kNotFound,
                     "no `ctwatch run` is running on " + database + " (no " + path + ")");
  }
  std::optional<RunningInstance> running = ParsePidFile(*text);
  if (!running.has_value()) return MakeError(ErrorCode::kParse, path + ": not a ctwatch pid file");
  if (!IsLiveCtwatch(running->pid)) {
    return MakeError(ErrorCode::kNotFound, "no `ctwatch run` is running on " + database + " (" +
                                               path + " names pid " + std::to_string(running->pid) +
                                               ", which is gone)");
  }
  return *running;
}

Status WriteReloadStatus(const std::string& database, const ReloadStatus& status) {
  std::string message = status.message;
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return WriteFileAtomic(
      ReloadStatusPath(database),
      std::to_string(status.generation) + (status.ok ? " ok " : " error ") + message + "\n");
}

std::optional<ReloadStatus> ReadReloadStatus(const std::string& database) {
  auto text = ReadFile(ReloadStatusPath(database), 1 << 16);
  if (!text.has_value()) return std::nullopt;
  std::istringstream in(*text);
  ReloadStatus s;
  std::string word;
  if (!(in >> s.generation >> word)) return std::nullopt;
  s.ok = word == "ok";
  in >> std::ws;
  std::getline(in, s.message);
  return s;
}

}  // namespace ctwatch
