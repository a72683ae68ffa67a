// `ctwatch inventory import PATH...` (acme_import_command.cc) and the inventory certificate as
// JSON, shared by the inventory and acme commands (docs/acme.md lists the fields).
// Thread-safety: called from main's thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "acme/inventory_store.h"

namespace ctwatch {

nlohmann::json InventoryCertificateJson(const InventoryCertificate& c);

// Imports PEM files and certbot/lego layouts; one line (or JSON object) per certificate.
// Exit status: 0, 1 when a certificate could not be imported, 2 on a usage error.
int InventoryImportCommand(const std::string& config_path, const std::vector<std::string>& paths,
                           bool json);

}  // namespace ctwatch
