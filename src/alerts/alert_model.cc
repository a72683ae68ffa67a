// Names of the alert value types; see alert_model.h. Thread-safety: pure functions.
#include "alerts/alert_model.h"

#include "alerts/alerts_config.h"

namespace ctwatch {

const char* MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kFinding:
      return "finding";
    case MessageKind::kDigest:
      return "digest";
    case MessageKind::kSummary:
      return "summary";
    case MessageKind::kTest:
      return "test";
  }
  return "finding";
}

std::optional<MessageKind> ParseMessageKind(std::string_view name) {
  for (MessageKind k :
       {MessageKind::kFinding, MessageKind::kDigest, MessageKind::kSummary, MessageKind::kTest}) {
    if (name == MessageKindName(k)) return k;
  }
  return std::nullopt;
}

std::string SinkConcerned(const FindingDraft& finding) {
  if (finding.kind != kDeliveryFailedKind && finding.kind != kSinkFailingKind) return "";
  const std::string_view key = finding.dedup_key;
  const size_t first = key.find(':');
  if (first == std::string_view::npos) return "";
  const size_t second = key.find(':', first + 1);
  return std::string(key.substr(
      first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
}

const char* SinkTypeName(SinkType type) {
  switch (type) {
    case SinkType::kWebhook:
      return "webhook";
    case SinkType::kSlack:
      return "slack";
    case SinkType::kEmail:
      return "email";
    case SinkType::kExec:
      return "exec";
    case SinkType::kJsonLines:
      return "jsonl";
  }
  return "webhook";
}

}  // namespace ctwatch
