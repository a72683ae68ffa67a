#include "acme/inventory_import.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "acme/ca_set.h"
#include "acme/certificate_files.h"
#include "cert/facts.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/openssl_util.h"

namespace fs = std::filesystem;

namespace ctwatch {
namespace {

constexpr size_t kMaxPem = 1u << 20;

// "key = value" lines of a certbot renewal configuration (ConfigObj syntax), per section.
std::string ConfValue(const std::string& text, const std::string& section, const std::string& key) {
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.front() == '[') {
      current = line.substr(1, line.find(']') - 1);
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos || current != section) continue;
    std::string k = line.substr(0, eq);
    while (!k.empty() && k.back() == ' ') k.pop_back();
    if (k != key) continue;
    std::string v = line.substr(eq + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  }
  return "";
}

// The configured CA whose directory (or staging directory) is `url`.
std::string CaForDirectory(const AcmeConfig& config, const std::string& url) {
  for (const AcmeCaConfig& ca : config.cas) {
    if (!url.empty() && (ca.directory_url == url || ca.staging_directory_url == url)) {
      return ca.name;
    }
  }
  return "";
}

// "127.0.0.1_14000" (lego's accounts/ folder) → the configured CA on that host and port.
std::string CaForLegoServer(const AcmeConfig& config, const std::string& host_port) {
  for (const AcmeCaConfig& ca : config.cas) {
    std::string rest = ca.directory_url.substr(ca.directory_url.find("://") + 3);
    rest = rest.substr(0, rest.find('/'));
    std::replace(rest.begin(), rest.end(), ':', '_');
    if (rest == host_port || rest + "_443" == host_port) return ca.name;
  }
  return "";
}

struct Source {
  std::string cert_path;
  std::string chain_path;  // empty: the chain follows the leaf in cert_path
  std::string layout;
  std::string name;
  std::string ca;
};

ImportedCertificate ImportOne(InventoryStore* store, const Source& src, int64_t now_ms) {
  ImportedCertificate out;
  out.path = src.cert_path;
  out.layout = src.layout;
  out.name = src.name;
  auto fail = [&](const std::string& why) {
    out.error = why;
    return out;
  };
  Result<std::string> pem = ReadFile(src.cert_path, kMaxPem);
  if (!pem.has_value()) return fail(pem.error().message);
  Result<std::vector<Bytes>> certs = PemCertificatesToDer(*pem);
  if (!certs.has_value() || certs->empty()) return fail("no PEM certificate in " + src.cert_path);
  std::vector<Bytes> chain(certs->begin() + 1, certs->end());
  if (!src.chain_path.empty()) {
    Result<std::string> chain_pem = ReadFile(src.chain_path, kMaxPem);
    if (chain_pem.has_value()) {
      Result<std::vector<Bytes>> more = PemCertificatesToDer(*chain_pem);
      if (more.has_value() && !more->empty()) chain = *more;
    }
  }
  Result<CertFacts> facts =
      FactsFromCertificate((*certs)[0], chain.empty() ? ByteView() : ByteView(chain[0]));
  if (!facts.has_value()) return fail(facts.error().message);
  if (facts->is_ca) return fail(src.cert_path + " holds a CA certificate, not a leaf");
  InventoryCertificate& c = out.certificate;
  c.name = src.name;
  c.identity = facts->identity;
  c.cert_sha256 = facts->cert_sha256;
  c.spki_sha256 = facts->spki_sha256;
  c.names = facts->names.dns_names;
  c.names.insert(c.names.end(), facts->names.ip_addresses.begin(), facts->names.ip_addresses.end());
  std::sort(c.names.begin(), c.names.end());
  c.names.erase(std::unique(c.names.begin(), c.names.end()), c.names.end());
  c.serial_hex = facts->serial_hex;
  c.aki = facts->authority_key_id;
  c.issuer_dn = facts->issuer_dn;
  c.not_before_ms = facts->not_before_ms;
  c.not_after_ms = facts->not_after_ms;
  c.ca = src.ca;
  c.source = "import";
  c.status = facts->not_after_ms < now_ms ? "expired" : "active";
  c.cert_der = (*certs)[0];
  for (const Bytes& der : chain) {
    const std::string b64 = Base64Encode(der);
    c.chain_pem += "-----BEGIN CERTIFICATE-----\n";
    for (size_t i = 0; i < b64.size(); i += 64) c.chain_pem += b64.substr(i, 64) + "\n";
    c.chain_pem += "-----END CERTIFICATE-----\n";
  }
  c.path = fs::path(src.cert_path).parent_path().string();

  Result<std::optional<InventoryCertificate>> existing = store->FindByIdentity(c.identity);
  if (!existing.has_value()) return fail(existing.error().message);
  if (existing->has_value()) {
    out.known = true;
    out.certificate = **existing;
    return out;
  }
  Result<std::optional<InventoryCertificate>> active =
      src.name.empty() ? Result<std::optional<InventoryCertificate>>(std::nullopt)
                       : store->ActiveCertificate(src.name);
  Result<int64_t> id = store->AddCertificate(c);
  if (!id.has_value()) return fail(id.error().message);
  c.id = *id;
  if (active.has_value() && active->has_value() && c.status == "active") {
    // The newer of the two stays active; the other is replaced by it.
    if ((*active)->not_after_ms <= c.not_after_ms) {
      (void)store->MarkReplacedBy((*active)->id, c.id);
    } else {
      (void)store->MarkReplacedBy(c.id, (*active)->id);
      c.status = "replaced";
      c.replaced_by = (*active)->id;
    }
  }
  if (!c.ca.empty()) (void)RecordChainIssuer(store, c.ca, c.chain_pem);
  return out;
}

std::vector<Source> CertbotSources(const fs::path& root, const AcmeConfig& config) {
  std::vector<Source> out;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "renewal", ec)) {
    if (entry.path().extension() != ".conf") continue;
    const std::string name = entry.path().stem().string();
    Result<std::string> text = ReadFile(entry.path().string(), 256u << 10);
    if (!text.has_value()) continue;
    Source s;
    s.layout = "certbot";
    s.name = name;
    s.cert_path = ConfValue(*text, "", "cert");
    s.chain_path = ConfValue(*text, "", "chain");
    if (s.cert_path.empty()) s.cert_path = (root / "live" / name / "cert.pem").string();
    s.ca = CaForDirectory(config, ConfValue(*text, "renewalparams", "server"));
    names.push_back(name);
    out.push_back(std::move(s));
  }
  for (const auto& entry : fs::directory_iterator(root / "live", ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || std::count(names.begin(), names.end(), name) > 0) continue;
    if (!FileExists((entry.path() / "cert.pem").string())) continue;
    out.push_back({(entry.path() / "cert.pem").string(), (entry.path() / "chain.pem").string(),
                   "certbot", name, ""});
  }
  return out;
}

std::vector<Source> LegoSources(const fs::path& certificates, const AcmeConfig& config) {
  // The CA: lego keeps accounts under accounts/<host_port>/ beside certificates/.
  std::string ca;
  std::error_code ec;
  std::vector<std::string> servers;
  for (const auto& entry : fs::directory_iterator(certificates.parent_path() / "accounts", ec)) {
    if (entry.is_directory()) servers.push_back(entry.path().filename().string());
  }
  if (servers.size() == 1) ca = CaForLegoServer(config, servers[0]);
  std::vector<Source> out;
  for (const auto& entry : fs::directory_iterator(certificates, ec)) {
    const std::string file = entry.path().filename().string();
    const bool issuer_file = file.size() > 11 && file.substr(file.size() - 11) == ".issuer.crt";
    if (entry.path().extension() != ".crt" || issuer_file) continue;
    Source s;
    s.layout = "lego";
    s.cert_path = entry.path().string();
    s.name = entry.path().stem().string();
    const fs::path issuer = certificates / (s.name + ".issuer.crt");
    if (FileExists(issuer.string())) s.chain_path = issuer.string();
    s.ca = ca;
    if (!IsValidLineageName(s.name)) s.name.clear();
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const Source& a, const Source& b) { return a.cert_path < b.cert_path; });
  return out;
}

}  // namespace

Result<std::vector<ImportedCertificate>> ImportInventoryPath(InventoryStore* store,
                                                             const AcmeConfig& config,
                                                             const std::string& path,
                                                             int64_t now_ms) {
  std::error_code ec;
  const fs::path p(path);
  std::vector<Source> sources;
  if (fs::is_regular_file(p, ec)) {
    sources.push_back({path, "", "pem", "", ""});
  } else if (!fs::is_directory(p, ec)) {
    return MakeError(ErrorCode::kNotFound, path + ": no such file or directory");
  } else if (fs::is_directory(p / "renewal", ec) || fs::is_directory(p / "live", ec)) {
    sources = CertbotSources(p, config);
  } else if (FileExists((p / "cert.pem").string())) {
    // One certbot lineage: live/<name>/ (and its renewal/<name>.conf two levels up).
    const std::string name = p.filename().string();
    const fs::path conf = p.parent_path().parent_path() / "renewal" / (name + ".conf");
    Source s{(p / "cert.pem").string(), (p / "chain.pem").string(), "certbot", name, ""};
    Result<std::string> text = ReadFile(conf.string(), 256u << 10);
    if (text.has_value()) {
      s.ca = CaForDirectory(config, ConfValue(*text, "renewalparams", "server"));
    }
    sources.push_back(std::move(s));
  } else if (fs::is_directory(p / "certificates", ec)) {
    sources = LegoSources(p / "certificates", config);
  } else if (p.filename() == "certificates") {
    sources = LegoSources(p, config);
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": neither a PEM file nor a certbot or lego directory");
  }
  if (sources.empty()) {
    return MakeError(ErrorCode::kNotFound, path + ": no certificate found");
  }
  std::vector<ImportedCertificate> out;
  for (const Source& s : sources) out.push_back(ImportOne(store, s, now_ms));
  return out;
}

}  // namespace ctwatch
