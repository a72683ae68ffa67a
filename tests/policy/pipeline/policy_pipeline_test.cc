// The policy end to end: the labelled corpus (tools/corpusgen) planted in the test log server
// and read by the real `ctwatch run --once`, with precision and recall per category from
// what the store then holds; `ctwatch rescan` under a changed policy; `ctwatch audit
// exposure`; and a policy reload (SIGHUP through `ctwatch policy reload`) while the tailer
// ingests a growing log: no entry lost, the new policy in effect from a known point.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/encoding.h"
#include "corpusgen/corpus.h"
#include "corpusgen/corpus_score.h"
#include "integration/harness.h"

namespace ctwatch::testing {
namespace {

using corpusgen::Corpus;
using corpusgen::CorpusItem;
using corpusgen::Observation;
using nlohmann::json;

const std::string kRfc6962Log = "ctwatch test log (RFC 6962)";

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  for (const std::string& line : Lines(text)) out.push_back(json::parse(line));
  return out;
}

std::string Key(std::vector<std::string> names) {
  std::string k;
  for (std::string& n : names) {
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    k += n + " ";
  }
  return k;
}

// The policy section for the corpus, allowing `issuer_key` (hex).
std::string PolicyToml(const Corpus& corpus, const std::string& issuer_key) {
  std::string toml = corpusgen::PolicyToml(corpus);
  const size_t at = toml.find("spki_sha256 = \"") + 15;
  return toml.replace(at, 64, issuer_key);
}

void WriteCorpusConfig(IngestHarness& h, const Corpus& corpus, const std::string& issuer_key) {
  const std::string text =
      "[service]\ndatabase = \"ctwatch.db\"\nlog_level = \"warn\"\n[logs]\n"
      "list = \"loglist.json\"\nstart = \"beginning\"\npoll_interval = \"1s\"\n"
      "requests_per_second = 0\ninclude = [\"" +
      kRfc6962Log + "\"]\n" + PolicyToml(corpus, issuer_key);
  ASSERT_THAT(WriteFileAtomic(h.config(), text), IsOk());
}

// What the store says about each corpus item: its certificate stored or not, and the
// findings about it (by identity; for background names, those naming the name).
std::vector<Observation> Observe(IngestHarness& h, const Corpus& corpus,
                                 const std::map<std::string, std::string>& identity_of) {
  std::set<std::string> stored;
  for (const json& c : JsonLines(h.Run({"certs", "--json", "--limit", "10000000"}).out)) {
    stored.insert(c["identity"].get<std::string>());
  }
  std::map<std::string, std::vector<FindingDraft>> findings;
  for (const json& f : JsonLines(h.Run({"findings", "--json", "--limit", "10000000"}).out)) {
    if (f["identity"].is_null()) continue;
    FindingDraft d{.kind = f["kind"].get<std::string>(),
                   .names = f["names"].get<std::vector<std::string>>(),
                   .detail = f["detail"].get<std::string>()};
    findings[f["identity"].get<std::string>()].push_back(std::move(d));
  }
  std::vector<Observation> out;
  for (const CorpusItem& item : corpus.items) {
    Observation o;
    auto id = identity_of.find(item.category == "background" ? item.target : Key(item.names));
    if (id != identity_of.end()) {
      o.concerned = stored.count(id->second) > 0;
      for (const FindingDraft& f : findings[id->second]) {
        if (item.category == "background" &&
            std::find(f.names.begin(), f.names.end(), item.target) == f.names.end()) {
          continue;
        }
        o.findings.push_back(f);
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

void ExpectTargets(const corpusgen::CorpusScore& score, const std::vector<std::string>& exact) {
  for (const std::string& category : exact) {
    const corpusgen::ScoreRow* row = score.Row(category);
    ASSERT_NE(row, nullptr) << category;
    EXPECT_EQ(row->detected, row->total) << category << ": recall must be 100%";
    EXPECT_EQ(row->flagged_correct, row->flagged) << category << ": precision";
  }
  for (const std::string& technique : corpusgen::CorpusTechniques()) {
    const corpusgen::ScoreRow* row = score.Row("lookalike/" + technique);
    ASSERT_NE(row, nullptr) << technique;
    EXPECT_GE(row->Recall(), 0.95) << technique;
  }
  EXPECT_GE(score.background_total, 100'000u);
  EXPECT_LE(score.FalseLookalikesPer100k(), 1.0);
}

TEST(PolicyPipelineTest, LabelledCorpusThroughTheTestLogAndRescan) {
  auto generated =
      corpusgen::GenerateCorpus({.data_dir = TestDataPath("lookalikes"), .background = 100'000});
  ASSERT_THAT(generated, IsOk());
  Corpus corpus = std::move(generated).value();
  // One certificate per labelled item; background names eight to a certificate.
  std::vector<std::vector<std::string>> plant;
  std::vector<std::string> pending;
  for (const CorpusItem& item : corpus.items) {
    if (item.category != "background") {
      plant.push_back(item.names);
      continue;
    }
    pending.push_back(item.target);
    if (pending.size() == 8) {
      plant.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) plant.push_back(pending);
  IngestHarness h("policy-corpus", SmallLog(500, plant));
  const std::string testlog_ca = HexEncode(h.server().corpus().factory().intermediate_key_hash());

  // The identity of each planted certificate, by its names (background: by each name).
  std::map<std::string, std::string> identity_of;
  for (const PlantedEntry& e : h.Manifest()) {
    identity_of[Key(e.names)] = e.identity;
    if (e.names.size() >= 1) {
      for (const std::string& n : e.names) identity_of.emplace(n, e.identity);
    }
  }

  // 1. The live pipeline, with the test log's CA allowed: no certificate is foreign.
  WriteCorpusConfig(h, corpus, testlog_ca);
  const auto started = std::chrono::steady_clock::now();
  const CtwatchResult run = h.Run({"run", "--once"}, std::chrono::seconds(600));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Corpus allowed = corpus;
  for (CorpusItem& item : allowed.items) {
    if (item.category == "foreign-issuer") item.category = "owned";
    item.foreign_issuer = false;
  }
  const auto live = corpusgen::ScoreCorpus(allowed, Observe(h, allowed, identity_of));
  std::printf("ctwatch run --once over %zu planted certificates (%zu entries): %.1f s\n%s",
              plant.size(), h.server().corpus().size(), seconds, live.Table().c_str());
  for (const std::string& m : live.misses) std::printf("  %s\n", m.c_str());
  ExpectTargets(live, {"owned", "internal"});
  EXPECT_EQ(live.Row("foreign-issuer"), nullptr) << "the test log's CA is allowed";
  // A precertificate and its certificate give one finding per key.
  const auto findings = JsonLines(h.Run({"findings", "--json", "--limit", "10000000"}).out);
  std::set<std::string> keys;
  for (const json& f : findings) {
    const std::string key =
        f["kind"].get<std::string>() + "|" + f["identity"].dump() + "|" + f["names"].dump();
    EXPECT_TRUE(keys.insert(key).second) << key;
  }

  // 2. Another CA allowed: `ctwatch rescan` re-judges the log; every owned name is now foreign.
  const auto position_before = h.Json("logs");
  WriteCorpusConfig(h, corpus, std::string(64, 'a'));
  const CtwatchResult rescan =
      h.Run({"rescan", "--log", kRfc6962Log, "--from", "0"}, std::chrono::seconds(600));
  ASSERT_EQ(rescan.exit_code, 0) << rescan.err;
  EXPECT_NE(rescan.out.find("verified against the verified root"), std::string::npos) << rescan.out;
  EXPECT_EQ(h.Json("logs"), position_before) << "a rescan leaves the live position alone";
  Corpus foreign = corpus;
  for (CorpusItem& item : foreign.items) {
    if (item.category == "owned") item.category = "foreign-issuer";
    // Every certificate with an owned name (internal ones too) now has a foreign issuer.
    if (item.category == "foreign-issuer" || item.category == "internal")
      item.foreign_issuer = true;
  }
  const auto rescored = corpusgen::ScoreCorpus(foreign, Observe(h, foreign, identity_of));
  std::printf("after ctwatch rescan with another CA allowed:\n%s", rescored.Table().c_str());
  ExpectTargets(rescored, {"foreign-issuer", "internal"});
  // Nothing the live run found was found twice.
  EXPECT_EQ(JsonLines(h.Run({"findings", "--json", "--limit", "10000000"}).out).size(),
            findings.size() + rescored.Row("foreign-issuer")->flagged);

  // 3. The audit of one owned domain, from the name index.
  const CtwatchResult audit = h.Run({"audit", "exposure", "contoso.com", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  size_t internal = 0, total = 0;
  for (const json& row : JsonLines(audit.out)) {
    ++total;
    const std::string name = row["name"].get<std::string>();
    EXPECT_TRUE(name == "contoso.com" || name.ends_with(".contoso.com")) << name;
    EXPECT_GE(row["certificates"].get<size_t>(), 1u);
    EXPECT_EQ(row["wildcard"].get<bool>(), name.rfind("*.", 0) == 0);
    if (row["looks_internal"].get<bool>()) ++internal;
  }
  EXPECT_GT(total, 10u);
  EXPECT_GT(internal, 0u);
  const CtwatchResult csv = h.Run({"audit", "exposure", "contoso.com", "--csv"});
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_EQ(Lines(csv.out).size(), total + 1);
  EXPECT_EQ(Lines(csv.out)[0],
            "name,first_seen,last_seen,issuers,certificates,wildcard,looks_internal,valid_now");
}

TEST(PolicyPipelineTest, ReloadUnderLoadLosesNothingAndAppliesFromAKnownPoint) {
  IngestHarness h("policy-reload", SmallLog(2000, {{"a0.alpha.example"}, {"b0.beta.example"}}));
  h.WriteConfig({{"partial_tile_wait", "\"1s\""}}, "\"alpha.example\"");
  auto daemon = h.Start({"run"});
  ASSERT_TRUE(daemon->started());
  auto verified_everywhere = [&](uint64_t size) {
    const auto logs = h.Json("logs", /*must_succeed=*/false);  // no database until it starts
    for (const auto& log : logs) {
      if (log["verified_size"].get<uint64_t>() < size || log["position"].get<uint64_t>() < size)
        return false;
    }
    return logs.size() == 2;
  };
  auto wait_for = [&](uint64_t size) {
    for (int i = 0; i < 600; ++i) {
      if (verified_everywhere(size)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(wait_for(2000)) << Slurp(h.dir() + "/daemon.err");
  std::vector<std::pair<uint64_t, std::string>> beta_planted;  // (index, name)
  int round = 0;
  auto plant = [&] {
    ++round;
    const std::string a = "a" + std::to_string(round) + ".alpha.example";
    const std::string b = "b" + std::to_string(round) + ".beta.example";
    auto records = h.server().corpus().Plant({{a}, {b}});
    ASSERT_THAT(records, IsOk());
    for (const auto& r : *records) {
      if (r.names[0] == b) beta_planted.emplace_back(r.index, b);
    }
    ASSERT_THAT(h.server().corpus().Grow(150), IsOk());
  };
  // Ingestion under way: the log grows while the tailer reads it.
  for (int i = 0; i < 10; ++i) {
    plant();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The new policy also owns beta.example. `policy reload` returns once run confirms; from
  // then on every entry the logs did not yet have is judged by it.
  h.WriteConfig({{"partial_tile_wait", "\"1s\""}}, "\"alpha.example\", \"beta.example\"");
  const CtwatchResult reload = h.Run({"policy", "reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err << Slurp(h.dir() + "/daemon.err");
  EXPECT_NE(reload.out.find("reloaded"), std::string::npos) << reload.out;
  const uint64_t known_point = h.server().corpus().size();
  for (int i = 0; i < 10; ++i) {
    plant();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(wait_for(h.server().corpus().size())) << Slurp(h.dir() + "/daemon.err");

  // No entry lost: every planted alpha certificate, in both logs, at its index.
  const auto manifest = h.Manifest();
  const auto stored = StoredSightings(h.Json("certs"));
  for (const auto& [identity, sightings] :
       ExpectedSightings(manifest, "alpha.example", kBothLogs)) {
    auto it = stored.find(identity);
    ASSERT_NE(it, stored.end()) << identity;
    for (const std::string& s : sightings) EXPECT_EQ(it->second.count(s), 1u) << s;
  }
  // The new policy from the known point on: every beta entry at or after it is stored.
  std::set<std::string> stored_names;
  for (const auto& c : h.Json("certs")) {
    for (const auto& n : c["names"]) stored_names.insert(n.get<std::string>());
  }
  size_t after = 0;
  for (const auto& [index, name] : beta_planted) {
    if (index < known_point) continue;
    ++after;
    EXPECT_EQ(stored_names.count(name), 1u)
        << name << " at " << index << " (reload at " << known_point << ")";
  }
  EXPECT_GE(after, 20u);
  EXPECT_EQ(stored_names.count("b0.beta.example"), 0u)
      << "read before the reload, under the old policy";
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(std::chrono::seconds(20)), 0) << Slurp(h.dir() + "/daemon.err");

  // `rescan --since`: the first entry logged at or after a time, then the range from there.
  uint64_t index = 0, timestamp_ms = 0;
  for (const auto& c : h.Json("certs")) {
    for (const auto& sighting : c["sightings"]) {
      if (sighting["log"] == "ctwatch test log (RFC 6962)" &&
          sighting["index"].get<uint64_t>() > index) {
        index = sighting["index"].get<uint64_t>();
        timestamp_ms =
            static_cast<uint64_t>(*ParseTimeMs(sighting["timestamp"].get<std::string>()));
      }
    }
  }
  ASSERT_GT(index, 2000u);
  const CtwatchResult since = h.Run({"rescan", "--log", "ctwatch test log (RFC 6962)", "--since",
                                     FormatTimeMs(static_cast<int64_t>(timestamp_ms))});
  ASSERT_EQ(since.exit_code, 0) << since.err;
  EXPECT_NE(since.out.find("start at index " + std::to_string(index)), std::string::npos)
      << since.out;
  EXPECT_NE(since.out.find("0 new findings"), std::string::npos) << since.out;
}

}  // namespace
}  // namespace ctwatch::testing
