// Corpus: see corpus.h. Thread-safety: shared_mutex for readers, append_mu_ for writers.
#include "testlog/corpus.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/encoding.h"
#include "cert/tbs.h"
#include "core/sha256.h"
#include "ctlog/entry.h"
#include "ctlog/merkle.h"
#include "testlog/name_generator.h"

namespace ctwatch::testlog {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// C2SP static-ct-api: Extension { ExtensionType extension_type = leaf_index(0);
// opaque extension_data<0..2^16-1> } with extension_data = uint40 LeafIndex.
Bytes LeafIndexExtension(uint64_t index) {
  Bytes out = {0x00, 0x00, 0x05};
  for (int shift = 32; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(index >> shift));
  return out;
}

void FinishContent(EntryContent* content) {
  content->chain_fingerprints.clear();
  for (const Bytes& cert : content->chain) content->chain_fingerprints.push_back(Sha256(cert));
  content->extra_data = EncodeExtraData(content->type, content->precertificate, content->chain);
  content->extra_data_b64 = Base64Encode(content->extra_data);
}

}  // namespace

Bytes EntryView::MerkleTreeLeaf() const {
  return EncodeMerkleTreeLeaf(timestamp_ms, content->type, content->certificate,
                              content->issuer_key_hash, extensions);
}

void EntryView::AppendTileLeaf(Bytes* tile) const {
  ctwatch::AppendTileLeaf(tile, timestamp_ms, content->type, content->certificate,
                          content->issuer_key_hash, content->precertificate,
                          content->chain_fingerprints, extensions);
}

Sha256Hash EntryView::LeafHash() const { return ctwatch::LeafHash(MerkleTreeLeaf()); }

std::string ManifestRecord::ToJsonLine() const {
  nlohmann::json j;
  j["index"] = index;
  j["entry_type"] = EntryTypeName(type);
  j["identity"] = malformed ? std::string() : HexEncode(identity);
  j["cert_sha256"] = HexEncode(cert_sha256);
  j["leaf_hash"] = HexEncode(leaf_hash);
  j["names"] = names;
  j["malformed"] = malformed;
  return j.dump();
}

Corpus::~Corpus() {
  if (manifest_file_ != nullptr) std::fclose(manifest_file_);
}

CertificateRequest Corpus::NextRequest(std::vector<std::string> names, IssuerCa issuer) {
  CertificateRequest request;
  request.names = std::move(names);
  request.issuer = issuer;
  const uint64_t serial = SplitMix64(seed_ * 0x100000001b3ULL + ++serial_counter_);
  const uint64_t serial2 = SplitMix64(serial);
  for (int shift = 56; shift >= 0; shift -= 8) request.serial.push_back(uint8_t(serial >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) request.serial.push_back(uint8_t(serial2 >> shift));
  request.serial[0] &= 0x7f;
  // Issued 1..60 days ago, valid for 90 days.
  const int64_t age_days = 1 + static_cast<int64_t>(serial2 % 60);
  request.not_before_s = now_s_ - age_days * 86400;
  request.not_after_s = request.not_before_s + 90 * 86400;
  return request;
}

Status Corpus::BuildPool(size_t pool_size, uint64_t seed, int threads) {
  NameGenerator names(seed);
  chain_inter_root_ = {factory_->intermediate_der(), factory_->root_der()};
  chain_root_ = {factory_->root_der()};
  // Requests first (names and serials in a fixed order), then issuance on several threads.
  // 60% precertificates, 30% final certificates of the intermediate (with SCTs), 10%
  // certificates issued directly by the root.
  std::vector<CertificateRequest> requests;
  for (size_t i = 0; i < pool_size; ++i) {
    requests.push_back(
        NextRequest(names.NextNameSet(), i % 10 < 9 ? IssuerCa::kIntermediate : IssuerCa::kRoot));
  }
  pool_.resize(pool_size);
  std::mutex error_mu;
  std::optional<Error> first_error;
  auto issue = [&](size_t i) -> Status {
    EntryContent& content = pool_[i];
    const size_t kind = i % 10;
    if (kind < 9) {
      CTW_ASSIGN_OR_RETURN(PrecertAndCertificate pair, factory_->IssuePrecertAndCertificate(
                                                           requests[i], &rfc6962_signer_,
                                                           static_cast<uint64_t>(now_s_) * 1000));
      if (kind < 6) {
        content.type = EntryType::kPrecert;
        content.certificate = std::move(pair.tbs);
        content.issuer_key_hash = factory_->intermediate_key_hash();
        content.precertificate = std::move(pair.precert_der);
      } else {
        content.certificate = std::move(pair.cert_der);
      }
      content.chain = chain_inter_root_;
    } else {
      CTW_ASSIGN_OR_RETURN(IssuedCertificate cert, factory_->IssueCertificate(requests[i]));
      content.certificate = std::move(cert.der);
      content.chain = chain_root_;
    }
    FinishContent(&content);
    return OkStatus();
  };
  auto work = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      Status st = issue(i);
      if (!st.has_value()) {
        std::lock_guard lock(error_mu);
        if (!first_error) first_error = st.error();
        return;
      }
    }
  };
  const size_t n_threads = pool_size < 64 ? 1 : static_cast<size_t>(std::max(threads, 1));
  std::vector<std::thread> workers;
  for (size_t t = 1; t < n_threads; ++t) {
    workers.emplace_back(work, pool_size * t / n_threads, pool_size * (t + 1) / n_threads);
  }
  work(0, pool_size / n_threads);
  for (std::thread& worker : workers) worker.join();
  if (first_error) return *first_error;
  return OkStatus();
}

Result<std::unique_ptr<Corpus>> Corpus::Create(const CorpusOptions& options) {
  std::unique_ptr<Corpus> c(new Corpus());
  c->seed_ = options.seed;
  c->leaf_index_extension_ = options.leaf_index_extension;
  const int64_t now_ms = NowMs();
  c->now_s_ = now_ms / 1000;
  c->base_timestamp_ms_ = static_cast<uint64_t>(now_ms) - 2 * 86400 * 1000ULL;
  CTW_ASSIGN_OR_RETURN(c->factory_, CertificateFactory::Create());
  CTW_ASSIGN_OR_RETURN(c->rfc6962_signer_, LogSigner::Create());
  CTW_ASSIGN_OR_RETURN(c->static_signer_, LogSigner::Create());
  int threads = options.hash_threads;
  if (threads <= 0) threads = static_cast<int>(std::min(4u, std::thread::hardware_concurrency()));
  threads = std::max(threads, 1);
  CTW_RETURN_IF_ERROR(c->BuildPool(std::max<size_t>(options.pool_size, 1), options.seed, threads));
  if (!options.manifest_path.empty()) {
    c->manifest_file_ = std::fopen(options.manifest_path.c_str(), "w");
    if (c->manifest_file_ == nullptr) {
      return MakeError(ErrorCode::kIo, "cannot open manifest " + options.manifest_path);
    }
  }

  // The planted items, each precertificate right before its certificate, malformed ones
  // in between, then spread over the initial size.
  std::mt19937_64 rng(options.seed ^ 0x5eed);
  struct Item {
    ManifestRecord record;
    const EntryContent* content;
  };
  std::vector<Item> items;
  for (const auto& names : options.planted) {
    std::vector<ManifestRecord> pair_records;
    CTW_ASSIGN_OR_RETURN(std::vector<const EntryContent*> pair,
                         c->MakePlantedPair(names, &pair_records));
    for (size_t i = 0; i < pair.size(); ++i) items.push_back({pair_records[i], pair[i]});
  }
  for (uint64_t m = 0; m < options.planted_malformed; ++m) {
    Item item;
    item.content = c->MakeMalformed(options.seed + m, &item.record);
    size_t pos = std::uniform_int_distribution<size_t>(0, items.size())(rng);
    if (pos > 0 && pos < items.size() && !items[pos - 1].record.malformed &&
        items[pos - 1].record.type == EntryType::kPrecert) {
      ++pos;  // never between a precertificate and its certificate
    }
    items.insert(items.begin() + static_cast<ptrdiff_t>(pos), item);
  }

  const uint64_t k = items.size();
  const uint64_t n = std::max<uint64_t>(options.initial_size, k);
  std::vector<ManifestRecord> records;
  for (uint64_t i = 0; i < k; ++i) {
    // Spread out: item i lands somewhere in [i*n/k, (i+1)*n/k).
    const uint64_t lo = i * n / k;
    const uint64_t hi = (i + 1) * n / k;
    const uint64_t index = lo + std::uniform_int_distribution<uint64_t>(0, hi - lo - 1)(rng);
    items[i].record.index = index;
    c->special_[index] = items[i].content;
    records.push_back(items[i].record);
  }

  const std::vector<Sha256Hash> hashes = c->HashRange(0, n, threads);
  c->tree_.Reserve(n);
  c->tree_.Append(hashes);
  for (ManifestRecord& record : records) record.leaf_hash = hashes[record.index];
  c->manifest_ = records;
  c->WriteManifest(records);
  return c;
}

Result<std::vector<const EntryContent*>> Corpus::MakePlantedPair(
    const std::vector<std::string>& names, std::vector<ManifestRecord>* records) {
  if (names.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty name set");
  CTW_ASSIGN_OR_RETURN(
      PrecertAndCertificate pair,
      factory_->IssuePrecertAndCertificate(NextRequest(names, IssuerCa::kIntermediate),
                                           &rfc6962_signer_, static_cast<uint64_t>(NowMs())));
  EntryContent precert;
  precert.type = EntryType::kPrecert;
  precert.certificate = pair.tbs;
  precert.issuer_key_hash = factory_->intermediate_key_hash();
  precert.precertificate = pair.precert_der;
  precert.chain = chain_inter_root_;
  FinishContent(&precert);
  EntryContent cert;
  cert.type = EntryType::kCert;
  cert.certificate = pair.cert_der;
  cert.chain = chain_inter_root_;
  FinishContent(&cert);

  ManifestRecord precert_record;
  precert_record.type = EntryType::kPrecert;
  precert_record.identity = pair.identity;
  precert_record.cert_sha256 = Sha256(pair.precert_der);
  precert_record.names = names;
  ManifestRecord cert_record = precert_record;
  cert_record.type = EntryType::kCert;
  cert_record.cert_sha256 = Sha256(pair.cert_der);
  records->push_back(precert_record);
  records->push_back(cert_record);

  std::unique_lock lock(mu_);
  special_contents_.push_back(std::move(precert));
  const EntryContent* first = &special_contents_.back();
  special_contents_.push_back(std::move(cert));
  return std::vector<const EntryContent*>{first, &special_contents_.back()};
}

const EntryContent* Corpus::MakeMalformed(uint64_t salt, ManifestRecord* record) {
  EntryContent content;
  content.type = EntryType::kCert;
  std::mt19937_64 rng(SplitMix64(salt));
  if (salt % 2 == 0) {
    // A real certificate cut short: its outer DER length claims more than is there.
    const Bytes& whole = pool_[salt % pool_.size()].certificate;
    content.certificate.assign(whole.begin(), whole.end() - std::min<size_t>(16, whole.size() / 2));
    if (pool_[salt % pool_.size()].type == EntryType::kPrecert) {
      content.certificate.insert(content.certificate.begin(), {0x30, 0x82, 0x7f, 0xff});
    }
  } else {
    // Random bytes behind a SEQUENCE tag.
    content.certificate = {0x30, 0x82, 0x01, 0x00};
    for (int i = 0; i < 200; ++i) content.certificate.push_back(static_cast<uint8_t>(rng()));
  }
  content.chain = chain_inter_root_;
  FinishContent(&content);
  record->type = EntryType::kCert;
  record->malformed = true;
  record->cert_sha256 = Sha256(content.certificate);
  std::unique_lock lock(mu_);
  special_contents_.push_back(std::move(content));
  return &special_contents_.back();
}

const EntryContent* Corpus::ContentAt(uint64_t index) const {
  auto it = special_.find(index);
  if (it != special_.end()) return it->second;
  return &pool_[SplitMix64(index ^ (seed_ << 1)) % pool_.size()];
}

EntryView Corpus::ViewAt(uint64_t index) const {
  EntryView view;
  view.index = index;
  view.timestamp_ms = base_timestamp_ms_ + index;
  if (!submitted_timestamps_.empty()) {
    auto submitted = submitted_timestamps_.find(index);
    if (submitted != submitted_timestamps_.end()) view.timestamp_ms = submitted->second;
  }
  view.content = ContentAt(index);
  if (leaf_index_extension_) view.extensions = LeafIndexExtension(index);
  return view;
}

std::vector<Sha256Hash> Corpus::HashRange(uint64_t begin, uint64_t end, int threads) const {
  std::vector<Sha256Hash> out(end - begin);
  auto work = [&](uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) out[i - begin] = ViewAt(i).LeafHash();
  };
  const uint64_t count = end - begin;
  if (threads <= 1 || count < 4096) {
    work(begin, end);
    return out;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const uint64_t from = begin + count * static_cast<uint64_t>(t) / static_cast<uint64_t>(threads);
    const uint64_t to =
        begin + count * static_cast<uint64_t>(t + 1) / static_cast<uint64_t>(threads);
    pool.emplace_back(work, from, to);
  }
  for (std::thread& thread : pool) thread.join();
  return out;
}

void Corpus::WriteManifest(const std::vector<ManifestRecord>& records) {
  if (manifest_file_ == nullptr) return;
  std::vector<const ManifestRecord*> sorted;
  for (const ManifestRecord& record : records) sorted.push_back(&record);
  std::sort(sorted.begin(), sorted.end(),
            [](const ManifestRecord* a, const ManifestRecord* b) { return a->index < b->index; });
  for (const ManifestRecord* record : sorted) {
    const std::string line = record->ToJsonLine() + "\n";
    std::fwrite(line.data(), 1, line.size(), manifest_file_);
  }
  std::fflush(manifest_file_);
}

uint64_t Corpus::size() const {
  std::shared_lock lock(mu_);
  return tree_.size();
}

std::vector<const Bytes*> Corpus::Issuers() const {
  std::vector<const Bytes*> out = {&factory_->root_der(), &factory_->intermediate_der()};
  std::shared_lock lock(mu_);
  for (const Bytes& issuer : submitted_issuers_) out.push_back(&issuer);
  return out;
}

EntryView Corpus::Entry(uint64_t index) const {
  std::shared_lock lock(mu_);
  return ViewAt(index);
}

std::vector<EntryView> Corpus::Entries(uint64_t begin, uint64_t end) const {
  std::shared_lock lock(mu_);
  std::vector<EntryView> out;
  out.reserve(end - begin);
  for (uint64_t i = begin; i < end; ++i) out.push_back(ViewAt(i));
  return out;
}

Sha256Hash Corpus::RootAt(uint64_t tree_size) const {
  std::shared_lock lock(mu_);
  return tree_.RootAt(tree_size);
}

std::pair<uint64_t, Sha256Hash> Corpus::Head() const {
  std::shared_lock lock(mu_);
  return {tree_.size(), tree_.RootAt(tree_.size())};
}

std::vector<Sha256Hash> Corpus::InclusionProof(uint64_t index, uint64_t tree_size) const {
  std::shared_lock lock(mu_);
  return tree_.InclusionProof(index, tree_size);
}

std::vector<Sha256Hash> Corpus::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  std::shared_lock lock(mu_);
  return tree_.ConsistencyProof(size1, size2);
}

std::optional<uint64_t> Corpus::FindLeaf(const Sha256Hash& leaf_hash, uint64_t tree_size) const {
  std::shared_lock lock(mu_);
  return tree_.FindLeaf(leaf_hash, tree_size);
}

std::vector<Sha256Hash> Corpus::Nodes(int level, uint64_t begin, uint64_t end) const {
  std::shared_lock lock(mu_);
  if (end > tree_.NodeCount(level) || begin > end) return {};
  std::vector<Sha256Hash> out;
  out.reserve(end - begin);
  for (uint64_t i = begin; i < end; ++i) out.push_back(tree_.Node(level, i));
  return out;
}

std::vector<ManifestRecord> Corpus::Manifest() const {
  std::shared_lock lock(mu_);
  return manifest_;
}

size_t Corpus::TreeMemoryBytes() const {
  std::shared_lock lock(mu_);
  return tree_.MemoryBytes();
}

Result<uint64_t> Corpus::Grow(uint64_t count) {
  std::lock_guard append_lock(append_mu_);
  const uint64_t begin = size();
  // Only this thread appends, so the indices past the end have no special entries and
  // HashRange may read special_ without mu_ being held exclusively by anyone.
  std::vector<Sha256Hash> hashes;
  {
    std::shared_lock lock(mu_);
    hashes = HashRange(begin, begin + count, count >= 65536 ? 2 : 1);
  }
  std::unique_lock lock(mu_);
  tree_.Append(hashes);
  return tree_.size();
}

Result<std::vector<ManifestRecord>> Corpus::Plant(
    const std::vector<std::vector<std::string>>& sets) {
  std::lock_guard append_lock(append_mu_);
  const uint64_t begin = size();
  std::vector<ManifestRecord> records;
  std::vector<const EntryContent*> contents;
  for (const auto& names : sets) {
    CTW_ASSIGN_OR_RETURN(std::vector<const EntryContent*> pair, MakePlantedPair(names, &records));
    contents.insert(contents.end(), pair.begin(), pair.end());
  }
  std::vector<Sha256Hash> hashes;
  {
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].index = begin + i;
      special_[begin + i] = contents[i];
      hashes.push_back(ViewAt(begin + i).LeafHash());
      records[i].leaf_hash = hashes.back();
    }
    tree_.Append(hashes);
    manifest_.insert(manifest_.end(), records.begin(), records.end());
  }
  WriteManifest(records);
  return records;
}

Result<SubmittedEntry> Corpus::Submit(EntryType type, const std::vector<Bytes>& chain) {
  if (chain.size() < 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "chain: the certificate and at least its issuer are required");
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    if (!CertificateTbs(chain[i]).has_value()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "chain[" + std::to_string(i) + "] is not a DER certificate");
    }
  }
  CTW_ASSIGN_OR_RETURN(ByteView tbs, CertificateTbs(chain[0]));
  CTW_ASSIGN_OR_RETURN(ParsedTbs parsed, ParseTbs(tbs));
  CTW_ASSIGN_OR_RETURN(std::optional<ByteView> poison, parsed.FindExtension(oid::kCtPoison));
  if (type == EntryType::kPrecert && !poison.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "add-pre-chain: chain[0] has no poison extension (1.3.6.1.4.1.11129.2.4.3)");
  }
  if (type == EntryType::kCert && poison.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "add-chain: chain[0] is a precertificate (use add-pre-chain)");
  }
  std::lock_guard append_lock(append_mu_);
  const Sha256Hash key = Sha256(chain[0]);
  if (auto known = submitted_.find(key); known != submitted_.end()) return known->second;

  EntryContent content;
  content.type = type;
  ManifestRecord record;
  record.type = type;
  record.cert_sha256 = key;
  if (type == EntryType::kPrecert) {
    // PreCert: the TBS without the poison; issuer_key_hash: SHA-256 of the issuer's SPKI.
    CTW_ASSIGN_OR_RETURN(content.certificate, TbsWithoutExtension(tbs, oid::kCtPoison));
    CTW_ASSIGN_OR_RETURN(ByteView issuer_tbs, CertificateTbs(chain[1]));
    CTW_ASSIGN_OR_RETURN(ParsedTbs issuer, ParseTbs(issuer_tbs));
    content.issuer_key_hash = Sha256(issuer.spki);
    content.precertificate = chain[0];
    record.identity = Sha256(content.certificate);
  } else {
    content.certificate = chain[0];
    CTW_ASSIGN_OR_RETURN(Bytes precert_form, TbsWithoutExtension(tbs, oid::kCtSctList));
    record.identity = Sha256(precert_form);
  }
  content.chain.assign(chain.begin() + 1, chain.end());
  FinishContent(&content);
  Result<CertNames> names = ExtractNames(tbs);
  if (names.has_value()) record.names = names->dns_names;

  SubmittedEntry out;
  out.timestamp_ms = static_cast<uint64_t>(NowMs());
  {
    std::unique_lock lock(mu_);
    special_contents_.push_back(std::move(content));
    out.index = tree_.size();
    special_[out.index] = &special_contents_.back();
    submitted_timestamps_[out.index] = out.timestamp_ms;
    for (size_t i = 1; i < chain.size(); ++i) {
      if (std::find(submitted_issuers_.begin(), submitted_issuers_.end(), chain[i]) ==
          submitted_issuers_.end()) {
        submitted_issuers_.push_back(chain[i]);
      }
    }
    const EntryView view = ViewAt(out.index);
    out.extensions = view.extensions;
    record.index = out.index;
    record.leaf_hash = view.LeafHash();
    tree_.Append(std::vector<Sha256Hash>{record.leaf_hash});
    manifest_.push_back(record);
  }
  // The SCT signs what the leaf holds: the entry, its timestamp and its extensions.
  const EntryContent& logged = special_contents_.back();  // stable: deque, append_mu_ held
  Bytes signed_entry;
  if (type == EntryType::kPrecert) {
    signed_entry.assign(logged.issuer_key_hash.begin(), logged.issuer_key_hash.end());
  }
  signed_entry.insert(signed_entry.end(), logged.certificate.begin(), logged.certificate.end());
  CTW_ASSIGN_OR_RETURN(out.sct_signature,
                       rfc6962_signer_.SignSct(out.timestamp_ms,
                                               type == EntryType::kPrecert ? 1 : 0, signed_entry,
                                               out.extensions));
  out.record = record;
  WriteManifest({record});
  submitted_[key] = out;
  return out;
}

Result<std::vector<ManifestRecord>> Corpus::PlantMalformed(uint64_t count) {
  std::lock_guard append_lock(append_mu_);
  const uint64_t begin = size();
  std::vector<ManifestRecord> records(count);
  std::vector<const EntryContent*> contents;
  for (uint64_t i = 0; i < count; ++i) contents.push_back(MakeMalformed(begin + i, &records[i]));
  {
    std::unique_lock lock(mu_);
    std::vector<Sha256Hash> hashes;
    for (uint64_t i = 0; i < count; ++i) {
      records[i].index = begin + i;
      special_[begin + i] = contents[i];
      hashes.push_back(ViewAt(begin + i).LeafHash());
      records[i].leaf_hash = hashes.back();
    }
    tree_.Append(hashes);
    manifest_.insert(manifest_.end(), records.begin(), records.end());
  }
  WriteManifest(records);
  return records;
}

}  // namespace ctwatch::testlog
