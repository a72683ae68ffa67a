// AriFixture: an in-test ACME server (plain HTTP on 127.0.0.1, cpp-httplib) for what pebble
// 2.4.0 lacks: ACME Renewal Information (RFC 9773) and order profiles
// (draft-aaron-acme-profiles). It follows them byte for byte where the client can tell:
//   - directory "renewalInfo" and "meta": {"profiles": {name: description}};
//   - GET <renewalInfo>/<certID> (certID computed here independently with OpenSSL, RFC 9773
//     §4.1) → 200 {"suggestedWindow":{"start","end"}[,"explanationURL"]} with Retry-After,
//     404 for an unknown certID, or a forced error status;
//   - newOrder "profile" (unknown → 400 invalidProfile) and "replaces" (unknown certificate →
//     400 malformed, already replaced → 409 alreadyReplaced, §5), echoed in the order;
//   - the profile decides the certificate lifetime (classic 90 days, shortlived 6 days).
// Everything else is the smallest RFC 8555 server that fits the engine: nonces checked, the JWS
// "url" checked, authorizations valid from the start (no challenges), certificates signed by a
// throwaway P-256 CA with AKI, serials with the high bit set (so certIDs carry a leading 00).
// Thread-safety: the server runs on its own thread; the accessors lock.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctwatch::testing {

class AriFixture {
 public:
  struct Options {
    std::map<std::string, int64_t> profiles = {{"classic", 90LL * 86'400'000},
                                               {"shortlived", 6LL * 86'400'000}};
    int64_t default_validity_ms = 90LL * 86'400'000;  // orders without a profile
  };
  struct NewOrder {
    std::vector<std::string> names;
    std::string profile;
    std::string replaces;
    int status = 0;  // the HTTP status answered
  };

  static Result<std::unique_ptr<AriFixture>> Start(Options options);
  static Result<std::unique_ptr<AriFixture>> Start() { return Start(Options{}); }
  ~AriFixture();

  std::string directory_url() const;

  // The renewalInfo answer for `cert_id`: the window, the Retry-After (seconds; < 0: none) and
  // an explanationURL (empty: none). Without a call, issued certificates get the last third
  // of their lifetime up to three quarters, Retry-After 21600.
  void SetRenewalInfo(const std::string& cert_id, int64_t start_ms, int64_t end_ms,
                      int retry_after_s = 21600, const std::string& explanation_url = "");
  // Every renewalInfo request answers with this status (0: normal behaviour).
  void SetRenewalInfoStatus(int status);
  // The certificate counts as replaced already (a later `replaces` of it gets alreadyReplaced).
  void MarkReplaced(const std::string& cert_id);

  std::vector<NewOrder> new_orders() const;
  int renewal_info_requests() const;
  std::vector<std::string> issued_cert_ids() const;  // in issue order

  // RFC 9773 §4.1 certID of a certificate, computed with OpenSSL only.
  static std::string CertIdOf(X509* certificate);
  // The same from the raw AKI keyIdentifier and the serial's DER content octets.
  static std::string CertIdOf(const std::vector<uint8_t>& key_identifier,
                              const std::vector<uint8_t>& serial_content);

 private:
  struct Impl;
  explicit AriFixture(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ctwatch::testing
