// Confusable skeletons of DNS labels, so that look-alike labels compare equal: the ASCII fold
// (separators dropped; 0→o; 1 and i→l; rn and nn→m; vv→w; cl→d; lc→k) and, for Unicode labels,
// the UTS #39 skeleton of each code point (ICU), with combining marks dropped, followed by the
// same fold.
// Both sides of a comparison (brand and candidate) go through the same function, so the
// mapping only has to be consistent, not reversible. Also explains, for a person, why two
// labels look alike ("homoglyph 1→l", "а (U+0430 CYRILLIC SMALL LETTER A)→a").
// Thread-safety: pure functions; the ICU objects they use are immutable after first use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctwatch {

// Appends the fold of `label` to `out`. Bytes >= 0x80 are copied unchanged.
void AppendAsciiFold(std::string_view label, std::string* out);
std::string AsciiFold(std::string_view label);
// HashLabel(AsciiFold(label)) without building the fold: the probe of every label.
uint64_t HashAsciiFold(std::string_view label);

// Skeleton of a UTF-8 label (ASCII or not). For pure-ASCII labels equal to AsciiFold().
std::string LabelSkeleton(std::string_view utf8_label);

bool IsAsciiText(std::string_view text);

// Why `label` (ASCII) folds like `brand`: "hyphenation", "homoglyph 1→l", "homoglyph rn→m,
// 0→o; hyphenation". Empty when they do not fold alike.
std::string ExplainAsciiFold(std::string_view label, std::string_view brand);

// The non-ASCII characters of a Unicode label with what they look like, and its scripts:
// "а (U+0430 CYRILLIC SMALL LETTER A)→a; scripts Cyrillic+Latin".
std::string DescribeUnicodeLabel(std::string_view utf8_label);

// The scripts of the letters of a UTF-8 label (Common and Inherited left out), e.g.
// {"Cyrillic", "Latin"}, in order of first appearance.
std::vector<std::string> LabelScripts(std::string_view utf8_label);

}  // namespace ctwatch
