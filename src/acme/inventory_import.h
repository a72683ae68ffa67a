// Inventory import (`ctwatch inventory import PATH...`): certificates obtained elsewhere join
// the owned-certificate inventory with the same identity, hashes, names, serial, AKI and
// validity as issued ones, so that the CT side treats them as ours. Accepted paths:
//   - a PEM file: the first certificate is the leaf, the others its chain (private keys and
//     other blocks are ignored; keys are never read);
//   - a certbot configuration directory (live/ and renewal/): every renewal/<name>.conf
//     (cert, chain and [renewalparams] server, which names the CA when it matches a configured
//     directory) and every live/<name>/cert.pem; or one live/<name> directory;
//   - a lego directory (.lego, with certificates/ and accounts/) or its certificates/ folder:
//     every <name>.crt (a bundle unless <name>.issuer.crt exists) with <name>.json; the CA is
//     the configured one whose host:port matches the single accounts/<host_port> folder.
// The lineage name is certbot's name or lego's file name; a newer certificate supersedes the
// older active one of the same lineage (and so a configured certificate of that name is renewed
// from it). Importing twice changes nothing (identity is unique).
// Thread-safety: uses the locked InventoryStore; call from one thread per path.
#pragma once

#include <string>
#include <vector>

#include "acme/acme_config.h"
#include "acme/inventory_store.h"

namespace ctwatch {

struct ImportedCertificate {
  std::string path;                  // the certificate file
  std::string layout;                // "pem", "certbot", "lego"
  std::string name;                  // lineage, may be empty
  bool known = false;                // already in the inventory (nothing changed)
  InventoryCertificate certificate;  // as recorded (id set)
  std::string error;                 // non-empty: this one failed
};

// Imports everything found at `path`. Fails only when the path is not usable at all; a bad
// certificate among several is reported in its ImportedCertificate::error.
Result<std::vector<ImportedCertificate>> ImportInventoryPath(InventoryStore* store,
                                                             const AcmeConfig& config,
                                                             const std::string& path,
                                                             int64_t now_ms);

}  // namespace ctwatch
