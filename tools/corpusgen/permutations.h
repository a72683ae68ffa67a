// Permutations of a brand label, one function per look-alike technique, in the spirit of
// dnstwist's fuzzers (written for ctwatch from the technique definitions, not from dnstwist's
// code). Each returns label variants (ASCII, or Unicode for the IDN techniques) that differ
// from the brand; callers attach suffixes and filter.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ctwatch::corpusgen {

std::vector<std::string> Addition(std::string_view b);      // b + one of [a-z0-9]
std::vector<std::string> Bitsquatting(std::string_view b);  // one bit flipped, still LDH
std::vector<std::string> Homoglyph(std::string_view b);     // ASCII look-alikes: 0/o, rn/m, ...
std::vector<std::string> IdnHomograph(std::string_view b);  // one letter → a Unicode look-alike
std::vector<std::string> Cyrillic(std::string_view b);     // every letter that has one → Cyrillic
std::vector<std::string> Hyphenation(std::string_view b);  // a hyphen between two characters
std::vector<std::string> Insertion(std::string_view b);    // a keyboard neighbour inserted
std::vector<std::string> Omission(std::string_view b);     // one character left out
std::vector<std::string> Repetition(std::string_view b);   // one character doubled
std::vector<std::string> Replacement(std::string_view b);  // one character → keyboard neighbour
std::vector<std::string> DotInsertion(std::string_view b);  // "exa.mplebank" (dnstwist "subdomain")
std::vector<std::string> Transposition(std::string_view b);  // two neighbours swapped
std::vector<std::string> VowelSwap(std::string_view b);      // one vowel → another
std::vector<std::string> Plural(std::string_view b);         // b + s / es
std::vector<std::string> Combosquat(std::string_view b, const std::vector<std::string>& words);

// Keyboard neighbours on qwerty, qwertz and azerty (the generator's own table).
std::string KeyboardNeighboursOf(char c);

}  // namespace ctwatch::corpusgen
