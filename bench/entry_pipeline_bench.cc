// The per-entry CPU cost of ctwatch's ingestion path, in process, on real log data:
// get-entries JSON -> base64 -> MerkleTreeLeaf decode -> leaf hash -> TBS names -> match,
// and the static-ct-api equivalent on a real data tile. Printed next to the machine's
// SHA-256 speed over the same bytes, which is the floor (every leaf must be hashed).
// Run: build/ci/bin/entry_pipeline_bench (or `make bench`).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "cert/facts.h"
#include "cert/tbs.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/sha256.h"
#include "ctlog/entry.h"
#include "ctlog/log_client.h"
#include "ctlog/merkle.h"

namespace ctwatch {
namespace {

std::string Data(const std::string& relative) {
  auto r = ReadFile(std::string(CTWATCH_SOURCE_DIR) + "/tests/data/entries/" + relative);
  if (!r.has_value()) {
    std::fprintf(stderr, "%s\n", r.error().ToString().c_str());
    std::abort();
  }
  return *r;
}

// A get-entries body of `n` real entries (the 8 real ones repeated), as a log would send it.
std::string Body(size_t n) {
  std::vector<std::string> items;
  for (const char* f : {"ctgo-logclient/get-entries_precert_then_x509.json",
                        "ctgo-scanner/four-entries.get-entries.json",
                        "scrape-ct-log/get-entries_wrapped_x509_then_precert.json",
                        "ctclient-rs/get-entries_wrapped_x509_then_precert.json"}) {
    const std::string text = Data(f);
    auto parsed = ParseGetEntries(text);
    for (const RawEntry& e : *parsed) {
      items.push_back("{\"leaf_input\":\"" + Base64Encode(e.leaf_input) + "\",\"extra_data\":\"" +
                      Base64Encode(e.extra_data) + "\"}");
    }
  }
  std::string body = "{\"entries\":[";
  for (size_t i = 0; i < n; ++i) body += (i ? "," : "") + items[i % items.size()];
  return body + "]}";
}

// What the Tailer does to every entry of an RFC 6962 log (minus the HTTP transfer).
void BM_Rfc6962Entry(benchmark::State& state) {
  const std::string body = Body(256);
  CompactRange range;
  size_t names = 0;
  for (auto _ : state) {
    auto raw = ParseGetEntries(body);
    for (size_t i = 0; i < raw->size(); ++i) {
      auto entry = DecodeRfc6962Entry(i, (*raw)[i].leaf_input, (*raw)[i].extra_data);
      range.Append(entry->leaf_hash);
      ByteView tbs = entry->certificate;
      if (entry->type == EntryType::kCert) tbs = *CertificateTbs(entry->certificate);
      auto n = ExtractNames(tbs);
      names += n->dns_names.size();
    }
  }
  benchmark::DoNotOptimize(names);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 256);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_Rfc6962Entry);

// The same for a static-ct-api data tile (real navigli2025h2 tile, 256 precert entries).
void BM_StaticTileEntry(benchmark::State& state) {
  const std::string tile = Data("static-ct-api/navigli2025h2/tile/data/000");
  CompactRange range;
  size_t names = 0;
  for (auto _ : state) {
    auto entries = DecodeDataTile(0, AsBytes(tile), 256);
    for (const LogEntry& e : *entries) {
      range.Append(e.leaf_hash);
      auto n = ExtractNames(e.certificate);
      names += n->dns_names.size();
    }
  }
  benchmark::DoNotOptimize(names);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 256);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * tile.size()));
}
BENCHMARK(BM_StaticTileEntry);

// Full facts, as for an entry that concerns the owner.
void BM_FactsOfMatchedEntry(benchmark::State& state) {
  const std::string body = Body(8);
  auto raw = ParseGetEntries(body);
  auto entry = DecodeRfc6962Entry(0, (*raw)[1].leaf_input, (*raw)[1].extra_data);
  for (auto _ : state) {
    auto facts = FactsFromCertificate(entry->certificate, entry->chain.empty() ? ByteView() : ByteView(entry->chain[0]));
    benchmark::DoNotOptimize(facts);
  }
}
BENCHMARK(BM_FactsOfMatchedEntry);

// The floor: SHA-256 over one average leaf (what LeafHash must do anyway).
void BM_Sha256OfLeaf(benchmark::State& state) {
  const Bytes leaf(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(leaf));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256OfLeaf)->Arg(1500)->Arg(16384);

}  // namespace
}  // namespace ctwatch

BENCHMARK_MAIN();
