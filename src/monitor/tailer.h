// Tailer: follows one CT log. Each cycle it fetches the signed head (signature verified),
// records it (two roots for one size = split view), fetches the entries up to it in parallel
// ranges, re-orders them, appends every leaf hash to the compact range, decodes the names,
// asks the Matcher, and commits matches, malformed entries, position and compact range in one
// transaction per batch. At the head's size the recomputed root must equal the signed root:
// then the range is verified; otherwise a log_inconsistent finding is recorded and the
// unverified tail is rolled back (never silently retried away).
// Thread-safety: Run() on one thread; Stop() and stats() from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/backoff.h"
#include "core/clock.h"
#include "ctlog/log_client.h"
#include "ctlog/log_list.h"
#include "ctlog/merkle.h"
#include "issuance/issuance_judge.h"
#include "monitor/fetch_pool.h"
#include "monitor/matcher_handle.h"
#include "monitor/stopper.h"
#include "monitor/tailing_options.h"
#include "store/store.h"

namespace ctwatch {

struct TailerOptions {
  TailingOptions tailing;
  bool once = false;                 // stop after the log is verified up to its current head
  uint64_t commit_every_entries = 16384;
  int64_t commit_every_ms = 1000;
};

struct TailerStats {
  std::atomic<uint64_t> entries{0};
  std::atomic<uint64_t> matches{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> verified_size{0};
  std::atomic<uint64_t> head_size{0};
};

class Tailer {
 public:
  // `issuance` (may be null: no verdicts) gives owned certificates their issuance verdict.
  Tailer(LogInfo log, TailerOptions options, Store* store, const MatcherHandle* matcher,
         LogSourceFactory sources, const IssuanceJudge* issuance = nullptr);
  ~Tailer();

  // Runs until Stop(), or with options.once until the log is verified up to the head read at
  // the start (returns the last error when that could not be done).
  Status Run();
  void Stop() { stopper_.Stop(); }
  const TailerStats& stats() const { return stats_; }
  const LogInfo& log() const { return log_; }

  // One poll: head, entries, verification. Public for tests.
  Status Cycle();

 private:
  struct Pending;
  Status Start();
  Result<LogProgress> InitialProgress(const SignedTreeHead& head);
  Result<SignedTreeHead> FetchAndRecordHead();
  Status ProcessTo(const SignedTreeHead& head, uint64_t end, bool allow_partial);
  void ProcessEntry(LogEntry& entry, const Matcher& matcher, Pending* pending);
  Status Commit(Pending* pending, std::optional<VerifiedHead> verified);
  Status VerifyAt(const SignedTreeHead& head, Pending* pending);
  Status Inconsistent(const SignedTreeHead& head, const Sha256Hash& computed, uint64_t size);
  Status ReloadProgress();
  // Waits for the log's request budget; false when stopping.
  bool Paced();
  bool FinalHeadReached() const;

  const LogInfo log_;
  const TailerOptions options_;
  Store* const store_;
  const MatcherHandle* const matcher_;
  const IssuanceJudge* const issuance_;
  Stopper stopper_;
  RateLimiter limiter_;
  std::unique_ptr<LogSource> source_;  // heads, chains and proofs, from the Run() thread
  std::unique_ptr<FetchPool> pool_;    // entries, in parallel
  TailerStats stats_;

  // Owned by the Run() thread.
  bool started_ = false;
  LogProgress progress_;
  CompactRange range_;
  uint64_t head_unchanged_since_size_ = 0;
  int64_t head_unchanged_since_ms_ = 0;
};

}  // namespace ctwatch
