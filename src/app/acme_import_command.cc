// `ctwatch inventory import PATH...`: certificates obtained elsewhere (PEM files, certbot and
// lego layouts; src/acme/inventory_import.h) join the inventory. Results go to stdout (JSON
// lines with --json), messages to stderr.
// Thread-safety: runs on main's thread.
#include "app/acme_import_command.h"

#include <cstdio>

#include "acme/inventory_import.h"
#include "acme/renewal.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/issuance_wiring.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/log.h"

namespace ctwatch {

nlohmann::json InventoryCertificateJson(const InventoryCertificate& c) {
  using nlohmann::json;
  auto TimeJson = [](int64_t ms) { return json(FormatTimeMs(ms)); };
  return {{"id", c.id},
          {"name", c.name.empty() ? json(nullptr) : json(c.name)},
          {"identity", HexEncode(c.identity)},
          {"cert_sha256", HexEncode(c.cert_sha256)},
          {"spki_sha256", HexEncode(c.spki_sha256)},
          {"names", c.names},
          {"serial", c.serial_hex},
          {"issuer", c.issuer_dn},
          {"aki", c.aki.empty() ? json(nullptr) : json(HexEncode(c.aki))},
          {"not_before", TimeJson(c.not_before_ms)},
          {"not_after", TimeJson(c.not_after_ms)},
          {"renew_at", TimeJson(RenewalTimeMs(c.not_before_ms, c.not_after_ms))},
          {"ca", c.ca.empty() ? json(nullptr) : json(c.ca)},
          {"order_url", c.order_url.empty() ? json(nullptr) : json(c.order_url)},
          {"source", c.source},
          {"status", c.status},
          {"replaced_by", c.replaced_by ? json(*c.replaced_by) : json(nullptr)},
          {"revoked_at", c.revoked_ms ? TimeJson(*c.revoked_ms) : json(nullptr)},
          {"revocation_reason", c.revocation_reason ? json(*c.revocation_reason) : json(nullptr)},
          {"path", c.path.empty() ? json(nullptr) : json(c.path)}};
}

int InventoryImportCommand(const std::string& config_path, const std::vector<std::string>& paths,
                           bool json) {
  Result<Config> config = LoadConfig(config_path);
  if (!config.has_value()) {
    std::fprintf(stderr, "ctwatch: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  InitLogging(config->log_level);
  Result<std::unique_ptr<InventoryStore>> store = OpenInventoryStore(config->database);
  if (!store.has_value()) {
    std::fprintf(stderr, "ctwatch: %s\n", store.error().message.c_str());
    return kExitFailure;
  }
  int exit_code = kExitOk;
  for (const std::string& path : paths) {
    Result<std::vector<ImportedCertificate>> imported =
        ImportInventoryPath(store->get(), config->acme, path, SystemClock::Get()->NowMs());
    if (!imported.has_value()) {
      std::fprintf(stderr, "ctwatch: %s\n", imported.error().message.c_str());
      if (json) {
        const nlohmann::json line = {
            {"path", path}, {"result", "failed"}, {"error", imported.error().message}};
        std::printf("%s\n", line.dump().c_str());
      }
      exit_code = imported.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
      continue;
    }
    for (const ImportedCertificate& c : *imported) {
      const char* result = !c.error.empty() ? "failed" : c.known ? "known" : "imported";
      if (!c.error.empty()) exit_code = kExitFailure;
      if (json) {
        nlohmann::json line = {
            {"path", c.path},
            {"layout", c.layout},
            {"name", c.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.name)},
            {"result", result}};
        if (!c.error.empty()) {
          line["error"] = c.error;
        } else {
          line["certificate"] = InventoryCertificateJson(c.certificate);
        }
        std::printf("%s\n",
                    line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else if (!c.error.empty()) {
        std::fprintf(stderr, "ctwatch: %s: %s\n", c.path.c_str(), c.error.c_str());
      } else {
        std::printf("%s: %s certificate %lld (%s, serial %s, valid until %s) from %s\n",
                    c.name.empty() ? "-" : c.name.c_str(), result,
                    static_cast<long long>(c.certificate.id), c.layout.c_str(),
                    c.certificate.serial_hex.c_str(),
                    FormatTimeMs(c.certificate.not_after_ms).c_str(), c.path.c_str());
      }
    }
  }
  // Certificates CT showed as foreign may be these: re-judge, resolving their findings.
  store->reset();
  Result<ReconcileReport> reconciled = ReconcileIssuanceOnce(*config, false);
  if (!reconciled.has_value()) {
    std::fprintf(stderr, "ctwatch: issuance: %s\n", reconciled.error().message.c_str());
    return kExitFailure;
  }
  if (reconciled->resolved > 0 || reconciled->changed > 0) {
    std::fprintf(stderr, "ctwatch: issuance: %s\n", reconciled->Summary().c_str());
  }
  return exit_code;
}

}  // namespace ctwatch
