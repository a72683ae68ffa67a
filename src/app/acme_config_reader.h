// Reads the [acme] section of the config file into AcmeConfig (src/acme/acme_config.h); the keys
// are documented in docs/acme.md. Called once from LoadConfig.
// Thread-safety: used while loading, on one thread.
#pragma once

#include <string>

#include "acme/acme_config.h"
#include "app/toml_reader.h"
#include "core/result.h"

namespace ctwatch {

// Reads `acme` from the root table when present (marking it as read); relative paths resolve
// against `dir`, the config file's directory. Without the section, `out` keeps its defaults
// (no CA: the ACME engine is off) with storage <dir>/acme.
Status ReadAcmeConfig(TableReader& root, const std::string& file, const std::string& dir,
                      AcmeConfig* out);

}  // namespace ctwatch
