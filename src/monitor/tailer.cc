#include "monitor/tailer.h"

#include "core/encoding.h"
#include "core/log.h"
#include "monitor/entry_judge.h"
#include "monitor/ordered_fetch.h"

namespace ctwatch {
namespace {

std::string Hex(const Sha256Hash& h) { return HexEncode(h); }

std::string Today() { return FormatTimeMs(SystemClock::Get()->NowMs()).substr(0, 10); }

}  // namespace

struct Tailer::Pending {
  IngestBatch batch;
  uint64_t entries = 0;
  int64_t opened_ms = MonotonicMs();
};

Tailer::Tailer(LogInfo log, TailerOptions options, Store* store, const MatcherHandle* matcher,
               LogSourceFactory sources, const IssuanceJudge* issuance)
    : log_(std::move(log)),
      options_(options),
      store_(store),
      matcher_(matcher),
      issuance_(issuance),
      limiter_(options.tailing.requests_per_second, 2.0),
      source_(sources()),
      pool_(std::make_unique<FetchPool>(options.tailing.parallel_fetches, std::move(sources),
                                        &limiter_, &stopper_)) {}

bool Tailer::Paced() {
  for (int64_t wait_ms; (wait_ms = limiter_.TryAcquire()) > 0;) {
    if (!stopper_.SleepFor(wait_ms)) return false;
  }
  return true;
}

Tailer::~Tailer() {
  stopper_.Stop();
  pool_.reset();
}

Status Tailer::Run() {
  Backoff backoff(5'000, 10 * 60'000);
  int once_failures = 0;
  while (!stopper_.stopped()) {
    Status s = Cycle();
    int64_t wait_ms = options_.tailing.poll_interval_ms;
    if (s.has_value()) {
      backoff.Reset();
      (void)store_->RecordLogSuccess(log_.log_id);
      if (options_.once) return OkStatus();
      if (FinalHeadReached()) {
        spdlog::info("{}: verified up to its final tree head; done", log_.description);
        return OkStatus();
      }
    } else {
      if (s.error().code == ErrorCode::kCancelled) break;
      spdlog::warn("{}: {}", log_.description, s.error().ToString());
      (void)store_->RecordLogError(log_.log_id, s.error().ToString());
      // With --once, a few attempts; a log that misbehaves (verification) fails at once.
      if (options_.once && (s.error().code == ErrorCode::kVerification || ++once_failures >= 3)) {
        return s;
      }
      wait_ms = backoff.NextDelayMs();
    }
    stopper_.SleepFor(wait_ms);
  }
  return MakeError(ErrorCode::kCancelled, log_.description + ": stopped");
}

bool Tailer::FinalHeadReached() const {
  return log_.final_tree_head.has_value() &&
         progress_.verified_size >= log_.final_tree_head->tree_size;
}

Status Tailer::ReloadProgress() {
  CTW_ASSIGN_OR_RETURN(std::optional<LogProgress> p, store_->GetLogProgress(log_.log_id));
  if (!p.has_value()) return MakeError(ErrorCode::kInternal, "log vanished from the store");
  progress_ = std::move(*p);
  CTW_ASSIGN_OR_RETURN(range_, CompactRange::Deserialize(progress_.compact_range));
  if (range_.size() != progress_.position) {
    return MakeError(ErrorCode::kInternal, "stored compact range does not match the position");
  }
  stats_.verified_size = progress_.verified_size;
  return OkStatus();
}

Result<LogProgress> Tailer::InitialProgress(const SignedTreeHead& head) {
  const StartPosition& start = options_.tailing.start;
  if (start.kind == StartPosition::Kind::kBeginning ||
      (start.kind == StartPosition::Kind::kIndex && start.index == 0)) {
    const Bytes empty = CompactRange().Serialize();
    return LogProgress{.position = 0, .compact_range = empty, .verified_size = 0,
                       .verified_range = empty};
  }
  uint64_t size = start.kind == StartPosition::Kind::kEnd ? head.tree_size
                                                          : std::min(start.index, head.tree_size);
  if (log_.api == LogApi::kStatic && size != head.tree_size) size -= size % kTileWidth;
  if (!Paced()) return MakeError(ErrorCode::kCancelled, "stopping");
  Result<CompactRange> range = source_->ProvenCompactRange(size, head);
  if (!range.has_value()) return range.error().WithContext("cannot start at entry " + std::to_string(size));
  const Bytes serialized = range->Serialize();
  spdlog::info("{}: new log, starting at entry {} of {}", log_.description, size, head.tree_size);
  return LogProgress{.position = size, .compact_range = serialized, .verified_size = size,
                     .verified_range = serialized, .verified_root = range->Root()};
}

Status Tailer::Start() {
  const LogRecord record{.log_id = log_.log_id, .description = log_.description,
                         .api = LogApiName(log_.api), .url = log_.url,
                         .list_state = LogStateName(log_.state)};
  // Registered first, so that a log unreachable from the start shows with its error.
  CTW_RETURN_IF_ERROR(store_->RegisterLog(record));
  CTW_ASSIGN_OR_RETURN(std::optional<LogProgress> existing, store_->GetLogProgress(log_.log_id));
  LogProgress start;
  if (!existing.has_value()) {
    CTW_ASSIGN_OR_RETURN(SignedTreeHead head, FetchAndRecordHead());
    CTW_ASSIGN_OR_RETURN(start, InitialProgress(head));
  }
  CTW_RETURN_IF_ERROR(store_->EnsureLog(record, start));
  CTW_RETURN_IF_ERROR(ReloadProgress());
  started_ = true;
  return OkStatus();
}

Result<SignedTreeHead> Tailer::FetchAndRecordHead() {
  if (!Paced()) return MakeError(ErrorCode::kCancelled, "stopping");
  Result<SignedTreeHead> head = source_->FetchHead();
  if (!head.has_value()) {
    if (head.error().code == ErrorCode::kVerification) {
      FindingDraft f{.kind = "log_bad_signature", .severity = Severity::kHigh,
                     .detail = log_.description + " served a tree head that does not verify: " +
                               head.error().message,
                     .dedup_key = "log_bad_signature:" + Hex(log_.log_id) + ":" + Today()};
      CTW_RETURN_IF_ERROR(store_->AddFinding(f, log_.log_id, std::nullopt));
    }
    return head.error();
  }
  CTW_ASSIGN_OR_RETURN(std::optional<Sha256Hash> other,
                       store_->RecordTreeHead(log_.log_id, {.tree_size = head->tree_size,
                                                            .timestamp_ms = head->timestamp_ms,
                                                            .root = head->root,
                                                            .signature = head->signature}));
  if (other.has_value()) {
    const std::string detail = log_.description + " signed two different roots for tree size " +
                               std::to_string(head->tree_size) + ": " + Base64Encode(*other) +
                               " and " + Base64Encode(head->root);
    FindingDraft f{.kind = "log_split_view", .severity = Severity::kCritical, .detail = detail,
                   .dedup_key = "log_split_view:" + Hex(log_.log_id) + ":" +
                                std::to_string(head->tree_size)};
    CTW_RETURN_IF_ERROR(store_->AddFinding(f, log_.log_id, head->tree_size));
    return MakeError(ErrorCode::kVerification, detail);
  }
  stats_.head_size = head->tree_size;
  return head;
}

Status Tailer::Cycle() {
  if (!started_) CTW_RETURN_IF_ERROR(Start());
  CTW_ASSIGN_OR_RETURN(SignedTreeHead head, FetchAndRecordHead());
  // A readonly log ends at the final tree head of the (signed) log list.
  if (log_.final_tree_head.has_value() && head.tree_size >= log_.final_tree_head->tree_size) {
    head.tree_size = log_.final_tree_head->tree_size;
    head.root = log_.final_tree_head->root;
  }
  if (head.tree_size != head_unchanged_since_size_) {
    head_unchanged_since_size_ = head.tree_size;
    head_unchanged_since_ms_ = MonotonicMs();
  }
  if (head.tree_size < progress_.position ||
      (head.tree_size == progress_.verified_size && progress_.position == head.tree_size)) {
    return OkStatus();  // nothing new (or a stale head from a lagging frontend)
  }
  // Static logs are read in full tiles; the last partial tile only when it has stayed partial
  // for a while (or when asked to finish, --once).
  const bool allow_partial =
      log_.api == LogApi::kRfc6962 || options_.once ||
      MonotonicMs() - head_unchanged_since_ms_ >= options_.tailing.partial_tile_wait_ms;
  return ProcessTo(head, head.tree_size, allow_partial);
}

Status Tailer::ProcessTo(const SignedTreeHead& head, uint64_t end, bool allow_partial) {
  const uint64_t fetch_end =
      log_.api == LogApi::kStatic && !allow_partial ? end - end % kTileWidth : end;
  // One policy per batch: a reload applies from the first entry after the next commit.
  std::shared_ptr<const Matcher> matcher = matcher_->Get();
  Pending pending;
  pending.batch.log_id = log_.log_id;
  pending.batch.start = progress_.position;
  Status fetched = OkStatus();
  if (range_.size() < fetch_end) {
    const FetchPlan plan{.api = log_.api,
                         .start = range_.size(),
                         .end = fetch_end,
                         .batch_size = options_.tailing.batch_size,
                         .parallel = options_.tailing.parallel_fetches,
                         .allow_partial = allow_partial};
    fetched = FetchInOrder(pool_.get(), plan, [&](std::vector<LogEntry>& entries) -> Status {
      for (LogEntry& e : entries) ProcessEntry(e, *matcher, &pending);
      if (pending.entries >= options_.commit_every_entries ||
          MonotonicMs() - pending.opened_ms >= options_.commit_every_ms) {
        CTW_RETURN_IF_ERROR(Commit(&pending, std::nullopt));
        matcher = matcher_->Get();
      }
      if (stopper_.stopped()) return MakeError(ErrorCode::kCancelled, "stopping");
      return OkStatus();
    });
  }
  if (!fetched.has_value()) {
    // Keep what was processed; it stays unverified until a later cycle reaches a head.
    CTW_RETURN_IF_ERROR(Commit(&pending, std::nullopt));
    return fetched;
  }
  return VerifyAt(head, &pending);
}

void Tailer::ProcessEntry(LogEntry& e, const Matcher& matcher, Pending* pending) {
  range_.Append(e.leaf_hash);
  ++pending->entries;
  ++stats_.entries;
  JudgedEntry judged = JudgeEntry(e, matcher, issuance_, source_.get(), log_.description);
  switch (judged.kind) {
    case JudgedEntry::Kind::kIgnored:
      return;
    case JudgedEntry::Kind::kMatched:
      ++stats_.matches;
      pending->batch.matches.push_back(std::move(judged.match));
      return;
    case JudgedEntry::Kind::kMalformed:
      break;
  }
  ++stats_.malformed;
  MalformedEntry m;
  m.index = e.index;
  m.error = judged.error;
  m.leaf_input = !e.raw_leaf.empty() ? e.raw_leaf
                                     : EncodeMerkleTreeLeaf(e.timestamp_ms, e.type, e.certificate,
                                                            e.issuer_key_hash, e.extensions);
  m.extra_data = e.extra_data;
  m.finding = FindingDraft{
      .kind = "malformed_entry", .severity = Severity::kMedium,
      .detail = log_.description + " entry " + std::to_string(e.index) + ": " + judged.error,
      .dedup_key = "malformed_entry:" + Hex(log_.log_id) + ":" + std::to_string(e.index)};
  pending->batch.malformed.push_back(std::move(m));
}

Status Tailer::Commit(Pending* pending, std::optional<VerifiedHead> verified) {
  IngestBatch& b = pending->batch;
  b.end = range_.size();
  b.compact_range = range_.Serialize();
  b.verified = verified;
  Status s = store_->CommitBatch(b);
  if (!s.has_value()) {
    // The stored position moved under us (another process?): start over from the store.
    (void)ReloadProgress();
    return s;
  }
  progress_.position = b.end;
  progress_.compact_range = b.compact_range;
  if (verified.has_value()) {
    progress_.verified_size = b.end;
    progress_.verified_range = b.compact_range;
    progress_.verified_root = verified->root;
    stats_.verified_size = b.end;
  }
  b.start = b.end;
  b.matches.clear();
  b.malformed.clear();
  pending->entries = 0;
  pending->opened_ms = MonotonicMs();
  return OkStatus();
}

Status Tailer::VerifyAt(const SignedTreeHead& head, Pending* pending) {
  const uint64_t size = range_.size();
  if (size == head.tree_size) {
    const Sha256Hash root = range_.Root();
    if (root != head.root) return Inconsistent(head, root, size);
    return Commit(pending, VerifiedHead{.tree_size = size, .root = root});
  }
  // A static log read up to its last full tile: the leaf hashes of the partial tail (from the
  // hash tiles) must complete our range to the signed root.
  if (!Paced()) return MakeError(ErrorCode::kCancelled, "stopping");
  Result<std::vector<Sha256Hash>> tail = source_->FetchLeafHashes(size, head.tree_size);
  if (!tail.has_value()) {
    CTW_RETURN_IF_ERROR(Commit(pending, std::nullopt));
    return tail.error();
  }
  CompactRange extended = range_;
  for (const Sha256Hash& h : *tail) extended.Append(h);
  if (extended.size() != head.tree_size || extended.Root() != head.root) {
    return Inconsistent(head, extended.Root(), head.tree_size);
  }
  return Commit(pending, VerifiedHead{.tree_size = size, .root = range_.Root()});
}

Status Tailer::Inconsistent(const SignedTreeHead& head, const Sha256Hash& computed, uint64_t size) {
  const std::string detail =
      log_.description + ": root recomputed from the entries for tree size " + std::to_string(size) +
      " is " + Base64Encode(computed) + ", the signed root is " + Base64Encode(head.root) +
      "; entries from " + std::to_string(progress_.verified_size) + " on are not trusted";
  FindingDraft f{.kind = "log_inconsistent", .severity = Severity::kCritical, .detail = detail,
                 .dedup_key = "log_inconsistent:" + Hex(log_.log_id) + ":" +
                              std::to_string(size) + ":" + Hex(head.root)};
  CTW_RETURN_IF_ERROR(store_->AddFinding(f, log_.log_id, size));
  CTW_RETURN_IF_ERROR(store_->RollbackUnverified(log_.log_id));
  CTW_RETURN_IF_ERROR(ReloadProgress());
  return MakeError(ErrorCode::kVerification, detail);
}

}  // namespace ctwatch
