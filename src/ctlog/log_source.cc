// LogSource over either CT API, and the IssuerCache of static logs.
// - Rfc6962Source: get-sth verified with the log key (RFC 6962 §3.5); get-entries decoded
//   into LogEntry with chains; an undecodable leaf becomes a malformed LogEntry (leaf hash
//   kept, see entry.h) so that the log keeps moving.
// - StaticSource: checkpoint verified as an RFC6962NoteSignature (C2SP static-ct-api); entries
//   from the data tile holding `start`; chains from issuer/<fingerprint>, cached.
// Leaf hashes and proven compact ranges: proven_range.cc, as functions over the clients.
// Thread-safety: a source is used by one thread; IssuerCache is safe to share (mutex).
#include <optional>
#include <string>

#include "ctlog/log_client.h"
#include "ctlog/merkle.h"

namespace ctwatch {
namespace {

std::string FingerprintKey(const Sha256Hash& fingerprint) {
  return std::string(fingerprint.begin(), fingerprint.end());
}

// The verifier of a log, or why its key is unusable (reported by every call).
Result<LogVerifier> MakeVerifier(const LogInfo& log) {
  Result<LogVerifier> verifier = LogVerifier::FromSpki(log.key);
  if (!verifier) return std::move(verifier).error().WithContext(log.description + ": log key");
  return verifier;
}

class Rfc6962Source final : public LogSource {
 public:
  Rfc6962Source(const LogInfo& log, std::unique_ptr<HttpClient> http, ClientLimits limits)
      : description_(log.description),
        verifier_(MakeVerifier(log)),
        http_(std::move(http)),
        client_(http_.get(), log.url, limits) {}

  Result<SignedTreeHead> FetchHead() override {
    if (!verifier_) return verifier_.error();
    CTW_ASSIGN_OR_RETURN(SignedTreeHead sth, client_.GetSth());
    Status verified = verifier_->VerifyTreeHead(sth);
    if (!verified) {
      return MakeError(ErrorCode::kVerification, description_ + ": get-sth of size " +
                                                     std::to_string(sth.tree_size) + ": " +
                                                     verified.error().message);
    }
    return sth;
  }

  Result<std::vector<LogEntry>> FetchEntries(uint64_t start, uint64_t end,
                                             bool /*allow_partial*/) override {
    if (start >= end) return MakeError(ErrorCode::kInvalidArgument, "empty entry range");
    CTW_ASSIGN_OR_RETURN(std::vector<RawEntry> raw, client_.GetEntries(start, end - 1));
    std::vector<LogEntry> entries;
    entries.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      entries.push_back(Decode(start + i, &raw[i]));
    }
    return entries;
  }

  // The chain came with extra_data; decoding it waits until an entry turns out to matter.
  Status FetchChain(LogEntry* entry) override {
    if (entry->extra_data.empty() || !entry->chain.empty()) return OkStatus();
    Status decoded = DecodeRfc6962ExtraData(entry->extra_data, entry);
    if (!decoded) {
      return decoded.error().WithContext(description_ + ": entry " + std::to_string(entry->index));
    }
    entry->extra_data.clear();
    return OkStatus();
  }

  Result<std::vector<Sha256Hash>> FetchLeafHashes(uint64_t start, uint64_t end) override {
    return ctwatch::FetchLeafHashes(&client_, start, end);
  }

  Result<CompactRange> ProvenCompactRange(uint64_t size, const SignedTreeHead& head) override {
    return ctwatch::ProvenCompactRange(&client_, size, head);
  }

 private:
  static LogEntry Decode(uint64_t index, RawEntry* raw) {
    Result<LogEntry> decoded = DecodeRfc6962Entry(index, raw->leaf_input, {});
    if (!decoded) {
      LogEntry entry;
      entry.index = index;
      entry.leaf_hash = LeafHash(raw->leaf_input);
      entry.parse_error = "leaf_input: " + decoded.error().message;
      entry.raw_leaf = std::move(raw->leaf_input);
      return entry;
    }
    LogEntry entry = std::move(decoded).value();
    entry.extra_data = std::move(raw->extra_data);
    return entry;
  }

  std::string description_;
  Result<LogVerifier> verifier_;
  std::unique_ptr<HttpClient> http_;
  Rfc6962Client client_;
};

class StaticSource final : public LogSource {
 public:
  StaticSource(const LogInfo& log, std::unique_ptr<HttpClient> http,
               std::shared_ptr<IssuerCache> issuers, ClientLimits limits)
      : description_(log.description),
        origin_(log.CheckpointOrigin()),
        verifier_(MakeVerifier(log)),
        http_(std::move(http)),
        client_(http_.get(), log.url, limits),
        issuers_(issuers ? std::move(issuers) : std::make_shared<IssuerCache>()) {}

  Result<SignedTreeHead> FetchHead() override {
    if (!verifier_) return verifier_.error();
    CTW_ASSIGN_OR_RETURN(std::string note, client_.GetCheckpoint());
    Result<Checkpoint> checkpoint = VerifyCheckpoint(note, origin_, *verifier_);
    if (!checkpoint)
      return std::move(checkpoint).error().WithContext(description_ + ": checkpoint");
    return std::move(checkpoint->head);
  }

  Result<std::vector<LogEntry>> FetchEntries(uint64_t start, uint64_t end,
                                             bool allow_partial) override {
    if (start >= end) return MakeError(ErrorCode::kInvalidArgument, "empty entry range");
    const uint64_t tile_index = start / kTileWidth;
    const uint64_t tile_start = tile_index * kTileWidth;
    const uint64_t width64 = std::min<uint64_t>(end - tile_start, kTileWidth);
    const auto width = static_cast<unsigned>(width64);
    if (width < kTileWidth && !allow_partial) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       description_ + ": entries from " + std::to_string(start) +
                           " need partial data tile " + DataTilePath(tile_index, width));
    }
    unsigned served = 0;
    CTW_ASSIGN_OR_RETURN(Bytes tile, client_.GetDataTile(tile_index, width, &served));
    Result<std::vector<LogEntry>> decoded = DecodeDataTile(tile_start, tile, served);
    if (!decoded) {
      return std::move(decoded).error().WithContext(description_ + ": " +
                                                    DataTilePath(tile_index, served));
    }
    std::vector<LogEntry>& all = decoded.value();
    const uint64_t stop = std::min<uint64_t>(end, tile_start + served);
    std::vector<LogEntry> entries;
    entries.reserve(static_cast<size_t>(stop - start));
    for (uint64_t i = start; i < stop; ++i) {
      entries.push_back(std::move(all[static_cast<size_t>(i - tile_start)]));
    }
    return entries;
  }

  Status FetchChain(LogEntry* entry) override {
    if (!entry->chain.empty()) return OkStatus();
    std::vector<Bytes> chain;
    chain.reserve(entry->chain_fingerprints.size());
    for (const Sha256Hash& fingerprint : entry->chain_fingerprints) {
      std::shared_ptr<const Bytes> cert = issuers_->Find(fingerprint);
      if (cert == nullptr) {
        Result<Bytes> fetched = client_.GetIssuer(fingerprint);
        if (!fetched) return std::move(fetched).error().WithContext(description_);
        issuers_->Insert(fingerprint, std::move(fetched).value());
        cert = issuers_->Find(fingerprint);
      }
      chain.push_back(*cert);
    }
    entry->chain = std::move(chain);
    return OkStatus();
  }

  Result<std::vector<Sha256Hash>> FetchLeafHashes(uint64_t start, uint64_t end) override {
    return ctwatch::FetchLeafHashes(&client_, start, end);
  }

  Result<CompactRange> ProvenCompactRange(uint64_t size, const SignedTreeHead& head) override {
    return ctwatch::ProvenCompactRange(&client_, size, head);
  }

 private:
  std::string description_;
  std::string origin_;
  Result<LogVerifier> verifier_;
  std::unique_ptr<HttpClient> http_;
  TileClient client_;
  std::shared_ptr<IssuerCache> issuers_;
};

}  // namespace

std::shared_ptr<const Bytes> IssuerCache::Find(const Sha256Hash& fingerprint) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_fingerprint_.find(FingerprintKey(fingerprint));
  return it == by_fingerprint_.end() ? nullptr : it->second;
}

void IssuerCache::Insert(const Sha256Hash& fingerprint, Bytes certificate) {
  auto cert = std::make_shared<const Bytes>(std::move(certificate));
  std::lock_guard<std::mutex> lock(mu_);
  by_fingerprint_.emplace(FingerprintKey(fingerprint), std::move(cert));  // first one wins
}

size_t IssuerCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_fingerprint_.size();
}

std::unique_ptr<LogSource> MakeLogSource(const LogInfo& log, std::unique_ptr<HttpClient> http,
                                         std::shared_ptr<IssuerCache> issuers,
                                         ClientLimits limits) {
  if (log.api == LogApi::kStatic) {
    return std::make_unique<StaticSource>(log, std::move(http), std::move(issuers), limits);
  }
  return std::make_unique<Rfc6962Source>(log, std::move(http), limits);
}

}  // namespace ctwatch
