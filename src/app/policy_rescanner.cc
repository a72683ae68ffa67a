// Rescanner; see policy_rescanner.h. Entry handling follows Tailer::ProcessEntry (names first,
// then facts and the chain only for entries that concern the owner).
#include "app/policy_rescanner.h"

#include <deque>
#include <future>

#include "cert/tbs.h"
#include "core/backoff.h"
#include "core/encoding.h"
#include "core/log.h"
#include "ctlog/merkle.h"
#include "monitor/stopper.h"

namespace ctwatch {
namespace {

CertificateRecord ToRecord(const CertFacts& f, const LogEntry& e) {
  CertificateRecord r;
  r.identity = f.identity;
  r.entry_type = EntryTypeName(f.entry_type);
  if (f.cert_sha256 != Sha256Hash{}) r.cert_sha256 = f.cert_sha256;
  r.subject_dn = f.subject_dn;
  r.issuer_dn = f.issuer_dn;
  r.serial_hex = f.serial_hex;
  r.not_before_ms = f.not_before_ms;
  r.not_after_ms = f.not_after_ms;
  r.spki_sha256 = f.spki_sha256;
  r.issuer_key_hash = f.issuer_key_hash;
  r.authority_key_id = f.authority_key_id;
  r.names = AllNames(f.names);
  r.der = e.type == EntryType::kCert || e.precertificate.empty() ? e.certificate : e.precertificate;
  return r;
}

}  // namespace

Rescanner::Rescanner(LogInfo log, TailingOptions tailing, Store* store,
                     std::shared_ptr<const Matcher> matcher, LogSourceFactory sources)
    : log_(std::move(log)),
      tailing_(tailing),
      store_(store),
      matcher_(std::move(matcher)),
      sources_(std::move(sources)) {}

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
  std::deque<std::future<Result<std::vector<LogEntry>>>> in_flight;
  uint64_t next = from;
  while (range.size() < report.end) {
    while (static_cast<int>(in_flight.size()) < tailing_.parallel_fetches && next < report.end) {
      uint64_t range_end =
          std::min<uint64_t>(next + static_cast<uint64_t>(tailing_.batch_size), report.end);
      if (log_.api == LogApi::kStatic)
        range_end = std::min<uint64_t>(next - next % kTileWidth + kTileWidth, report.end);
      in_flight.push_back(pool.Submit({.start = next, .end = range_end, .allow_partial = true}));
      next = range_end;
    }
    if (in_flight.empty()) break;
    Result<std::vector<LogEntry>> got = in_flight.front().get();
    in_flight.pop_front();
    if (!got.has_value()) {
      stopper.Stop();
      for (auto& f : in_flight) f.wait();
      return got.error().WithContext("rescan of " + log_.description);
    }
    for (LogEntry& e : *got) {
      if (e.index != range.size()) return MakeError(ErrorCode::kInternal, "entries out of order");
      range.Append(e.leaf_hash);
      ++report.entries;
      if (e.malformed()) {
        ++report.malformed;
        continue;
      }
      ByteView tbs = e.certificate;
      if (e.type == EntryType::kCert) {
        Result<ByteView> t = CertificateTbs(e.certificate);
        if (!t.has_value()) {
          ++report.malformed;
          continue;
        }
        tbs = *t;
      }
      Result<CertNames> names = ExtractNames(tbs);
      if (!names.has_value()) {
        ++report.malformed;
        continue;
      }
      if (!matcher_->Concerns(*names)) continue;
      if (e.type == EntryType::kCert && e.chain.empty() && !e.chain_fingerprints.empty()) {
        if (Status chain = source->FetchChain(&e); !chain.has_value()) {
          spdlog::warn("{}: entry {}: no issuer certificate: {}", log_.description, e.index,
                       chain.error().ToString());
        }
      }
      Result<CertFacts> facts =
          e.type == EntryType::kCert
              ? FactsFromCertificate(e.certificate,
                                     e.chain.empty() ? ByteView() : ByteView(e.chain[0]))
              : FactsFromPrecert(e.certificate, e.issuer_key_hash, e.precertificate);
      if (!facts.has_value()) {
        ++report.malformed;
        continue;
      }
      MatchedEntry m;
      m.index = e.index;
      m.timestamp_ms = e.timestamp_ms;
      m.certificate = ToRecord(*facts, e);
      m.findings = matcher_->Judge(*facts);
      batch.matches.push_back(std::move(m));
    }
  }
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
