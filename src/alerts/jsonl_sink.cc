// The JSON lines sink: one line per message (the webhook's JSON document) appended to a file,
// or written to standard output with path "-". Each line goes out in a single write() on an
// O_APPEND descriptor, so a killed process never leaves half a line behind a later one; with
// fsync = true the line is on disk before the message counts as delivered.
// Thread-safety: one sink per worker thread.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "alerts/render.h"
#include "alerts/sink.h"
#include "core/file.h"

namespace ctwatch {
namespace {

class JsonLinesSink final : public Sink {
 public:
  explicit JsonLinesSink(const SinkConfig& config) : config_(config) {}
  ~JsonLinesSink() override {
    if (fd_ > STDERR_FILENO) ::close(fd_);
  }
  JsonLinesSink(const JsonLinesSink&) = delete;
  JsonLinesSink& operator=(const JsonLinesSink&) = delete;

  Status Deliver(const OutgoingMessage& message) override {
    CTW_RETURN_IF_ERROR(Open());
    const std::string line = MessageJson(message, config_.certificate_link)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                             "\n";
    size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Failure("write");
      written += static_cast<size_t>(n);
    }
    if (config_.jsonl.fsync && fd_ > STDERR_FILENO && ::fdatasync(fd_) != 0)
      return Failure("fsync");
    return OkStatus();
  }

 private:
  Status Open() {
    struct stat st {};
    // A file moved away by log rotation and deleted: start a new one.
    if (fd_ > STDERR_FILENO && ::fstat(fd_, &st) == 0 && st.st_nlink == 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (fd_ >= 0) return OkStatus();
    if (config_.jsonl.path == "-") {
      fd_ = STDOUT_FILENO;
      return OkStatus();
    }
    const auto parent = std::filesystem::path(config_.jsonl.path).parent_path();
    if (!parent.empty()) CTW_RETURN_IF_ERROR(MakeDirs(parent.string(), 0755));
    fd_ = ::open(config_.jsonl.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) return Failure("open");
    return OkStatus();
  }

  Error Failure(const char* what) {
    const std::string message =
        std::string(what) + " " + config_.jsonl.path + ": " + std::strerror(errno);
    if (fd_ > STDERR_FILENO) ::close(fd_);
    fd_ = -1;  // reopen on the next attempt (the file may have been rotated or fixed)
    return MakeError(ErrorCode::kIo, message);
  }

  const SinkConfig config_;
  int fd_ = -1;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeJsonLinesSink(const SinkConfig& config) {
  if (config.jsonl.path.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "sink " + config.name + ": path is required");
  }
  return std::unique_ptr<Sink>(std::make_unique<JsonLinesSink>(config));
}

}  // namespace ctwatch
