#include "acme/dns01_solver.h"

#include <chrono>
#include <thread>

#include "core/subprocess.h"
#include "core/encoding.h"
#include "core/log.h"
#include "core/sha256.h"

namespace ctwatch {

std::string Dns01RecordName(std::string_view name) {
  std::string n(name);
  if (n.rfind("*.", 0) == 0) n = n.substr(2);
  if (!n.empty() && n.back() == '.') n.pop_back();
  return "_acme-challenge." + n + ".";
}

std::string Dns01RecordValue(std::string_view key_authorization) {
  return Base64UrlEncode(Sha256(AsBytes(key_authorization)));
}

Status Dns01ExecSolver::Run(const char* action, const ChallengeTask& task) {
  if (config_.exec.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "dns-01 needs [acme.dns01] exec (a hook program)");
  }
  if (task.identifier.type != "dns") {
    return MakeError(ErrorCode::kInvalidArgument, "dns-01 cannot validate an IP address");
  }
  ProgramRun run;
  run.argv = {config_.exec, action, Dns01RecordName(task.identifier.value),
              Dns01RecordValue(task.key_authorization)};
  run.timeout_ms = config_.timeout_ms;
  return RunProgramOk(run, std::string("dns-01 hook ") + action + " for " + task.identifier.value);
}

Status Dns01ExecSolver::Present(const ChallengeTask& task) { return Run("present", task); }

Status Dns01ExecSolver::Settle(const std::vector<ChallengeTask>& tasks) {
  (void)tasks;
  if (config_.propagation_wait_ms > 0) {
    spdlog::info("dns-01: waiting {} ms for the records to propagate", config_.propagation_wait_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.propagation_wait_ms));
  }
  return OkStatus();
}

Status Dns01ExecSolver::CleanUp(const ChallengeTask& task) { return Run("cleanup", task); }

}  // namespace ctwatch
