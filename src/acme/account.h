// Account operations of RFC 8555 §7.3 over an AcmeClient: newAccount (create, or look up with
// onlyReturnExisting, §7.3.1), external account binding (§7.3.4), contact update (§7.3.2),
// deactivation (§7.3.6) and key rollover (§7.3.5). Persisting keys and account URLs is the
// engine's job (acme_engine.h); these functions only speak the protocol.
// Thread-safety: as the AcmeClient they are given (one thread at a time).
#pragma once

#include <string>
#include <vector>

#include "acme/acme_client.h"
#include "acme/jws.h"
#include "acme/resources.h"
#include "core/bytes.h"
#include "core/result.h"

namespace ctwatch {

struct NewAccountRequest {
  std::vector<std::string> contact;  // "mailto:..." URLs
  bool terms_of_service_agreed = true;
  bool only_return_existing = false;
  std::string eab_kid;  // with eab_hmac_key: externalAccountBinding
  Bytes eab_hmac_key;
};

struct AccountHandle {
  std::string url;  // the account URL ("kid")
  AcmeAccount account;
  bool created = false;  // 201 (new) rather than 200 (existing)
};

// newAccount signed by `signer` (jwk). On success the client is set to this account.
// onlyReturnExisting with no account fails with kNotFound (accountDoesNotExist).
Result<AccountHandle> NewAccount(AcmeClient* client, const JwsSigner& signer,
                                 const NewAccountRequest& request);
// POST-as-GET of the client's account.
Result<AcmeAccount> FetchAccount(AcmeClient* client);
Result<AcmeAccount> UpdateAccountContact(AcmeClient* client,
                                         const std::vector<std::string>& contact);
Result<AcmeAccount> DeactivateAccount(AcmeClient* client);
// keyChange: an inner JWS signed by `new_signer` (jwk, url, no nonce) over
// {"account": <url>, "oldKey": <old JWK>}, inside a JWS signed by the current key. On success the
// client signs with `new_signer` from then on (the signer must outlive the client's use).
Status RolloverAccountKey(AcmeClient* client, const JwsSigner& new_signer);

}  // namespace ctwatch
