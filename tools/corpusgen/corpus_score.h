// Scoring a labelled corpus: given what the matcher said about each certificate (whether it
// concerned the owner, and the findings), recall and precision per category: owned, internal
// (and each kind of internal name), foreign-issuer, each look-alike technique, and the false
// look-alikes per 100,000 background names. Used by the in-process corpus test and by the
// pipeline test (findings read back from the store).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corpusgen/corpus.h"
#include "policy/matcher.h"
#include "store/records.h"

namespace ctwatch::corpusgen {

struct Observation {
  bool concerned = false;
  std::vector<FindingDraft> findings;
};

// Runs one certificate through `matcher` the way the tailer does (Concerns, then Judge).
Observation Observe(const Matcher& matcher, const CorpusItem& item, const Corpus& corpus,
                    uint64_t serial);

struct ScoreRow {
  std::string category;
  size_t total = 0;
  size_t detected = 0;
  size_t technique_agreed = 0;  // look-alikes: the finding names the generating technique
  size_t flagged = 0;           // findings of this category (for precision)
  size_t flagged_correct = 0;
  double Recall() const {
    return total ? static_cast<double>(detected) / static_cast<double>(total) : 1.0;
  }
  double Precision() const {
    return flagged ? static_cast<double>(flagged_correct) / static_cast<double>(flagged) : 1.0;
  }
};

struct CorpusScore {
  std::vector<ScoreRow>
      rows;  // owned, internal, internal/*, foreign-issuer, lookalike, lookalike/*
  size_t background_total = 0;
  size_t background_false_lookalikes = 0;
  size_t background_concerned = 0;
  std::vector<std::string> misses;  // a few missed or false items, for the report

  const ScoreRow* Row(const std::string& category) const;
  double FalseLookalikesPer100k() const {
    return background_total ? 1e5 * static_cast<double>(background_false_lookalikes) /
                                  static_cast<double>(background_total)
                            : 0.0;
  }
  std::string Table() const;
};

CorpusScore ScoreCorpus(const Corpus& corpus, const std::vector<Observation>& observed);

// The brand and technique a lookalike finding's detail names:
// "x looks like examplebank.net: homoglyph 1→l" → ("examplebank.net", "homoglyph").
bool ParseLookalikeDetail(const std::string& detail, std::string* brand, std::string* technique);

}  // namespace ctwatch::corpusgen
