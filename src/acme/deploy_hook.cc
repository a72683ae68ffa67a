#include "acme/deploy_hook.h"

#include "core/subprocess.h"
#include "core/clock.h"

namespace ctwatch {

std::vector<std::pair<std::string, std::string>> DeployEnvironment(const DeployInfo& info) {
  std::string domains;
  for (const std::string& d : info.domains) domains += (domains.empty() ? "" : " ") + d;
  return {
      {"CTWATCH_CERT_NAME", info.name},
      {"CTWATCH_LIVE_DIR", info.live_dir},
      {"CTWATCH_ARCHIVE_DIR", info.archive_dir},
      {"CTWATCH_CERT_PATH", info.live_dir + "/cert.pem"},
      {"CTWATCH_CHAIN_PATH", info.live_dir + "/chain.pem"},
      {"CTWATCH_FULLCHAIN_PATH", info.live_dir + "/fullchain.pem"},
      {"CTWATCH_KEY_PATH", info.live_dir + "/privkey.pem"},
      {"CTWATCH_DOMAINS", domains},
      {"CTWATCH_SERIAL", info.serial_hex},
      {"CTWATCH_NOT_BEFORE", FormatTimeMs(info.not_before_ms)},
      {"CTWATCH_NOT_AFTER", FormatTimeMs(info.not_after_ms)},
      {"CTWATCH_CA", info.ca},
      {"CTWATCH_IDENTITY", info.identity_hex},
      {"CTWATCH_INVENTORY_ID", std::to_string(info.inventory_id)},
      {"CTWATCH_RENEWAL", info.renewal ? "1" : "0"},
      {"RENEWED_LINEAGE", info.live_dir},
      {"RENEWED_DOMAINS", domains},
  };
}

Status RunDeployHook(const std::string& command, const DeployInfo& info, int64_t timeout_ms) {
  ProgramRun run;
  run.argv = {"/bin/sh", "-c", command};
  run.env = DeployEnvironment(info);
  run.timeout_ms = timeout_ms;
  return RunProgramOk(run, "deploy hook for " + info.name);
}

}  // namespace ctwatch
