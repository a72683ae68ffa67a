// Rescanner: `ctwatch rescan`. Re-reads entries [from, end) of one log and judges them with the
// current policy, without touching the log's live position: the Tailer keeps tailing (it may
// run at the same time); the rescan writes certificates, sightings and findings through
// Store::CommitRescan only. The range is verified before anything is stored: the compact
// range of [0, from) is proven against a signed head (inclusion proof or hash tiles), every
// re-read leaf is appended to it, and the root at `end` must equal the root the store verified
// for that size (or the signed head's when the log was never tailed). Findings keep their
// dedup keys, so a rescan never doubles what the tailer found.
// Thread-safety: one Run() at a time, on the caller's thread (its fetch workers are its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "ctlog/log_list.h"
#include "issuance/issuance_judge.h"
#include "monitor/fetch_pool.h"
#include "monitor/tailing_options.h"
#include "policy/matcher.h"
#include "store/store.h"

namespace ctwatch {

struct RescanReport {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t entries = 0;
  uint64_t matches = 0;
  uint64_t malformed = 0;
  size_t new_findings = 0;
  std::string verified_against;  // "stored verified root of size N" or "signed head of size N"
};

class Rescanner {
 public:
  // `issuance` (may be null) gives owned certificates their issuance verdict.
  Rescanner(LogInfo log, TailingOptions tailing, Store* store,
            std::shared_ptr<const Matcher> matcher, LogSourceFactory sources,
            const IssuanceJudge* issuance = nullptr);
  ~Rescanner();

  // `to`: end (exclusive); default: the log's verified size in the store, or the current
  // head for a log the store does not know. `to` must be that size or the head's (the root
  // there is what verifies the range).
  Result<RescanReport> Run(uint64_t from, std::optional<uint64_t> to);

  // The first entry logged at or after `since_ms`, by binary search on entry timestamps
  // (logs add entries in roughly timestamp order; the answer can be off by the few entries
  // a log sequenced out of order).
  Result<uint64_t> IndexAtTime(int64_t since_ms);

 private:
  const LogInfo log_;
  const TailingOptions tailing_;
  Store* const store_;
  const std::shared_ptr<const Matcher> matcher_;
  LogSourceFactory sources_;
  const IssuanceJudge* const issuance_;
};

}  // namespace ctwatch
