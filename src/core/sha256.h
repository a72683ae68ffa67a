// SHA-256 through OpenSSL's EVP interface, with the digest fetched once per process.
// Thread-safety: every function is safe to call from any thread (per-thread contexts).
#pragma once

#include <initializer_list>
#include <memory>

#include "core/bytes.h"

namespace ctwatch {

Sha256Hash Sha256(ByteView data);
// SHA-256 over the concatenation of several pieces, without copying them together.
Sha256Hash Sha256(std::initializer_list<ByteView> pieces);

// Incremental hashing for large or scattered inputs.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(ByteView data);
  Sha256Hash Finish();  // the hasher is reset and can be reused

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ctwatch
