// CertificateFiles: the on-disk layout under [acme].storage, and FileLock.
//
//   accounts/<ca>/account.key                  account key (0600), never a certificate key
//   pending/<order-id>.key                     certificate key of an open order (0600)
//   archive/<name>/<n>/cert.pem chain.pem fullchain.pem privkey.pem   (dir 0700, key 0600)
//   live/<name> -> ../archive/<name>/<n>       symlink, replaced atomically (rename)
//   locks/<name>.lock                          flock: one process works on a lineage at a time
//
// A version directory is written completely under a temporary name and renamed into place,
// then live/<name> is swapped in one rename, so readers always see a matching certificate and
// key; every version stays in archive/ (history). Installing the same certificate twice (a
// resumed order) reuses its version directory.
// Thread-safety: CertificateFiles is immutable; concurrent Install calls for one lineage must be
// serialised by the caller (FileLock on LockPath does it across processes too).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/openssl_util.h"
#include "core/result.h"

namespace ctwatch {

// Lineage names become path components: [A-Za-z0-9._-], 1..64, not starting with '.'.
bool IsValidLineageName(std::string_view name);

struct CertificateFileSet {
  std::string cert_pem;   // the leaf
  std::string chain_pem;  // issuers, leaf-first order as served
  std::string private_key_pem;
};

class CertificateFiles {
 public:
  explicit CertificateFiles(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string AccountKeyPath(const std::string& ca) const;
  std::string PendingKeyPath(int64_t order_id) const;
  std::string LiveDir(const std::string& name) const;
  std::string ArchiveDir(const std::string& name) const;
  std::string LockPath(const std::string& name) const;

  // Writes a new version (or finds the one holding the same cert.pem) and points live/<name>
  // at it. Returns the version directory.
  Result<std::string> Install(const std::string& name, const CertificateFileSet& files) const;
  // The private key currently in live/<name>/privkey.pem (for key reuse).
  Result<EvpPkeyPtr> ReadLiveKey(const std::string& name) const;

 private:
  std::string root_;
};

// An exclusive flock on a file, released on destruction (and by the kernel if the process
// dies, so a killed process never leaves a stale lock).
class FileLock {
 public:
  // Waits up to timeout_ms (0 = try once); kFailedPrecondition when someone else holds it.
  static Result<FileLock> Acquire(const std::string& path, int64_t timeout_ms);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ctwatch
