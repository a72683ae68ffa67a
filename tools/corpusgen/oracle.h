// LookalikeOracle: the documented definition of a look-alike (docs/policy.md), written a
// second time as plain brute force over every brand, independent of the matcher's index: a
// label (the top-level label aside) that equals a brand, folds to the same skeleton, is within
// Damerau distance 1 (brands of 5+ characters) or 2 (9+), has the brand as a hyphen-separated
// token or as a word with keywords, TLD words or a plural ending around it, or that together
// with the next label spells the brand. The generator keeps such names out of "background".
// Thread-safety: immutable after construction.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ctwatch::corpusgen {

class LookalikeOracle {
 public:
  struct Brand {
    std::string label;
    int max_distance;
  };
  LookalikeOracle(std::vector<Brand> brands, const std::vector<std::string>& keywords,
                  const std::vector<std::string>& tld_words);
  // `name`: lower-case A-label form; a leading "*." is ignored.
  bool IsLookalike(std::string_view name) const;

  static std::string Fold(std::string_view label);
  static int Damerau(std::string_view a, std::string_view b);

 private:
  struct Run {
    std::string text;
    std::string folded;
    bool whole;  // the run is the whole label
  };
  struct LabelForms {
    std::string text;
    std::string folded;
    std::vector<Run> runs;  // every run of hyphen-separated tokens
  };
  bool LabelMatches(const LabelForms& label, const Brand& b, const std::string& folded_brand) const;
  bool WordAroundBrand(std::string_view word, std::string_view brand) const;

  std::vector<Brand> brands_;
  std::vector<std::string> folded_brands_;
  std::set<std::string, std::less<>> affixes_;  // keywords and TLD words
};

}  // namespace ctwatch::corpusgen
