// Test helpers for the CT clients: a loopback HTTP server (cpp-httplib on 127.0.0.1) with
// per-path routes and hit counters, a throwaway P-256 log key that signs tree heads and
// checkpoints, and gzip compression.
// Thread-safety: routes are installed before requests are made; hit counters are locked.
#pragma once

#include <httplib.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/openssl_util.h"
#include "ctlog/checkpoint.h"
#include "ctlog/tree_head.h"

namespace ctwatch::testing {

class LoopbackServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  LoopbackServer() {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Handler handler;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++hits_[req.path];
        auto it = routes_.find(req.path);
        if (it != routes_.end()) handler = it->second;
      }
      if (handler) {
        handler(req, res);
      } else {
        res.status = 404;
      }
    });
    server_.set_tcp_nodelay(true);  // headers and body go out in two writes: no Nagle wait
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Route(const std::string& path, Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[path] = std::move(handler);
  }
  void Remove(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_.erase(path);
  }
  // Serves fixed bytes at `path`.
  void Serve(const std::string& path, std::string body,
             std::string content_type = "application/octet-stream",
             std::string content_encoding = "") {
    Route(path, [body = std::move(body), content_type, content_encoding](const httplib::Request&,
                                                                         httplib::Response& res) {
      if (!content_encoding.empty()) res.set_header("Content-Encoding", content_encoding);
      res.set_content(body, content_type);
    });
  }
  int Hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[path];
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, Handler> routes_;  // GUARDED_BY(mu_)
  std::map<std::string, int> hits_;        // GUARDED_BY(mu_)
};

// A P-256 log key for signing test tree heads.
class TestLogKey {
 public:
  TestLogKey() : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")) {
    spki_ = PublicKeyToDer(key_.get()).value();
  }
  const Bytes& spki() const { return spki_; }
  Sha256Hash log_id() const { return LogVerifier::FromSpki(spki_).value().log_id(); }

  // DigitallySigned { SHA-256 (4), ECDSA (3), opaque signature<0..2^16-1> }.
  Bytes Sign(ByteView message) const {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size());
    Bytes sig(len);
    EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size());
    sig.resize(len);
    Bytes out = {4, 3};
    AppendPrefixed(&out, sig, 2);
    return out;
  }

  std::string SthJson(uint64_t size, uint64_t ts, const Sha256Hash& root) const {
    const Bytes sig = Sign(TreeHeadSignatureInput(ts, size, root));
    return "{\"tree_size\":" + std::to_string(size) + ",\"timestamp\":" + std::to_string(ts) +
           ",\"sha256_root_hash\":\"" + Base64Encode(root) + "\",\"tree_head_signature\":\"" +
           Base64Encode(sig) + "\"}";
  }

  // A static-ct-api checkpoint with the log's RFC6962NoteSignature line.
  std::string Checkpoint(const std::string& origin, uint64_t size, uint64_t ts,
                         const Sha256Hash& root) const {
    Bytes blob;
    const auto key_id = CheckpointKeyId(origin, log_id());
    blob.insert(blob.end(), key_id.begin(), key_id.end());
    AppendUint(&blob, ts, 8);
    const Bytes sig = Sign(TreeHeadSignatureInput(ts, size, root));
    blob.insert(blob.end(), sig.begin(), sig.end());
    return origin + "\n" + std::to_string(size) + "\n" + Base64Encode(root) + "\n\n\xE2\x80\x94 " +
           origin + " " + Base64Encode(blob) + "\n";
  }

 private:
  EvpPkeyPtr key_;
  Bytes spki_;
};

inline std::string GzipCompress(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace ctwatch::testing
