#include "acme/ca_set.h"

#include "cert/facts.h"
#include "core/log.h"

namespace ctwatch {

std::vector<const AcmeCaConfig*> CandidateCas(const AcmeConfig& config,
                                              const AcmeCertificateConfig& cert) {
  std::vector<const AcmeCaConfig*> out;
  if (!cert.ca.empty()) {
    if (const AcmeCaConfig* ca = config.FindCa(cert.ca)) out.push_back(ca);
    return out;
  }
  for (const AcmeCaConfig& ca : config.cas) out.push_back(&ca);
  return out;
}

bool IsFallbackError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
    case ErrorCode::kRateLimited:
    case ErrorCode::kFailedPrecondition:  // e.g. the account there is deactivated
      return true;
    case ErrorCode::kHttpStatus:
      return error.message.find("HTTP 5") != std::string::npos;
    default:
      return false;
  }
}

Result<IssueResult> IssueWithFallback(AcmeEngine* engine, const AcmeCertificateConfig& cert,
                                      const IssueOptions& options, size_t start,
                                      std::vector<FallbackAttempt>* attempts) {
  std::vector<const AcmeCaConfig*> cas;
  if (!options.ca.empty()) {
    CTW_ASSIGN_OR_RETURN(const AcmeCaConfig* ca, engine->CaFor(cert, options.ca));
    cas.push_back(ca);
  } else {
    cas = CandidateCas(engine->config(), cert);
  }
  if (cas.empty()) return MakeError(ErrorCode::kInvalidArgument, "no CA for " + cert.name);
  // The CA of the certificate being replaced: only it may be sent `replaces`.
  std::string replaced_ca;
  if (options.replaces_id.has_value()) {
    Result<std::optional<InventoryCertificate>> old =
        engine->inventory()->GetCertificate(*options.replaces_id);
    if (old.has_value() && old->has_value()) replaced_ca = (*old)->ca;
  }
  Error last = MakeError(ErrorCode::kInternal, "no CA tried");
  for (size_t i = 0; i < cas.size(); ++i) {
    const AcmeCaConfig* ca = cas[(start + i) % cas.size()];
    IssueOptions o = options;
    o.ca = ca->name;
    if (ca->name != replaced_ca) o.replaces.clear();
    Result<IssueResult> r = engine->Issue(cert, o);
    if (r.has_value()) {
      if (attempts != nullptr) attempts->push_back({ca->name, ""});
      return r;
    }
    if (attempts != nullptr) attempts->push_back({ca->name, r.error().message});
    last = r.error().WithContext("CA " + ca->name);
    if (!IsFallbackError(r.error())) return last;
    if (i + 1 < cas.size()) {
      spdlog::warn("{}: CA {} failed ({}); trying CA {}", cert.name, ca->name, r.error().message,
                   cas[(start + i + 1) % cas.size()]->name);
    }
  }
  return last;
}

Status RecordChainIssuer(InventoryStore* store, const std::string& ca,
                         const std::string& chain_pem) {
  if (chain_pem.empty() || ca.empty()) return OkStatus();
  CTW_ASSIGN_OR_RETURN(std::vector<Bytes> chain, PemCertificatesToDer(chain_pem));
  if (chain.empty()) return OkStatus();
  CTW_ASSIGN_OR_RETURN(CertFacts issuer, FactsFromCertificate(chain[0]));
  return store->RecordIssuer(ca, issuer.spki_sha256, issuer.subject_dn);
}

Result<std::vector<ExpectedIssuer>> ExpectedIssuers(const AcmeConfig& config,
                                                    InventoryStore* store) {
  std::vector<ExpectedIssuer> out;
  for (const AcmeCaConfig& ca : config.cas) out.push_back({ca.name, ca.directory_url, {}});
  CTW_ASSIGN_OR_RETURN(std::vector<IssuerRecord> keys, store->ListIssuers());
  for (IssuerRecord& key : keys) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const ExpectedIssuer& e) { return e.ca == key.ca; });
    if (it == out.end()) it = out.insert(out.end(), ExpectedIssuer{key.ca, "", {}});
    it->keys.push_back(std::move(key));
  }
  return out;
}

}  // namespace ctwatch
