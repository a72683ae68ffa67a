// The policy commands behind RegisterPolicyCommands: `policy check`, `policy reload`,
// `rescan` and `audit exposure` (docs/policy.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctwatch {

struct PolicyCheckArgs {
  std::string config;
  std::vector<std::string> names;  // --name: show how the policy sees these names
};
int PolicyCheckCommand(const PolicyCheckArgs& args);

struct PolicyReloadArgs {
  std::string config;
  double timeout_s = 10;
};
int PolicyReloadCommand(const PolicyReloadArgs& args);

struct RescanArgs {
  std::string config;
  std::string log;               // description or base64 log id
  std::optional<uint64_t> from;  // first entry index
  std::string since;             // or: first entry logged at/after this time
  std::optional<uint64_t> to;    // end (exclusive); default: the log's stored position
  int parallel = 2;
};
int RescanCommand(const RescanArgs& args);

struct AuditArgs {
  std::string config;
  std::string domain;
  bool json = false;
  bool csv = false;
};
int AuditExposureCommand(const AuditArgs& args);

}  // namespace ctwatch
