// Unit tests of the test log's parts that need no server: MerkleLevels against the
// reference Merkle functions of src/ctlog, the fault specs, the certificate factory and the
// corpus plan.
#include <gtest/gtest.h>

#include <set>

#include "cert/facts.h"
#include "core/sha256.h"
#include "ctlog/merkle.h"
#include "test_util.h"
#include "testlog/cert_factory.h"
#include "testlog/corpus.h"
#include "testlog/faults.h"
#include "testlog/log_signer.h"
#include "testlog/merkle_levels.h"
#include "testlog/name_generator.h"
#include "testlog/static_api.h"
#include "testlog/test_log_server.h"

namespace ctwatch::testlog {
namespace {

using ::ctwatch::testing::IsOk;

std::vector<Sha256Hash> SomeLeaves(size_t n) {
  std::vector<Sha256Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(LeafHash(AsBytes("leaf " + std::to_string(i))));
  return out;
}

std::vector<Bytes> ToBytesList(const std::vector<Sha256Hash>& hashes) {
  std::vector<Bytes> out;
  for (const Sha256Hash& h : hashes) out.emplace_back(h.begin(), h.end());
  return out;
}

TEST(MerkleLevelsTest, RootsMatchTheReferenceAtEverySize) {
  const std::vector<Sha256Hash> leaves = SomeLeaves(300);
  MerkleLevels tree;
  // Appended in uneven batches, checked at every size.
  size_t appended = 0;
  for (size_t batch : {1u, 2u, 5u, 60u, 1u, 100u, 131u}) {
    tree.Append(std::span(leaves).subspan(appended, batch));
    appended += batch;
  }
  ASSERT_EQ(tree.size(), 300u);
  EXPECT_EQ(tree.RootAt(0), EmptyTreeRoot());
  for (size_t n = 1; n <= 300; ++n) {
    ASSERT_EQ(tree.RootAt(n), RootFromLeafHashes(std::span(leaves).first(n))) << n;
  }
  EXPECT_EQ(tree.NodeCount(8), 1u);  // one complete 256-leaf subtree
  EXPECT_EQ(tree.Node(8, 0), RootFromLeafHashes(std::span(leaves).first(256)));
}

TEST(MerkleLevelsTest, InclusionAndConsistencyProofsVerify) {
  const std::vector<Sha256Hash> leaves = SomeLeaves(70);
  MerkleLevels tree;
  tree.Append(leaves);
  for (uint64_t n = 1; n <= 70; ++n) {
    const Sha256Hash root = tree.RootAt(n);
    for (uint64_t i = 0; i < n; ++i) {
      const auto proof = ToBytesList(tree.InclusionProof(i, n));
      ASSERT_THAT(VerifyInclusion(i, n, leaves[i], proof, root), IsOk()) << i << "/" << n;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      const auto proof = ToBytesList(tree.ConsistencyProof(m, n));
      ASSERT_THAT(VerifyConsistency(m, n, proof, tree.RootAt(m), root), IsOk()) << m << "/" << n;
    }
  }
  EXPECT_EQ(tree.FindLeaf(leaves[33], 70), std::optional<uint64_t>(33));
  EXPECT_EQ(tree.FindLeaf(leaves[33], 33), std::nullopt);
}

TEST(FaultSpecTest, ParsesEveryKindAndRejectsNonsense) {
  auto status = ParseFaultSpec(
      R"({"type":"status","status":429,"count":3,"retry_after":2,"path_prefix":"/static/"})");
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->kind, FaultKind::kStatus);
  EXPECT_EQ(status->status, 429);
  EXPECT_EQ(status->count, 3u);
  EXPECT_EQ(status->retry_after_s, 2);
  EXPECT_EQ(status->path_prefix, "/static/");
  EXPECT_THAT(ParseFaultSpec(R"({"type":"delay","delay_ms":5})"), IsOk());
  EXPECT_THAT(ParseFaultSpec(R"({"type":"truncate","abort":true})"), IsOk());
  EXPECT_THAT(ParseFaultSpec(R"({"type":"cap_entries","max_entries":3})"), IsOk());
  EXPECT_THAT(ParseFaultSpec(R"({"type":"bad_signature"})"), IsOk());
  EXPECT_THAT(ParseFaultSpec(R"({"type":"split_view","tree_size":10})"), IsOk());
  EXPECT_THAT(ParseFaultSpec(R"({"type":"corrupt_leaf","index":0})"), IsOk());

  EXPECT_FALSE(ParseFaultSpec("not json").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"explode"})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"status","status":200})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"status","bogus":1})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"status","count":-1})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"cap_entries"})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"delay"})").has_value());
  EXPECT_FALSE(ParseFaultSpec(R"({"type":"corrupt_leaf"})").has_value());
}

TEST(FaultInjectorTest, CountsPrefixesAndReset) {
  FaultInjector faults;
  FaultSpec spec;
  spec.kind = FaultKind::kStatus;
  spec.count = 2;
  spec.path_prefix = "/static/";
  faults.Add(spec);
  EXPECT_FALSE(faults.Take(FaultKind::kStatus, "/rfc6962/ct/v1/get-sth"));
  EXPECT_FALSE(faults.Take(FaultKind::kStatus, "/admin/state"));
  EXPECT_TRUE(faults.Take(FaultKind::kStatus, "/static/checkpoint"));
  EXPECT_TRUE(faults.Take(FaultKind::kStatus, "/static/tile/0/000"));
  EXPECT_FALSE(faults.Take(FaultKind::kStatus, "/static/checkpoint"));
  EXPECT_EQ(faults.fired(FaultKind::kStatus), 2u);

  FaultSpec forever;
  forever.kind = FaultKind::kCorruptLeaf;
  forever.count = 0;
  forever.leaf_index = 5;
  faults.Add(forever);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(faults.TakeCorruptLeaves("/x", 0, 10), std::vector<uint64_t>{5});
  }
  EXPECT_TRUE(faults.TakeCorruptLeaves("/x", 6, 10).empty());
  EXPECT_EQ(faults.StateJson()["active"].size(), 1u);
  faults.Reset();
  EXPECT_TRUE(faults.TakeCorruptLeaves("/x", 0, 10).empty());
  EXPECT_EQ(faults.fired(FaultKind::kCorruptLeaf), 0u);
}

TEST(CertificateFactoryTest, PrecertAndCertificateShareTheIdentity) {
  auto factory = CertificateFactory::Create();
  ASSERT_THAT(factory, IsOk());
  auto signer = LogSigner::Create();
  ASSERT_THAT(signer, IsOk());
  CertificateRequest request;
  request.names = {"a.planted.example", "b.planted.example", "192.0.2.7"};
  request.serial = {0x12, 0x34};
  request.not_before_s = 1700000000;
  request.not_after_s = 1700000000 + 90 * 86400;
  auto pair = (*factory)->IssuePrecertAndCertificate(request, &*signer, 1700000000000);
  ASSERT_THAT(pair, IsOk());
  EXPECT_EQ(pair->identity, Sha256(pair->tbs));

  // OpenSSL's view and src/cert's view of the precert-form TBS agree with the factory.
  auto cert_tbs = PrecertFormTbsWithOpenSsl(pair->cert_der);
  auto precert_tbs = PrecertFormTbsWithOpenSsl(pair->precert_der);
  ASSERT_THAT(cert_tbs, IsOk());
  ASSERT_THAT(precert_tbs, IsOk());
  EXPECT_EQ(*cert_tbs, pair->tbs);
  EXPECT_EQ(*precert_tbs, pair->tbs);
  auto cert_identity = IdentityOfCertificate(pair->cert_der);
  ASSERT_THAT(cert_identity, IsOk());
  EXPECT_EQ(*cert_identity, pair->identity);
  auto precert_facts = FactsFromPrecertificate(pair->precert_der, (*factory)->intermediate_der());
  ASSERT_THAT(precert_facts, IsOk());
  EXPECT_EQ(precert_facts->identity, pair->identity);
  EXPECT_EQ(precert_facts->issuer_key_hash, (*factory)->intermediate_key_hash());

  auto facts = FactsFromCertificate(pair->cert_der, (*factory)->intermediate_der());
  ASSERT_THAT(facts, IsOk());
  EXPECT_EQ(facts->names.dns_names,
            (std::vector<std::string>{"a.planted.example", "b.planted.example"}));
  EXPECT_EQ(facts->names.ip_addresses, std::vector<std::string>{"192.0.2.7"});
  EXPECT_EQ(facts->names.common_names, std::vector<std::string>{"a.planted.example"});
  EXPECT_EQ(facts->issuer_key_hash, (*factory)->intermediate_key_hash());
  EXPECT_FALSE(facts->is_ca);
}

TEST(CorpusTest, SeedFixesNamesAndPlantedIndices) {
  CorpusOptions options;
  options.initial_size = 500;
  options.pool_size = 20;
  options.seed = 42;
  options.planted = {{"x.planted.example"}, {"y.planted.example", "z.planted.example"}};
  options.planted_malformed = 2;
  auto a = Corpus::Create(options);
  auto b = Corpus::Create(options);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  const auto ma = (*a)->Manifest();
  const auto mb = (*b)->Manifest();
  ASSERT_EQ(ma.size(), 6u);
  ASSERT_EQ(mb.size(), 6u);
  std::set<uint64_t> indices;
  for (size_t i = 0; i < ma.size(); ++i) {
    EXPECT_EQ(ma[i].index, mb[i].index);
    EXPECT_EQ(ma[i].names, mb[i].names);
    EXPECT_EQ(ma[i].malformed, mb[i].malformed);
    EXPECT_LT(ma[i].index, 500u);
    indices.insert(ma[i].index);
  }
  EXPECT_EQ(indices.size(), 6u);  // distinct
  // Spread out: not all in one corner of the tree.
  EXPECT_LT(*indices.begin(), 250u);
  EXPECT_GE(*indices.rbegin(), 250u);
  // A precertificate always comes before its certificate.
  for (size_t i = 0; i + 1 < ma.size(); ++i) {
    if (!ma[i].malformed && ma[i].type == EntryType::kPrecert) {
      size_t j = i + 1;
      while (ma[j].malformed) ++j;
      EXPECT_EQ(ma[j].type, EntryType::kCert);
      EXPECT_EQ(ma[j].identity, ma[i].identity);
      EXPECT_GT(ma[j].index, ma[i].index);
    }
  }
  // Background names are the same with the same seed.
  for (uint64_t i = 0; i < 50; ++i) {
    EXPECT_EQ((*a)->Entry(i).content->type, (*b)->Entry(i).content->type);
  }
}

TEST(NameGeneratorTest, VariedNamesAndPlantLines) {
  NameGenerator gen(3);
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    for (const std::string& name : gen.NextNameSet()) {
      EXPECT_FALSE(name.ends_with(".example") || name.ends_with(".test")) << name;
      seen.insert(name);
    }
  }
  EXPECT_GT(seen.size(), 700u);
  EXPECT_EQ(ParseNameLine("  A.Example  www.a.example "),
            (std::vector<std::string>{"a.example", "www.a.example"}));
  EXPECT_TRUE(ParseNameLine("# comment").empty());
  EXPECT_EQ(ParseNameLines("a.example\n\n# x\nb.example c.example\n").size(), 2u);
}

TEST(TilePathTest, OnlyCanonicalPathsParse) {
  auto full = ParseTilePath("0/x001/x234/067");
  ASSERT_TRUE(full.has_value());
  EXPECT_FALSE(full->data);
  EXPECT_EQ(full->index, 1234067u);
  EXPECT_EQ(full->width, 256u);
  auto partial = ParseTilePath("data/005.p/7");
  ASSERT_TRUE(partial.has_value());
  EXPECT_TRUE(partial->data);
  EXPECT_EQ(partial->index, 5u);
  EXPECT_EQ(partial->width, 7u);
  auto level = ParseTilePath("2/000.p/1");
  ASSERT_TRUE(level.has_value());
  EXPECT_EQ(level->level, 2);
  for (const char* bad : {"0/5", "0/x000/005", "0/005.p/0", "0/005.p/256", "data/005.p/", "9/000",
                          "0/abc", "0/005/", "data", "0/001.p/07"}) {
    EXPECT_FALSE(ParseTilePath(bad).has_value()) << bad;
  }
}

TEST(LoopbackTest, OnlyLoopbackAddressesAreAccepted) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.8.9.10"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.10"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
  ServerOptions options;
  options.listen_host = "0.0.0.0";
  options.corpus.initial_size = 1;
  options.corpus.pool_size = 1;
  auto server = TestLogServer::Create(options);
  ASSERT_FALSE(server.has_value());
  EXPECT_NE(server.error().message.find("loopback"), std::string::npos);
}

}  // namespace
}  // namespace ctwatch::testlog
