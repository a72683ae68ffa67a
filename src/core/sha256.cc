#include "core/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace ctwatch {
namespace {

const EVP_MD* FetchedSha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();  // OpenSSL without SHA-256 is a broken installation
  return md;
}

EVP_MD_CTX* ThreadContext() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

}  // namespace

Sha256Hash Sha256(std::initializer_list<ByteView> pieces) {
  EVP_MD_CTX* ctx = ThreadContext();
  Sha256Hash out;
  if (EVP_DigestInit_ex(ctx, FetchedSha256(), nullptr) != 1) std::abort();
  for (ByteView p : pieces) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, out.data(), nullptr);
  return out;
}

Sha256Hash Sha256(ByteView data) { return Sha256({data}); }

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  if (EVP_DigestInit_ex(impl_->ctx, FetchedSha256(), nullptr) != 1) std::abort();
}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(ByteView data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

Sha256Hash Sha256Hasher::Finish() {
  Sha256Hash out;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), nullptr);
  EVP_DigestInit_ex(impl_->ctx, FetchedSha256(), nullptr);
  return out;
}

}  // namespace ctwatch
