// The labelled corpus (tools/corpusgen) through PolicyMatcher: precision and recall per
// category, with the targets of issue 3: recall 100% on owned, internal and foreign-issuer
// certificates, at least 95% on every look-alike technique, and at most one false look-alike
// per 100,000 background names.
#include "corpusgen/corpus.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "corpusgen/corpus_score.h"
#include "corpusgen/oracle.h"
#include "policy/policy_matcher.h"
#include "test_util.h"

namespace ctwatch::corpusgen {
namespace {

using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::TestDataPath;

TEST(CorpusTest, PrecisionAndRecallPerCategory) {
  auto generated = GenerateCorpus({.data_dir = TestDataPath("lookalikes"), .background = 100'000});
  ASSERT_THAT(generated, IsOk());
  const Corpus& corpus = *generated;
  auto matcher = PolicyMatcher::Create(corpus.policy);
  ASSERT_THAT(matcher, IsOk());
  std::vector<Observation> observed;
  observed.reserve(corpus.items.size());
  for (size_t i = 0; i < corpus.items.size(); ++i)
    observed.push_back(Observe(**matcher, corpus.items[i], corpus, i));
  const CorpusScore score = ScoreCorpus(corpus, observed);
  std::printf("%s(%zu background candidates were look-alikes by definition and left out)\n",
              score.Table().c_str(), corpus.background_rejected);
  for (const std::string& m : score.misses) std::printf("  %s\n", m.c_str());

  ASSERT_GE(score.background_total, 100'000u);
  for (const char* category : {"owned", "internal", "foreign-issuer"}) {
    const ScoreRow* row = score.Row(category);
    ASSERT_NE(row, nullptr) << category;
    EXPECT_GT(row->total, 250u) << category;
    EXPECT_EQ(row->detected, row->total) << category << ": recall must be 100%";
    EXPECT_EQ(row->flagged_correct, row->flagged) << category << ": precision";
  }
  for (const std::string& technique : CorpusTechniques()) {
    const ScoreRow* row = score.Row("lookalike/" + technique);
    ASSERT_NE(row, nullptr) << technique;
    EXPECT_GE(row->total, 20u) << technique;
    EXPECT_GE(row->Recall(), 0.95) << technique;
  }
  EXPECT_LE(score.FalseLookalikesPer100k(), 1.0);
  EXPECT_EQ(score.background_concerned, 0u) << "unrelated names are not stored";
}

TEST(CorpusTest, FilesRoundTrip) {
  auto corpus = GenerateCorpus({.data_dir = TestDataPath("lookalikes"), .background = 200});
  ASSERT_THAT(corpus, IsOk());
  char tmpl[] = "/tmp/ctwatch-corpus-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  ASSERT_THAT(WriteCorpus(*corpus, dir), IsOk());
  auto labels = ReadLabels(dir + "/labels.tsv");
  ASSERT_THAT(labels, IsOk());
  ASSERT_EQ(labels->size(), corpus->items.size());
  for (size_t i = 0; i < labels->size(); ++i) {
    EXPECT_EQ((*labels)[i].names, corpus->items[i].names);
    EXPECT_EQ((*labels)[i].category, corpus->items[i].category);
    EXPECT_EQ((*labels)[i].brand, corpus->items[i].brand);
    EXPECT_EQ((*labels)[i].foreign_issuer, corpus->items[i].foreign_issuer);
  }
  // The same seed gives the same corpus.
  auto again = GenerateCorpus({.data_dir = TestDataPath("lookalikes"), .background = 200});
  ASSERT_THAT(again, IsOk());
  ASSERT_EQ(again->items.size(), corpus->items.size());
  EXPECT_EQ(again->items.back().names, corpus->items.back().names);
}

TEST(CorpusTest, OracleFollowsTheDefinition) {
  const LookalikeOracle oracle(
      {{"examplebank", 2}, {"contoso", 1}, {"adventure-works", 2}, {"acme", 0}},
      {"login", "secure"}, {"com", "net"});
  for (const char* yes :
       {"examplebank.org", "examp1ebank.net", "exarnplebank.com", "exmplebnk.com", "contso.com",
        "examplebank-login.com", "secure-contoso.net", "examplebanklogin.com", "contosos.com",
        "exa.mplebank.net", "examplebank.com.evil.xyz", "claim-adventure-works.com",
        "adventure-workscom.eu", "acme.net", "acme-corp.com"}) {
    EXPECT_TRUE(oracle.IsLookalike(yes)) << yes;
  }
  for (const char* no : {"contour.com", "acne.com", "bestcontosoproducts.com", "samplebox.net",
                         "www.google.com", "contosogarden.com", "co.uk"}) {
    EXPECT_FALSE(oracle.IsLookalike(no)) << no;
  }
}

}  // namespace
}  // namespace ctwatch::corpusgen
