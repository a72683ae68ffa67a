// Vocabulary: the word lists the corpus generator draws background names and look-alike
// material from (tests/data/lookalikes: the project's own word lists and dnstwist's TLD and
// keyword dictionaries, see its NOTICE.md).
// Thread-safety: a value type.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace ctwatch::corpusgen {

struct Vocabulary {
  std::vector<std::string> words;  // English words
  std::vector<std::string> names;  // first and family names
  std::vector<std::string> places;
  std::vector<std::string> tech;   // technology and business words
  std::vector<std::string> hosts;  // first labels of public host names
  std::vector<std::string> tlds;   // common TLDs (dnstwist common_tlds)
  std::vector<std::string> abused_tlds;
  std::vector<std::string> dictionary;  // dnstwist english, french and polish keywords
};

// Reads the lists from `dir` (tests/data/lookalikes). Words are whitespace-separated; '#' and
// '//' start comments.
Result<Vocabulary> LoadVocabulary(const std::string& dir);

}  // namespace ctwatch::corpusgen
