// Typos of a brand label: the Damerau (optimal string alignment) edit script that turns the
// brand into a look-alike label, and the name of the technique behind each edit, in dnstwist's
// vocabulary: omission, insertion (keyboard neighbour), addition, repetition, plural,
// hyphenation, transposition, replacement (keyboard neighbour; qwerty, qwertz, azerty),
// vowel-swap, bitsquatting, homoglyph, substitution.
// Notation: "X→Y" always reads "the look-alike has X where the brand has Y".
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctwatch {

struct Edit {
  enum class Kind { kSubstitution, kInsertion, kOmission, kTransposition };
  Kind kind = Kind::kSubstitution;
  size_t brand_pos = 0;  // position in the brand
  size_t label_pos = 0;  // position in the look-alike label
  char brand_char = 0;   // substitution, omission; transposition: the first brand char
  char label_char = 0;   // substitution, insertion; transposition: the second brand char
};

// OSA distance between `label` and `brand` when at most `max_distance`, else nullopt.
std::optional<int> BoundedDamerau(std::string_view label, std::string_view brand, int max_distance);

// The edits (at most `max_distance`) turning `brand` into `label`, or nullopt.
std::optional<std::vector<Edit>> EditScript(std::string_view label, std::string_view brand,
                                            int max_distance);

// The technique of one edit and a short description: ("homoglyph", "homoglyph 1→l"),
// ("omission", "omission of 'a'"), ("replacement", "replacement r→e (keyboard neighbours)").
struct EditTechnique {
  std::string technique;
  std::string description;
};
EditTechnique ClassifyEdit(const Edit& edit, std::string_view label, std::string_view brand);

// Character relations used by the classification (and by the corpus generator).
bool KeyboardNeighbours(char a, char b);  // on a qwerty, qwertz or azerty keyboard
bool AsciiHomoglyphs(char a, char b);     // 0/o, 1/l, 1/i, l/i, b/d, c/e, g/q, u/v, m/n, ...
bool OneBitApart(char a, char b);
bool IsVowel(char c);

}  // namespace ctwatch
