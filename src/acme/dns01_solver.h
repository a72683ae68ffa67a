// DNS-01 (RFC 8555 §8.4) through an exec hook compatible with lego's `exec` provider:
//   <program> present _acme-challenge.<name>. <value>
//   <program> cleanup _acme-challenge.<name>. <value>
// where <value> is base64url(SHA-256(keyAuthorization)) and a wildcard uses its base name.
// A non-zero exit status fails the challenge. Once every record of an order is present, Settle
// waits the configured propagation time (RFC 2136 updates and propagation checks against the
// authoritative servers are Dns01Rfc2136Solver's, rfc2136_solver.h).
// Thread-safety: stateless apart from its configuration; safe from several threads (the hook
// itself must cope with concurrent runs for different names, as lego's does).
#pragma once

#include <string>

#include "acme/acme_config.h"
#include "acme/challenge_solver.h"

namespace ctwatch {

class Dns01ExecSolver final : public ChallengeSolver {
 public:
  explicit Dns01ExecSolver(Dns01Config config) : config_(std::move(config)) {}
  std::string_view type() const override { return "dns-01"; }
  Status Present(const ChallengeTask& task) override;
  Status Settle(const std::vector<ChallengeTask>& tasks) override;  // the configured propagation wait, once per order
  Status CleanUp(const ChallengeTask& task) override;

 private:
  Status Run(const char* action, const ChallengeTask& task);
  Dns01Config config_;
};

}  // namespace ctwatch
