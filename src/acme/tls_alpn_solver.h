// TLS-ALPN-01 (RFC 8737): a TLS server on a configurable address and port (default
// 127.0.0.1:443) that completes handshakes only for the ALPN protocol "acme-tls/1" and presents,
// for the SNI name being validated, a self-signed certificate whose only SAN is that name (or
// IP address, RFC 8738 §6: SNI is then the reverse-DNS name) and which carries the critical
// acmeIdentifier extension (1.3.6.1.5.5.7.1.31) holding SHA-256(keyAuthorization).
// The server thread polls its listening socket, so the destructor stops it within ~200 ms;
// connections are served one at a time with 5 s socket timeouts (validation handshakes are
// short and few). Non-ALPN or unknown-SNI handshakes are refused.
// Thread-safety: Present/CleanUp may be called from several order threads (map under a mutex).
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "acme/challenge_solver.h"
#include "core/openssl_util.h"

namespace ctwatch {

struct TlsAlpnCertificate {
  X509Ptr certificate;
  EvpPkeyPtr key;
};

// The RFC 8737 §3 validation certificate for one identifier.
Result<TlsAlpnCertificate> MakeTlsAlpnCertificate(const AcmeIdentifier& identifier,
                                                  std::string_view key_authorization);
// "1.0.0.127.in-addr.arpa" / "...ip6.arpa" (RFC 8738 §6), empty for non-IP input.
std::string ReverseDnsName(std::string_view ip);

class TlsAlpn01Solver final : public ChallengeSolver {
 public:
  TlsAlpn01Solver(std::string address, int port);
  ~TlsAlpn01Solver() override;
  TlsAlpn01Solver(const TlsAlpn01Solver&) = delete;
  TlsAlpn01Solver& operator=(const TlsAlpn01Solver&) = delete;

  std::string_view type() const override { return "tls-alpn-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;
  Status Start();

 private:
  static int SelectCertificate(SSL* ssl, void* self);
  void Serve();
  void HandleConnection(int fd);
  std::shared_ptr<TlsAlpnCertificate> Lookup(const std::string& sni);

  std::string address_;
  int port_;
  std::mutex mu_;
  // SNI name → certificate; GUARDED_BY(mu_). Entries are shared so that a handshake keeps its
  // certificate alive while CleanUp removes it.
  std::map<std::string, std::shared_ptr<TlsAlpnCertificate>> certificates_;
  SSL_CTX* ctx_ = nullptr;  // owned; created by Start
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ctwatch
