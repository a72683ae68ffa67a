// The values the alert pipeline passes around: a finding with what a message needs to say
// about it (its certificate, its log), and an outgoing message for one sink.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "store/records.h"

namespace ctwatch {

// A stored certificate as messages show it (from the certificates and sightings tables).
struct CertificateDetails {
  Sha256Hash identity{};                  // TBS in precert form (certspotter's TBS_SHA256)
  std::optional<Sha256Hash> cert_sha256;  // of the (pre)certificate logged at this entry
  std::string entry_type;                 // "cert" | "precert"
  std::string subject_dn;
  std::string issuer_dn;
  std::string serial_hex;
  int64_t not_before_ms = 0;
  int64_t not_after_ms = 0;
  Sha256Hash spki_sha256{};
  std::optional<Sha256Hash> issuer_key_hash;
  std::vector<std::string> names;
};

struct AlertFinding {
  StoredFinding stored;
  std::string log_description;  // empty when the finding is not about a log
  std::string log_url;
  std::optional<CertificateDetails> certificate;
};

enum class MessageKind { kFinding, kDigest, kSummary, kTest };
const char* MessageKindName(MessageKind kind);
std::optional<MessageKind> ParseMessageKind(std::string_view name);

struct OutgoingMessage {
  int64_t id = 0;
  std::string sink;
  std::string idempotency_key;
  MessageKind kind = MessageKind::kFinding;
  int attempts = 0;  // attempts made before this one
  int64_t created_ms = 0;
  int64_t give_up_at_ms = 0;
  std::string payload;  // summary / test text
  std::vector<AlertFinding> findings;
};

// Finding kinds produced by the alert service itself.
inline constexpr std::string_view kDeliveryFailedKind = "delivery_failed";
inline constexpr std::string_view kSinkFailingKind = "sink_failing";
inline constexpr std::string_view kLogUnreachableKind = "log_unreachable";
inline constexpr std::string_view kLogBacklogKind = "log_backlog";

// The sink a delivery_failed / sink_failing finding is about (its dedup key is
// "<kind>:<sink>:..."), so that it is not sent to that sink; empty for other findings.
std::string SinkConcerned(const FindingDraft& finding);

}  // namespace ctwatch
