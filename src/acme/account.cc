#include "acme/account.h"

#include <nlohmann/json.hpp>

namespace ctwatch {

Result<AccountHandle> NewAccount(AcmeClient* client, const JwsSigner& signer,
                                 const NewAccountRequest& request) {
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, client->Directory());
  nlohmann::json payload = nlohmann::json::object();
  if (request.only_return_existing) {
    payload["onlyReturnExisting"] = true;
  } else {
    payload["termsOfServiceAgreed"] = request.terms_of_service_agreed;
    if (!request.contact.empty()) payload["contact"] = request.contact;
    if (!request.eab_kid.empty()) {
      CTW_ASSIGN_OR_RETURN(payload["externalAccountBinding"],
                           SignExternalAccountBinding(request.eab_kid, request.eab_hmac_key,
                                                      dir.new_account, signer.jwk()));
    } else if (dir.external_account_required) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the CA requires external account binding: set eab_kid and eab_hmac_key");
    }
  }
  AcmeClient::PostOptions options;
  options.signer = &signer;
  options.embed_jwk = true;
  CTW_ASSIGN_OR_RETURN(AcmeResponse r,
                       client->PostOk("newAccount", dir.new_account, payload.dump(), options));
  if (r.location.empty() || !IsAcceptableUrl(r.location)) {
    return MakeError(ErrorCode::kParse, "newAccount: no account URL in Location");
  }
  AccountHandle handle;
  handle.url = r.location;
  handle.created = r.status == 201;
  Result<AcmeAccount> account = ParseAccount(r.body);
  if (!account.has_value()) return account.error().WithContext("newAccount");
  handle.account = *account;
  client->SetAccount(&signer, handle.url);
  return handle;
}

Result<AcmeAccount> FetchAccount(AcmeClient* client) {
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client->PostAsGet("account", client->account_url()));
  return ParseAccount(r.body);
}

Result<AcmeAccount> UpdateAccountContact(AcmeClient* client,
                                         const std::vector<std::string>& contact) {
  const nlohmann::json payload = {{"contact", contact}};
  CTW_ASSIGN_OR_RETURN(AcmeResponse r,
                       client->PostOk("account update", client->account_url(), payload.dump()));
  return ParseAccount(r.body);
}

Result<AcmeAccount> DeactivateAccount(AcmeClient* client) {
  const nlohmann::json payload = {{"status", "deactivated"}};
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client->PostOk("account deactivation", client->account_url(),
                                                      payload.dump()));
  return ParseAccount(r.body);
}

Status RolloverAccountKey(AcmeClient* client, const JwsSigner& new_signer) {
  const JwsSigner* old_signer = client->signer();
  if (old_signer == nullptr || client->account_url().empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "keyChange needs a registered account");
  }
  CTW_ASSIGN_OR_RETURN(AcmeDirectory dir, client->Directory());
  if (dir.key_change.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "the CA has no keyChange endpoint");
  }
  const nlohmann::json inner_payload = {{"account", client->account_url()},
                                        {"oldKey", old_signer->jwk()}};
  // RFC 8555 §7.3.5: the inner JWS has "jwk" (the new key) and "url", and no "nonce".
  CTW_ASSIGN_OR_RETURN(nlohmann::json inner,
                       SignJws(new_signer, JwsHeader{.url = dir.key_change}, inner_payload.dump()));
  CTW_ASSIGN_OR_RETURN(AcmeResponse r, client->PostOk("keyChange", dir.key_change, inner.dump()));
  (void)r;
  client->SetAccount(&new_signer, client->account_url());
  return OkStatus();
}

}  // namespace ctwatch
