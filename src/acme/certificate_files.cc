#include "acme/certificate_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "acme/keys.h"
#include "core/clock.h"
#include "core/file.h"

namespace ctwatch {
namespace {

namespace fs = std::filesystem;

Error FsError(const std::string& what, const std::error_code& ec) {
  return MakeError(ErrorCode::kIo, what + ": " + ec.message());
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + dir + ": " + std::strerror(errno));
  ::fsync(fd);
  ::close(fd);
  return OkStatus();
}

// Numeric version directories of a lineage's archive.
std::vector<int64_t> Versions(const std::string& archive) {
  std::vector<int64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(archive, ec)) {
    const std::string n = entry.path().filename().string();
    if (n.empty() || n.size() > 9 || !std::all_of(n.begin(), n.end(), ::isdigit)) continue;
    out.push_back(std::stoll(n));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool IsValidLineageName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string CertificateFiles::AccountKeyPath(const std::string& ca) const {
  return (fs::path(root_) / "accounts" / ca / "account.key").string();
}

std::string CertificateFiles::PendingKeyPath(int64_t order_id) const {
  return (fs::path(root_) / "pending" / (std::to_string(order_id) + ".key")).string();
}

std::string CertificateFiles::LiveDir(const std::string& name) const {
  return (fs::path(root_) / "live" / name).string();
}

std::string CertificateFiles::ArchiveDir(const std::string& name) const {
  return (fs::path(root_) / "archive" / name).string();
}

std::string CertificateFiles::LockPath(const std::string& name) const {
  return (fs::path(root_) / "locks" / (name + ".lock")).string();
}

Result<std::string> CertificateFiles::Install(const std::string& name,
                                              const CertificateFileSet& files) const {
  if (!IsValidLineageName(name)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad certificate name \"" + name + "\"");
  }
  const std::string archive = ArchiveDir(name);
  const std::string live_parent = (fs::path(root_) / "live").string();
  CTW_RETURN_IF_ERROR(MakeDirs(archive, 0700));
  CTW_RETURN_IF_ERROR(MakeDirs(live_parent, 0755));

  // Leftovers of an interrupted install.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(archive, ec)) {
    if (entry.path().extension() == ".partial") fs::remove_all(entry.path(), ec);
  }

  int64_t version = 0;
  const std::vector<int64_t> versions = Versions(archive);
  for (int64_t v : versions) {
    auto existing =
        ReadFile((fs::path(archive) / std::to_string(v) / "cert.pem").string(), 1u << 20);
    if (existing.has_value() && *existing == files.cert_pem) version = v;
  }
  if (version == 0) {
    version = versions.empty() ? 1 : versions.back() + 1;
    const std::string partial =
        (fs::path(archive) / (std::to_string(version) + ".partial")).string();
    CTW_RETURN_IF_ERROR(MakeDirs(partial, 0700));
    CTW_RETURN_IF_ERROR(WriteFileAtomic(partial + "/privkey.pem", files.private_key_pem, 0600));
    CTW_RETURN_IF_ERROR(WriteFileAtomic(partial + "/cert.pem", files.cert_pem, 0644));
    CTW_RETURN_IF_ERROR(WriteFileAtomic(partial + "/chain.pem", files.chain_pem, 0644));
    CTW_RETURN_IF_ERROR(
        WriteFileAtomic(partial + "/fullchain.pem", files.cert_pem + files.chain_pem, 0644));
    fs::rename(partial, fs::path(archive) / std::to_string(version), ec);
    if (ec) return FsError("cannot rename " + partial, ec);
    CTW_RETURN_IF_ERROR(SyncDirectory(archive));
  }
  const std::string version_dir = (fs::path(archive) / std::to_string(version)).string();

  // live/<name> -> ../archive/<name>/<n>, swapped with one rename.
  const fs::path live = LiveDir(name);
  if (fs::exists(fs::symlink_status(live)) && !fs::is_symlink(fs::symlink_status(live))) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     live.string() + " exists and is not a symlink managed by ctwatch");
  }
  const fs::path tmp = fs::path(live_parent) / ("." + name + ".tmp");
  fs::remove(tmp, ec);
  fs::create_directory_symlink(fs::path("..") / "archive" / name / std::to_string(version), tmp,
                               ec);
  if (ec) return FsError("cannot create symlink " + tmp.string(), ec);
  fs::rename(tmp, live, ec);
  if (ec) return FsError("cannot replace " + live.string(), ec);
  CTW_RETURN_IF_ERROR(SyncDirectory(live_parent));
  return version_dir;
}

Result<EvpPkeyPtr> CertificateFiles::ReadLiveKey(const std::string& name) const {
  return ReadPrivateKeyFile((fs::path(LiveDir(name)) / "privkey.pem").string());
}

Result<FileLock> FileLock::Acquire(const std::string& path, int64_t timeout_ms) {
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty()) CTW_RETURN_IF_ERROR(MakeDirs(parent.string(), 0700));
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  const int64_t deadline = MonotonicMs() + timeout_ms;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return MakeError(ErrorCode::kIo, "cannot lock " + path + ": " + why);
    }
    if (MonotonicMs() >= deadline) {
      ::close(fd);
      return MakeError(ErrorCode::kFailedPrecondition,
                       path + " is locked by another ctwatch process working on this certificate");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace ctwatch
