// ChallengeSolver: provisions and removes the response to one ACME challenge (RFC 8555 §8).
// Implementations: Http01StandaloneSolver and Http01WebrootSolver (§8.3), TlsAlpn01Solver
// (RFC 8737), Dns01ExecSolver (§8.4 through a lego-compatible exec hook) and Dns01Rfc2136Solver
// (§8.4 through RFC 2136 dynamic updates). Part of a crash-safe
// order: the engine records every presented challenge in SQLite before Present, so CleanUp may
// also be called after a restart for a challenge this process never presented.
// Thread-safety: implementations are safe to call from several order threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "acme/resources.h"
#include "core/result.h"

namespace ctwatch {

struct ChallengeTask {
  std::string type;           // "http-01", "tls-alpn-01", "dns-01"
  AcmeIdentifier identifier;  // as in the authorization (no "*."), "dns" or "ip"
  bool wildcard = false;
  std::string token;
  std::string key_authorization;  // token "." thumbprint
};

// DNS-01 record name and value (RFC 8555 §8.4): "_acme-challenge.<name>." and
// base64url(SHA-256(keyAuthorization)).
std::string Dns01RecordName(std::string_view name);
std::string Dns01RecordValue(std::string_view key_authorization);

class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  virtual std::string_view type() const = 0;
  // Makes the response available.
  virtual Status Present(const ChallengeTask& task) = 0;
  // Called once per order after every challenge of it was presented (`tasks`: this solver's
  // ones) and before the CA is asked to validate: the place to wait for DNS propagation.
  // Default: nothing to wait for.
  virtual Status Settle(const std::vector<ChallengeTask>& tasks) {
    (void)tasks;
    return OkStatus();
  }
  // Removes it. Idempotent: cleaning up what is not there succeeds.
  virtual Status CleanUp(const ChallengeTask& task) = 0;
};

}  // namespace ctwatch
