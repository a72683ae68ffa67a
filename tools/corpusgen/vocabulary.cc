// LoadVocabulary; see vocabulary.h.
#include "corpusgen/vocabulary.h"

#include <algorithm>
#include <sstream>

#include "core/file.h"

namespace ctwatch::corpusgen {
namespace {

Result<std::vector<std::string>> ReadWords(const std::string& path) {
  CTW_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    for (const char* comment : {"#", "//"}) {
      const size_t at = line.find(comment);
      if (at != std::string::npos) line.resize(at);
    }
    std::istringstream words(line);
    std::string w;
    while (words >> w) {
      std::transform(w.begin(), w.end(), w.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.push_back(w);
    }
  }
  if (out.empty()) return MakeError(ErrorCode::kInvalidArgument, path + ": no words");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Result<Vocabulary> LoadVocabulary(const std::string& dir) {
  Vocabulary v;
  CTW_ASSIGN_OR_RETURN(v.words, ReadWords(dir + "/words-en.txt"));
  CTW_ASSIGN_OR_RETURN(v.names, ReadWords(dir + "/names.txt"));
  CTW_ASSIGN_OR_RETURN(v.places, ReadWords(dir + "/places.txt"));
  CTW_ASSIGN_OR_RETURN(v.tech, ReadWords(dir + "/tech.txt"));
  CTW_ASSIGN_OR_RETURN(v.hosts, ReadWords(dir + "/hosts.txt"));
  CTW_ASSIGN_OR_RETURN(v.tlds, ReadWords(dir + "/dnstwist/common_tlds.dict"));
  CTW_ASSIGN_OR_RETURN(v.abused_tlds, ReadWords(dir + "/dnstwist/abused_tlds.dict"));
  for (const char* dict : {"english", "french", "polish"}) {
    CTW_ASSIGN_OR_RETURN(std::vector<std::string> words,
                         ReadWords(dir + "/dnstwist/" + dict + ".dict"));
    v.dictionary.insert(v.dictionary.end(), words.begin(), words.end());
  }
  std::sort(v.dictionary.begin(), v.dictionary.end());
  v.dictionary.erase(std::unique(v.dictionary.begin(), v.dictionary.end()), v.dictionary.end());
  return v;
}

}  // namespace ctwatch::corpusgen
