// Rescanner; see rescanner.h. Entries are judged exactly as the Tailer judges them
// (entry_judge.h).
#include "monitor/rescanner.h"

#include "core/backoff.h"
#include "core/encoding.h"
#include "ctlog/merkle.h"
#include "monitor/entry_judge.h"
#include "monitor/ordered_fetch.h"
#include "monitor/stopper.h"

namespace ctwatch {
Rescanner::Rescanner(LogInfo log, TailingOptions tailing, Store* store,
                     std::shared_ptr<const Matcher> matcher, LogSourceFactory sources,
                     const IssuanceJudge* issuance)
    : log_(std::move(log)),
      tailing_(tailing),
      store_(store),
      matcher_(std::move(matcher)),
      sources_(std::move(sources)),
      issuance_(issuance) {}

Rescanner::~Rescanner() = default;

Result<uint64_t> Rescanner::IndexAtTime(int64_t since_ms) {
  std::unique_ptr<LogSource> source = sources_();
  CTW_ASSIGN_OR_RETURN(SignedTreeHead head, source->FetchHead());
  uint64_t lo = 0, hi = head.tree_size;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    CTW_ASSIGN_OR_RETURN(std::vector<LogEntry> got,
                         source->FetchEntries(mid, head.tree_size, true));
    if (got.empty() || got.front().index != mid)
      return MakeError(ErrorCode::kParse, "entry " + std::to_string(mid) + " not served");
    if (static_cast<int64_t>(got.front().timestamp_ms) < since_ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<RescanReport> Rescanner::Run(uint64_t from, std::optional<uint64_t> to) {
  std::unique_ptr<LogSource> source = sources_();
  CTW_ASSIGN_OR_RETURN(SignedTreeHead head, source->FetchHead());
  CTW_ASSIGN_OR_RETURN(std::optional<LogProgress> progress, store_->GetLogProgress(log_.log_id));
  const bool stored =
      progress.has_value() && progress->verified_size > 0 && progress->verified_root.has_value();
  RescanReport report;
  Sha256Hash expected_root{};
  report.end = stored ? progress->verified_size : head.tree_size;
  if (to.has_value()) report.end = *to;
  if (stored && report.end == progress->verified_size) {
    expected_root = *progress->verified_root;
    report.verified_against = "the verified root of size " + std::to_string(report.end);
  } else if (report.end == head.tree_size) {
    expected_root = head.root;
    report.verified_against = "the signed head of size " + std::to_string(report.end);
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--to must be the log's verified size (" +
                         std::to_string(stored ? progress->verified_size : 0) +
                         ") or its head size (" + std::to_string(head.tree_size) +
                         "): the root there is what verifies the re-read entries");
  }
  if (from > report.end) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "--from " + std::to_string(from) + " is past the end (" + std::to_string(report.end) + ")");
  }
  report.start = from;
  CTW_ASSIGN_OR_RETURN(CompactRange range, source->ProvenCompactRange(from, head));

  Stopper stopper;
  RateLimiter limiter(tailing_.requests_per_second, 2.0);
  FetchPool pool(tailing_.parallel_fetches, sources_, &limiter, &stopper);
  RescanBatch batch{.log_id = log_.log_id};
  const FetchPlan plan{.api = log_.api,
                       .start = from,
                       .end = report.end,
                       .batch_size = tailing_.batch_size,
                       .parallel = tailing_.parallel_fetches,
                       .allow_partial = true};
  Status read = FetchInOrder(&pool, plan, [&](std::vector<LogEntry>& entries) -> Status {
    for (LogEntry& e : entries) {
      range.Append(e.leaf_hash);
      ++report.entries;
      JudgedEntry judged = JudgeEntry(e, *matcher_, issuance_, source.get(), log_.description);
      if (judged.kind == JudgedEntry::Kind::kMalformed) ++report.malformed;
      if (judged.kind == JudgedEntry::Kind::kMatched) batch.matches.push_back(std::move(judged.match));
    }
    return OkStatus();
  });
  if (!read.has_value()) return read.error().WithContext("rescan of " + log_.description);
  if (range.size() != report.end || range.Root() != expected_root) {
    return MakeError(ErrorCode::kVerification,
                     log_.description + ": the re-read entries [" + std::to_string(from) + ", " +
                         std::to_string(report.end) + ") do not lead to " +
                         report.verified_against + " (root " + Base64Encode(range.Root()) +
                         "); nothing was stored");
  }
  report.matches = batch.matches.size();
  CTW_ASSIGN_OR_RETURN(report.new_findings, store_->CommitRescan(batch));
  return report;
}

}  // namespace ctwatch
