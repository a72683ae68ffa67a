// AcmeConfig: the [acme] section of the configuration file as plain structs (read and
// validated by src/app/acme_config_reader.cc; documented in docs/acme.md). Paths are absolute
// once loaded (relative ones are resolved against the config file's directory).
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "acme/keys.h"

namespace ctwatch {

// Client-side rate limits of one CA (the rate-limit ledger, rate_limit_ledger.h). Defaults are
// Let's Encrypt's published limits (REFERENCE.md §7); 0 switches a limit off. ARI renewals
// (orders that send `replaces`) are exempt from all of them, as at Let's Encrypt.
struct RateLimits {
  int64_t orders_per_account = 300;             // new orders per account ...
  int64_t orders_window_ms = 3 * 3'600'000LL;   // ... per rolling 3 hours
  int64_t certificates_per_domain = 50;         // certificates per registered domain ...
  int64_t certificates_per_name_set = 5;        // ... and per exact set of names ...
  int64_t certificates_window_ms = 7 * 86'400'000LL;  // ... per rolling 7 days
  int64_t failed_validations_per_name = 5;      // failed validations per identifier ...
  int64_t failed_validations_window_ms = 3'600'000;   // ... per rolling hour
};

// One certificate authority. The list order is the order of preference (part of [acme]).
struct AcmeCaConfig {
  std::string name;           // short label used in the inventory and on the command line
  std::string directory_url;  // the ACME directory (RFC 8555 §7.1.1)
  std::string ca_file;        // PEM trust anchors for this CA's HTTPS (empty = system store)
  std::string eab_kid;        // external account binding (RFC 8555 §7.3.4), both or neither
  std::string eab_hmac_key;   // base64url MAC key as the CA hands it out
  std::string profile;        // default profile for orders, sent when the directory lists it
  std::string account_key;    // account key file; default <storage>/accounts/<name>/account.key
  std::vector<std::string> contact;  // overrides [acme].contact for this CA when non-empty
  std::string staging_directory_url;  // the CA's staging directory (`--staging`, `--dry-run`)
  RateLimits limits;
};

struct Http01Config {
  std::string listen_address = "127.0.0.1";  // standalone responder address
  int port = 80;                             // standalone responder port
  std::string webroot;                       // non-empty: write files here instead of serving
};

struct TlsAlpn01Config {
  std::string listen_address = "127.0.0.1";
  int port = 443;
};

// DNS-01 through RFC 2136 dynamic updates signed with TSIG (RFC 8945, HMAC-SHA256).
struct Rfc2136Config {
  std::string server;                 // "host:port" (port 53 when absent) accepting the updates
  std::string key_name;               // TSIG key name
  std::string key_algorithm = "hmac-sha256";
  std::string key_secret;             // base64; never logged
  std::string zone;                   // empty: found with an SOA query
  std::string resolver;               // "host:port" for SOA/CNAME/NS/A lookups; default: server
  int nameserver_port = 53;           // port the zone's authoritative servers answer on
  int64_t ttl_s = 60;                 // TTL of the TXT records
  int64_t timeout_ms = 5'000;         // per DNS exchange
  bool enabled() const { return !server.empty(); }
};

struct Dns01Config {
  // Program called like lego's exec provider: `<exec> present <fqdn.> <value>` and
  // `<exec> cleanup <fqdn.> <value>` (fqdn = _acme-challenge.<name>. with the trailing dot).
  std::string exec;
  int64_t propagation_wait_ms = 0;  // fixed wait after `present` before answering the CA
  int64_t timeout_ms = 120'000;     // per hook run
  Rfc2136Config rfc2136;            // used instead of `exec` when its server is set
  // RFC 2136 without a fixed wait: the zone's authoritative servers are asked until every one
  // serves the records, for at most propagation_timeout_ms.
  int64_t propagation_timeout_ms = 120'000;
  int64_t propagation_interval_ms = 1'000;
  bool enabled() const { return !exec.empty() || rfc2136.enabled(); }
};

// The renewal scheduler inside `ctwatch run` and batch issuance (renewal_scheduler.h).
struct RenewalConfig {
  int concurrency = 8;                       // orders in flight at once (scheduler, `acme issue`)
  int64_t check_interval_ms = 3'600'000;     // the scheduler looks at least this often
  int fallback_after_failures = 3;           // consecutive failures at a CA before the next one
  int finding_after_failures = 3;            // consecutive failures before `renewal_failed`
};

struct AcmeCertificateConfig {
  std::string name;                  // lineage name: live/<name>/, archive/<name>/
  std::vector<std::string> domains;  // DNS names, *.wildcards (dns-01 only) and IP addresses
  KeyType key_type = KeyType::kEcdsaP256;
  bool reuse_key = false;             // keep the private key across renewals
  std::string challenge = "http-01";  // http-01 | tls-alpn-01 | dns-01
  std::string deploy_hook;            // shell command run after each new certificate
  std::string profile;                // overrides the CA's profile
  std::string preferred_chain;        // issuer CN of the preferred (alternate) chain's top
  std::string ca;                     // only this CA (name) when set; otherwise the list order
};

struct AcmeConfig {
  std::vector<AcmeCaConfig> cas;
  std::vector<std::string> contact;  // "mailto:ops@example.com"
  KeyType account_key_type = KeyType::kEcdsaP256;
  std::string storage;  // accounts/, live/, archive/, pending/, locks/
  Http01Config http01;
  TlsAlpn01Config tls_alpn01;
  Dns01Config dns01;
  int64_t validation_timeout_ms = 300'000;  // waiting for authorizations
  int64_t issuance_timeout_ms = 300'000;    // waiting for the order after finalize
  std::vector<AcmeCertificateConfig> certificates;
  RenewalConfig renewal;

  bool enabled() const { return !cas.empty(); }
  const AcmeCaConfig* FindCa(const std::string& name) const {
    for (const AcmeCaConfig& ca : cas) {
      if (ca.name == name) return &ca;
    }
    return nullptr;
  }
  const AcmeCertificateConfig* FindCertificate(const std::string& name) const {
    for (const AcmeCertificateConfig& c : certificates) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

}  // namespace ctwatch
