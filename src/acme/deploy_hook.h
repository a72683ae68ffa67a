// The deploy hook: a shell command (/bin/sh -c) run after a new certificate is installed in
// live/<name>/, with these environment variables (docs/acme.md is the contract):
//   CTWATCH_CERT_NAME       lineage name
//   CTWATCH_LIVE_DIR        <storage>/live/<name>
//   CTWATCH_ARCHIVE_DIR     the version directory the live link points at
//   CTWATCH_CERT_PATH, CTWATCH_CHAIN_PATH, CTWATCH_FULLCHAIN_PATH, CTWATCH_KEY_PATH
//   CTWATCH_DOMAINS         the certificate's names, space separated
//   CTWATCH_SERIAL          lower-case hex
//   CTWATCH_NOT_BEFORE, CTWATCH_NOT_AFTER   RFC 3339
//   CTWATCH_CA              configured CA name
//   CTWATCH_IDENTITY        certificate identity (hex, DESIGN.md)
//   CTWATCH_INVENTORY_ID    inventory row id
//   CTWATCH_RENEWAL         "1" when it replaces an earlier certificate of the lineage, else "0"
//   RENEWED_LINEAGE, RENEWED_DOMAINS   certbot's names for the live dir and the names
// A non-zero exit status is reported as an error (the certificate stays installed).
// Thread-safety: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctwatch {

struct DeployInfo {
  std::string name;
  std::string live_dir;
  std::string archive_dir;
  std::vector<std::string> domains;
  std::string serial_hex;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  std::string ca;
  std::string identity_hex;
  int64_t inventory_id = 0;
  bool renewal = false;
};

std::vector<std::pair<std::string, std::string>> DeployEnvironment(const DeployInfo& info);
Status RunDeployHook(const std::string& command, const DeployInfo& info, int64_t timeout_ms);

}  // namespace ctwatch
