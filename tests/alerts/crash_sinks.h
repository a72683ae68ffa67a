// The sinks of the crash test, shared by the driver (which delivers to them) and the test
// (which checks what each one must have received): two webhooks with different filters, a
// JSON lines file with a digest interval, and an exec hook that appends "<finding id> <key>".
#pragma once

#include <string>
#include <vector>

#include "alerts/alerts_config.h"

namespace ctwatch::alerts_testing {

inline std::vector<SinkConfig> CrashSinks(const std::string& webhook_base, const std::string& dir) {
  std::vector<SinkConfig> sinks(4);
  sinks[0].name = "web";
  sinks[0].type = SinkType::kWebhook;
  sinks[0].webhook.url = webhook_base + "/web";
  sinks[0].webhook.secret = "crash-test";
  sinks[0].timeout_ms = 2000;

  sinks[1].name = "web-high";
  sinks[1].type = SinkType::kWebhook;
  sinks[1].webhook.url = webhook_base + "/web-high";
  sinks[1].filter.min_severity = Severity::kHigh;
  sinks[1].timeout_ms = 2000;

  sinks[2].name = "lines";
  sinks[2].type = SinkType::kJsonLines;
  sinks[2].jsonl.path = dir + "/alerts.jsonl";
  sinks[2].filter.kinds = {"owned_certificate", "lookalike"};
  sinks[2].digest_interval_ms = 150;

  sinks[3].name = "hook";
  sinks[3].type = SinkType::kExec;
  sinks[3].exec.command = {"/bin/sh", "-c",
                           "printf '%s %s\\n' \"$CTWATCH_FINDING_ID\" \"$CTWATCH_IDEMPOTENCY_KEY\""
                           " >> '" +
                               dir + "/hook.log'"};
  sinks[3].exec.files_dir = dir + "/hook-files";
  sinks[3].filter.domains = {"corp.example"};
  sinks[3].timeout_ms = 5000;
  return sinks;
}

inline DeliveryConfig CrashDelivery() {
  return {.poll_interval_ms = 20,
          .retry_base_ms = 20,
          .retry_max_ms = 200,
          .give_up_after_ms = 3'600'000};
}

}  // namespace ctwatch::alerts_testing
