// Several CAs (docs/acme.md, "Several CAs"): [[acme.ca]] is an ordered list of preference. A
// certificate pinned to one CA (`ca = "..."`) uses only that one; the others may use every
// configured CA. IssueWithFallback tries them in order from a starting point and moves to the
// next on an outage (network errors, timeouts, 5xx), on rate limiting (the CA's 429/503 or the
// ledger's refusal) and on a CA that cannot be used (account refused); the scheduler moves the
// starting point on after repeated failures at one CA. `replaces` (ARI) is sent only to the CA
// that issued the certificate being replaced.
// The expected issuers are every configured CA with the issuer keys learned from the chains of
// certificates obtained from (or imported for) it: what the CT side joins against.
// Thread-safety: IssueWithFallback is as thread-safe as AcmeEngine::Issue (different lineages
// from different threads); the rest are pure or use the locked InventoryStore.
#pragma once

#include <string>
#include <vector>

#include "acme/acme_engine.h"

namespace ctwatch {

// The CAs a certificate may be issued by, in order of preference.
std::vector<const AcmeCaConfig*> CandidateCas(const AcmeConfig& config,
                                              const AcmeCertificateConfig& cert);

// Errors after which the next CA is tried.
bool IsFallbackError(const Error& error);

struct FallbackAttempt {
  std::string ca;
  std::string error;  // empty for the attempt that succeeded
};

// Issues at the candidate CAs starting with candidates[start % n] and wrapping around, until
// one succeeds or an error is not a fallback error. `attempts` (optional) lists what was tried.
// options.ca, when set, pins the CA (no fallback).
Result<IssueResult> IssueWithFallback(AcmeEngine* engine, const AcmeCertificateConfig& cert,
                                      const IssueOptions& options, size_t start = 0,
                                      std::vector<FallbackAttempt>* attempts = nullptr);

// Records the first certificate of `chain_pem` (the issuer) as an issuer key of `ca`.
Status RecordChainIssuer(InventoryStore* store, const std::string& ca,
                         const std::string& chain_pem);

struct ExpectedIssuer {
  std::string ca;
  std::string directory_url;
  std::vector<IssuerRecord> keys;  // learned so far; may be empty for a CA not used yet
};

// Every configured CA (in order), plus CAs known only from the inventory (imports, CAs removed
// from the config), with their issuer SPKI hashes.
Result<std::vector<ExpectedIssuer>> ExpectedIssuers(const AcmeConfig& config,
                                                    InventoryStore* store);

}  // namespace ctwatch
