// JudgeEntry: what one decoded log entry amounts to under a policy. Names first (cheap, every
// entry); the chain, full CertFacts and the Matcher's findings only for entries that concern
// the owner; and for a certificate that names an owned name, its issuance verdict (expected,
// expected_pending, authorized or foreign with a foreign_issuance finding; src/issuance).
// Shared by the Tailer and the Rescanner so both judge an entry the same way.
// Thread-safety: pure apart from `source` (used for a static log's issuers), which belongs to
// the caller's thread, and `issuance` (thread-safe).
#pragma once

#include <optional>
#include <string>

#include "ctlog/log_client.h"
#include "issuance/issuance_judge.h"
#include "policy/matcher.h"
#include "store/records.h"

namespace ctwatch {

struct JudgedEntry {
  enum class Kind { kIgnored, kMatched, kMalformed };
  Kind kind = Kind::kIgnored;
  MatchedEntry match;      // kMatched
  std::string error;       // kMalformed: why the entry does not decode
};

// `entry` may be completed in place (its chain). `log_description` is for log messages and
// the foreign_issuance finding. Without `issuance` (null) no verdict is given.
JudgedEntry JudgeEntry(LogEntry& entry, const Matcher& matcher, const IssuanceJudge* issuance,
                       LogSource* source, const std::string& log_description);

// The certificate as the store keeps it.
CertificateRecord ToCertificateRecord(const CertFacts& facts, const LogEntry& entry);

}  // namespace ctwatch
