#include "app/acme_config_reader.h"

#include <set>

#include "acme/certificate_files.h"
#include "acme/dns_transport.h"
#include "acme/resources.h"
#include "acme/tsig.h"
#include "core/encoding.h"
#include "core/file.h"

namespace ctwatch {
namespace {

Status ReadKeyType(TableReader& r, std::string_view key, KeyType* out) {
  std::string text;
  CTW_RETURN_IF_ERROR(r.String(key, &text));
  if (text.empty()) return OkStatus();
  std::optional<KeyType> type = ParseKeyType(text);
  if (!type.has_value()) {
    return r.ErrorAt(*r.Get(key), key, "expected ec256, ec384, rsa2048, rsa3072 or rsa4096");
  }
  *out = *type;
  return OkStatus();
}

// "ops@example.com" and "mailto:ops@example.com" both become the mailto URL.
Status ReadContact(TableReader& r, std::vector<std::string>* out) {
  std::vector<std::string> contact;
  CTW_RETURN_IF_ERROR(r.StringList("contact", &contact));
  out->clear();
  for (std::string c : contact) {
    if (c.rfind("mailto:", 0) != 0) c = "mailto:" + c;
    if (c.size() <= 7 || c.find('@') == std::string::npos ||
        c.find_first_of(" ,<>") != std::string::npos) {
      return r.ErrorAt(*r.Get("contact"), "contact", "\"" + c + "\" is not an e-mail address");
    }
    out->push_back(c);
  }
  return OkStatus();
}

Status ReadPort(TableReader& r, int* port) {
  int64_t p = *port;
  CTW_RETURN_IF_ERROR(r.Int("port", 1, 65535, &p));
  *port = static_cast<int>(p);
  return OkStatus();
}

// http://127.0.0.1[:port]/..., http://localhost[:port]/..., http://[::1][:port]/...
bool IsLoopbackUrl(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  std::string_view host = rest;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// [acme.ca.limits]: the ledger's limits for this CA (0 switches one off).
Status ReadLimits(const toml::table& table, const std::string& file, RateLimits* limits) {
  TableReader l(table, file, "acme.ca.limits.");
  constexpr int64_t kMax = 1'000'000'000;
  CTW_RETURN_IF_ERROR(l.Int("orders_per_account", 0, kMax, &limits->orders_per_account));
  CTW_RETURN_IF_ERROR(l.Duration("orders_window", 1'000, &limits->orders_window_ms));
  CTW_RETURN_IF_ERROR(l.Int("certificates_per_domain", 0, kMax, &limits->certificates_per_domain));
  CTW_RETURN_IF_ERROR(
      l.Int("certificates_per_name_set", 0, kMax, &limits->certificates_per_name_set));
  CTW_RETURN_IF_ERROR(l.Duration("certificates_window", 1'000, &limits->certificates_window_ms));
  CTW_RETURN_IF_ERROR(
      l.Int("failed_validations_per_name", 0, kMax, &limits->failed_validations_per_name));
  CTW_RETURN_IF_ERROR(
      l.Duration("failed_validations_window", 1'000, &limits->failed_validations_window_ms));
  return l.CheckNoUnknownKeys();
}

// [acme.dns01.rfc2136]: server, TSIG key (inline or from a BIND key file), zone, resolver.
Status ReadRfc2136(const toml::table& table, const std::string& file, const std::string& dir,
                   Rfc2136Config* out) {
  TableReader r(table, file, "acme.dns01.rfc2136.");
  CTW_RETURN_IF_ERROR(r.String("server", &out->server));
  if (out->server.empty() || !ParseDnsServer(out->server).has_value()) {
    const toml::node* n = r.Get("server");
    return r.ErrorAt(n != nullptr ? static_cast<const toml::node&>(*n) : table, "server",
                     "required: the primary name server as host[:port]");
  }
  CTW_RETURN_IF_ERROR(r.String("resolver", &out->resolver));
  if (!out->resolver.empty() && !ParseDnsServer(out->resolver).has_value()) {
    return r.ErrorAt(*r.Get("resolver"), "resolver", "expected host[:port]");
  }
  CTW_RETURN_IF_ERROR(r.String("zone", &out->zone));
  CTW_RETURN_IF_ERROR(r.String("key_name", &out->key_name));
  CTW_RETURN_IF_ERROR(r.String("key_algorithm", &out->key_algorithm));
  CTW_RETURN_IF_ERROR(r.String("key_secret", &out->key_secret));
  std::string key_file;
  CTW_RETURN_IF_ERROR(r.Path("key_file", dir, &key_file));
  if (!key_file.empty()) {
    if (!out->key_secret.empty()) {
      return r.ErrorAt(*r.Get("key_file"), "key_file", "give key_file or key_secret, not both");
    }
    Result<std::string> text = ReadFile(key_file, 64u << 10);
    if (!text.has_value()) return r.ErrorAt(*r.Get("key_file"), "key_file", text.error().message);
    Result<TsigKey> key = ParseBindKeyFile(*text, out->key_name);
    if (!key.has_value()) return r.ErrorAt(*r.Get("key_file"), "key_file", key.error().message);
    out->key_name = key->name;
    out->key_algorithm = key->algorithm;
    out->key_secret = Base64Encode(key->secret);
  }
  // Checked here so that a bad key is a configuration error (the message never shows it).
  Result<TsigKey> key = MakeTsigKey(out->key_name, out->key_algorithm, out->key_secret);
  if (!key.has_value()) return r.ErrorAt(table, "key_secret", key.error().message);
  int64_t port = out->nameserver_port;
  CTW_RETURN_IF_ERROR(r.Int("nameserver_port", 1, 65535, &port));
  out->nameserver_port = static_cast<int>(port);
  CTW_RETURN_IF_ERROR(r.Int("ttl", 1, 86'400, &out->ttl_s));
  CTW_RETURN_IF_ERROR(r.Duration("timeout", 100, &out->timeout_ms));
  return r.CheckNoUnknownKeys();
}

Status ReadCa(const toml::node& item, const std::string& file, const std::string& dir,
              AcmeCaConfig* ca) {
  if (!item.is_table())
    return MakeError(ErrorCode::kInvalidArgument, file + ": acme.ca: expected [[acme.ca]] tables");
  TableReader c(*item.as_table(), file, "acme.ca.");
  CTW_RETURN_IF_ERROR(c.String("name", &ca->name));
  if (!IsValidLineageName(ca->name)) {
    return c.ErrorAt(item, "name", "required: a short name ([A-Za-z0-9._-])");
  }
  CTW_RETURN_IF_ERROR(c.String("directory", &ca->directory_url));
  if (!IsAcceptableUrl(ca->directory_url)) {
    return c.ErrorAt(item, "directory", "required: the CA's ACME directory URL (https://...)");
  }
  // RFC 8555 §6.1: ACME runs over HTTPS; plain HTTP only to a CA on this machine.
  if (ca->directory_url.rfind("http://", 0) == 0 && !IsLoopbackUrl(ca->directory_url)) {
    return c.ErrorAt(*c.Get("directory"), "directory", "must be https:// (http only on loopback)");
  }
  CTW_RETURN_IF_ERROR(c.Path("ca_file", dir, &ca->ca_file));
  CTW_RETURN_IF_ERROR(c.String("eab_kid", &ca->eab_kid));
  CTW_RETURN_IF_ERROR(c.String("eab_hmac_key", &ca->eab_hmac_key));
  if (ca->eab_kid.empty() != ca->eab_hmac_key.empty()) {
    return c.ErrorAt(item, "eab_kid", "eab_kid and eab_hmac_key go together");
  }
  CTW_RETURN_IF_ERROR(c.String("profile", &ca->profile));
  CTW_RETURN_IF_ERROR(c.Path("account_key", dir, &ca->account_key));
  CTW_RETURN_IF_ERROR(ReadContact(c, &ca->contact));
  CTW_RETURN_IF_ERROR(c.String("staging_directory", &ca->staging_directory_url));
  if (!ca->staging_directory_url.empty()) {
    if (!IsAcceptableUrl(ca->staging_directory_url) ||
        (ca->staging_directory_url.rfind("http://", 0) == 0 &&
         !IsLoopbackUrl(ca->staging_directory_url))) {
      return c.ErrorAt(*c.Get("staging_directory"), "staging_directory",
                       "expected the CA's staging ACME directory URL (https://...)");
    }
  }
  Status status;
  if (const toml::table* t = c.Table("limits", &status)) {
    CTW_RETURN_IF_ERROR(ReadLimits(*t, file, &ca->limits));
  }
  CTW_RETURN_IF_ERROR(status);
  return c.CheckNoUnknownKeys();
}

Status ReadCertificate(const toml::node& item, const std::string& file, const AcmeConfig& acme,
                       AcmeCertificateConfig* cert) {
  if (!item.is_table()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     file + ": acme.certificate: expected [[acme.certificate]] tables");
  }
  TableReader c(*item.as_table(), file, "acme.certificate.");
  CTW_RETURN_IF_ERROR(c.String("name", &cert->name));
  if (!IsValidLineageName(cert->name)) {
    return c.ErrorAt(item, "name",
                     "required: a file-name-safe name ([A-Za-z0-9._-], used for live/<name>/)");
  }
  CTW_RETURN_IF_ERROR(c.StringList("domains", &cert->domains));
  Result<std::vector<AcmeIdentifier>> ids = IdentifiersForNames(cert->domains);
  if (!ids.has_value()) {
    const toml::node* n = c.Get("domains");
    return c.ErrorAt(n != nullptr ? *n : item, "domains",
                     cert->domains.empty() ? std::string("required: the names of the certificate")
                                           : ids.error().message);
  }
  CTW_RETURN_IF_ERROR(ReadKeyType(c, "key_type", &cert->key_type));
  CTW_RETURN_IF_ERROR(c.Bool("reuse_key", &cert->reuse_key));
  CTW_RETURN_IF_ERROR(c.String("challenge", &cert->challenge));
  if (cert->challenge != "http-01" && cert->challenge != "tls-alpn-01" &&
      cert->challenge != "dns-01") {
    return c.ErrorAt(*c.Get("challenge"), "challenge", "expected http-01, tls-alpn-01 or dns-01");
  }
  for (const AcmeIdentifier& id : *ids) {
    if (id.value.rfind("*.", 0) == 0 && cert->challenge != "dns-01") {
      return c.ErrorAt(item, "challenge", "wildcard names (" + id.value + ") need dns-01");
    }
    if (id.type == "ip" && cert->challenge == "dns-01") {
      return c.ErrorAt(item, "challenge",
                       "IP addresses (" + id.value + ") need http-01 or tls-alpn-01");
    }
  }
  if (cert->challenge == "dns-01" && !acme.dns01.enabled()) {
    return c.ErrorAt(item, "challenge", "dns-01 needs [acme.dns01] exec or [acme.dns01.rfc2136]");
  }
  CTW_RETURN_IF_ERROR(c.String("deploy_hook", &cert->deploy_hook));
  CTW_RETURN_IF_ERROR(c.String("profile", &cert->profile));
  CTW_RETURN_IF_ERROR(c.String("preferred_chain", &cert->preferred_chain));
  CTW_RETURN_IF_ERROR(c.String("ca", &cert->ca));
  if (!cert->ca.empty() && acme.FindCa(cert->ca) == nullptr) {
    return c.ErrorAt(*c.Get("ca"), "ca", "no [[acme.ca]] named \"" + cert->ca + "\"");
  }
  return c.CheckNoUnknownKeys();
}

}  // namespace

Status ReadAcmeConfig(TableReader& root, const std::string& file, const std::string& dir,
                      AcmeConfig* out) {
  out->storage = TableReader::Resolve("acme", dir);
  Status status;
  const toml::table* table = root.Table("acme", &status);
  CTW_RETURN_IF_ERROR(status);
  if (table == nullptr) return OkStatus();
  TableReader r(*table, file, "acme.");
  CTW_RETURN_IF_ERROR(r.Path("storage", dir, &out->storage));
  CTW_RETURN_IF_ERROR(ReadContact(r, &out->contact));
  CTW_RETURN_IF_ERROR(ReadKeyType(r, "account_key_type", &out->account_key_type));
  CTW_RETURN_IF_ERROR(r.Duration("validation_timeout", 1'000, &out->validation_timeout_ms));
  CTW_RETURN_IF_ERROR(r.Duration("issuance_timeout", 1'000, &out->issuance_timeout_ms));

  if (const toml::table* t = r.Table("http01", &status)) {
    TableReader h(*t, file, "acme.http01.");
    CTW_RETURN_IF_ERROR(h.String("listen", &out->http01.listen_address));
    CTW_RETURN_IF_ERROR(ReadPort(h, &out->http01.port));
    CTW_RETURN_IF_ERROR(h.Path("webroot", dir, &out->http01.webroot));
    CTW_RETURN_IF_ERROR(h.CheckNoUnknownKeys());
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::table* t = r.Table("tls_alpn01", &status)) {
    TableReader h(*t, file, "acme.tls_alpn01.");
    CTW_RETURN_IF_ERROR(h.String("listen", &out->tls_alpn01.listen_address));
    CTW_RETURN_IF_ERROR(ReadPort(h, &out->tls_alpn01.port));
    CTW_RETURN_IF_ERROR(h.CheckNoUnknownKeys());
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::table* t = r.Table("dns01", &status)) {
    TableReader d(*t, file, "acme.dns01.");
    CTW_RETURN_IF_ERROR(d.String("exec", &out->dns01.exec));
    // A bare program name is looked up in PATH; a path is resolved like every other path.
    if (out->dns01.exec.find('/') != std::string::npos) {
      out->dns01.exec = TableReader::Resolve(out->dns01.exec, dir);
    }
    CTW_RETURN_IF_ERROR(d.Duration("propagation_wait", 0, &out->dns01.propagation_wait_ms));
    CTW_RETURN_IF_ERROR(d.Duration("timeout", 1'000, &out->dns01.timeout_ms));
    CTW_RETURN_IF_ERROR(
        d.Duration("propagation_timeout", 1'000, &out->dns01.propagation_timeout_ms));
    CTW_RETURN_IF_ERROR(
        d.Duration("propagation_interval", 10, &out->dns01.propagation_interval_ms));
    if (const toml::table* rfc = d.Table("rfc2136", &status)) {
      CTW_RETURN_IF_ERROR(ReadRfc2136(*rfc, file, dir, &out->dns01.rfc2136));
      if (!out->dns01.exec.empty()) {
        return d.ErrorAt(*d.Get("exec"), "exec", "use exec or [acme.dns01.rfc2136], not both");
      }
    }
    CTW_RETURN_IF_ERROR(status);
    CTW_RETURN_IF_ERROR(d.CheckNoUnknownKeys());
  }
  CTW_RETURN_IF_ERROR(status);
  if (const toml::table* t = r.Table("renewal", &status)) {
    TableReader n(*t, file, "acme.renewal.");
    int64_t concurrency = out->renewal.concurrency;
    CTW_RETURN_IF_ERROR(n.Int("concurrency", 1, 256, &concurrency));
    out->renewal.concurrency = static_cast<int>(concurrency);
    CTW_RETURN_IF_ERROR(n.Duration("check_interval", 1'000, &out->renewal.check_interval_ms));
    int64_t fallback = out->renewal.fallback_after_failures;
    CTW_RETURN_IF_ERROR(n.Int("fallback_after_failures", 1, 100, &fallback));
    out->renewal.fallback_after_failures = static_cast<int>(fallback);
    int64_t finding = out->renewal.finding_after_failures;
    CTW_RETURN_IF_ERROR(n.Int("finding_after_failures", 1, 100, &finding));
    out->renewal.finding_after_failures = static_cast<int>(finding);
    CTW_RETURN_IF_ERROR(n.CheckNoUnknownKeys());
  }
  CTW_RETURN_IF_ERROR(status);

  std::set<std::string> names;
  if (const toml::node* cas = r.Get("ca")) {
    if (!cas->is_array_of_tables()) return r.ErrorAt(*cas, "ca", "expected [[acme.ca]] tables");
    for (const toml::node& item : *cas->as_array()) {
      AcmeCaConfig ca;
      CTW_RETURN_IF_ERROR(ReadCa(item, file, dir, &ca));
      if (!names.insert(ca.name).second)
        return r.ErrorAt(item, "ca", "two CAs named \"" + ca.name + "\"");
      out->cas.push_back(std::move(ca));
    }
  }
  names.clear();
  if (const toml::node* certs = r.Get("certificate")) {
    if (!certs->is_array_of_tables()) {
      return r.ErrorAt(*certs, "certificate", "expected [[acme.certificate]] tables");
    }
    for (const toml::node& item : *certs->as_array()) {
      AcmeCertificateConfig cert;
      CTW_RETURN_IF_ERROR(ReadCertificate(item, file, *out, &cert));
      if (!names.insert(cert.name).second) {
        return r.ErrorAt(item, "certificate", "two certificates named \"" + cert.name + "\"");
      }
      out->certificates.push_back(std::move(cert));
    }
    if (!out->certificates.empty() && out->cas.empty()) {
      return r.ErrorAt(*certs, "certificate", "certificates need at least one [[acme.ca]]");
    }
  }
  return r.CheckNoUnknownKeys();
}

}  // namespace ctwatch
