// The brand index's hashing: substrings and deletions computed in O(1) agree with hashing the
// strings themselves, and HashPostings finds what was added (and, with its Bloom filter,
// almost nothing else).
#include "policy/label_hash.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/affix_trie.h"
#include "policy/confusables.h"

namespace ctwatch {
namespace {

TEST(LabelHashTest, PiecesAgreeWithWholeStrings) {
  const std::string s = "examplebank-login";
  const LabelHasher h(s);
  EXPECT_EQ(h.Whole(), HashLabel(s));
  EXPECT_EQ(h.Range(3, 9), HashLabel(s.substr(3, 6)));
  uint64_t x[kMaxHashedLabel], y[kMaxHashedLabel];
  h.DeletionTerms(x, y);
  for (size_t i = 0; i < s.size(); ++i) {
    std::string one = s;
    one.erase(i, 1);
    EXPECT_EQ(h.Without(i), HashLabel(one)) << i;
    EXPECT_EQ(LabelHasher::Seal(y[i], s.size() - 1), HashLabel(one)) << i;
    for (size_t j = i + 1; j < s.size(); ++j) {
      std::string two = s;
      two.erase(j, 1);
      two.erase(i, 1);
      EXPECT_EQ(h.Without(i, j), HashLabel(two)) << i << "," << j;
      EXPECT_EQ(LabelHasher::Seal(x[i] + y[j], s.size() - 2), HashLabel(two)) << i << "," << j;
    }
  }
  EXPECT_NE(HashLabel("ab"), HashLabel("ba"));
  EXPECT_NE(HashLabel(""), 0u);
}

TEST(LabelHashTest, FoldHashIsTheHashOfTheFold) {
  for (const char* s : {"examp1ebank", "exarnple-bank", "c1ick", "vvinner", "ilc", "", "a-b_c"}) {
    EXPECT_EQ(HashAsciiFold(s), HashLabel(AsciiFold(s))) << s;
  }
  EXPECT_EQ(AsciiFold("relec1oud"), "reledoud");  // 1→l first, then cl→d: a normal form
  EXPECT_EQ(AsciiFold("examp1e-bank"), "examplebank");
}

TEST(HashPostingsTest, FindsWhatWasAdded) {
  HashPostings p;
  for (uint32_t i = 0; i < 5000; ++i) p.Add(HashLabel("brand" + std::to_string(i)), i);
  p.Add(HashLabel("brand7"), 9999);  // two ids under one key
  p.Finish();
  ASSERT_EQ(p.Find(HashLabel("brand7")).size(), 2u);
  EXPECT_EQ(p.Find(HashLabel("brand7"))[1], 9999u);
  EXPECT_EQ(p.Find(HashLabel("brand4999")).size(), 1u);
  size_t false_hits = 0;
  for (int i = 0; i < 100'000; ++i)
    false_hits += p.Find(HashLabel("other" + std::to_string(i))).size();
  EXPECT_EQ(false_hits, 0u);
  HashPostings empty;
  empty.Finish();
  EXPECT_TRUE(empty.Find(HashLabel("x")).empty());
  EXPECT_TRUE(HashPostings().Find(HashLabel("x")).empty());
}

TEST(AffixTrieTest, PrefixesAndSuffixes) {
  AffixTrie t;
  t.Add("log", 0);
  t.Add("login", 0);
  t.Add("com", 1);
  t.Add("bad word", 0);  // ignored
  std::vector<AffixTrie::Match> m;
  t.Prefixes("loginexample", &m);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].length, 3u);
  EXPECT_EQ(m[1].length, 5u);
  m.clear();
  t.Suffixes("examplecom", &m);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].tag, 1);
  m.clear();
  t.Prefixes("login", &m);  // a keyword alone is not a prefix of itself
  EXPECT_EQ(m.size(), 1u);
}

}  // namespace
}  // namespace ctwatch
