// LookalikeDetector; see lookalike_detector.h. Probing (per label, no public-suffix lookup)
// is the hot path and allocates only on hits; explaining a hit runs once per look-alike.
#include "policy/lookalike_detector.h"

#include <algorithm>
#include <array>

#include "cert/dns_name.h"
#include "policy/confusables.h"
#include "policy/policy_defaults.h"
#include "policy/public_suffix.h"
#include "policy/typo.h"

namespace ctwatch {

struct LookalikeDetector::Hit {
  enum class Kind { kExact, kSkeleton, kFuzzy, kToken, kAffix, kPlural, kJoined };
  Kind kind = Kind::kExact;
  size_t position = 0;  // label index; for kJoined the right-hand label
  uint32_t brand = 0;
  int distance = 0;
  bool idn = false;
  std::string text;   // what matched: the label, its IDN skeleton, or the joined labels
  std::string extra;  // the words around the brand ("login", "com") or the joined form
  bool tld_words_only = false;
};

namespace {

constexpr uint8_t kKeywordTag = 0;
constexpr uint8_t kTldTag = 1;

constexpr size_t kMinRemainder = 3;  // shortest brand a keyword may be stripped down to
constexpr size_t kMaxTokens = 8;     // hyphen-separated tokens looked at in one label

bool StartsWithAce(std::string_view label) {
  return label.size() > 4 && label.substr(0, 4) == "xn--";
}

// The labels of a name without allocating; names of more than kMaxLabels labels are not
// DNS names (at most 127) and are left alone.
constexpr size_t kMaxLabels = 128;
struct Labels {
  std::array<std::string_view, kMaxLabels> items;
  size_t size = 0;
  std::span<const std::string_view> view() const { return {items.data(), size}; }
};

bool SplitLabels(std::string_view name, Labels* out) {
  out->size = 0;
  size_t start = 0;
  for (;;) {
    if (out->size == kMaxLabels) return false;
    const size_t dot = name.find('.', start);
    out->items[out->size++] =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

size_t CountLabels(std::string_view name) {
  return static_cast<size_t>(std::count(name.begin(), name.end(), '.')) + 1;
}

bool IsTldWord(std::string_view word) {
  const auto& words = TldWords();
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Join(const std::vector<std::string_view>& parts, std::string_view separator) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

std::string LookalikeMatch::Detail(std::string_view name) const {
  std::string out(name);
  if (!unicode.empty()) out += " (" + unicode + ")";
  return out + " looks like " + brand + ": " + explanation;
}

LookalikeDetector::LookalikeDetector(std::vector<Brand> brands,
                                     const std::vector<std::string>& keywords, Options options)
    : index_(std::move(brands)), options_(options) {
  for (const std::string& k : keywords) affixes_.Add(k, kKeywordTag);
  for (std::string_view w : TldWords()) affixes_.Add(w, kTldTag);
}

void LookalikeDetector::ProbeLabel(std::string_view label, size_t position, std::vector<Hit>* hits,
                                   ProbeMemo* memo) const {
  if (label.empty() || label.size() > kMaxHashedLabel) return;
  // A label's probes do not depend on where it stands: one that found nothing before in this
  // certificate finds nothing now.
  const uint64_t label_hash = HashLabel(label);
  if (memo != nullptr && memo->Contains(label_hash)) return;
  const size_t before = hits->size();
  ProbeLabelUncached(label, position, hits);
  if (memo != nullptr && hits->size() == before) memo->Add(label_hash);
}

void LookalikeDetector::ProbeLabelUncached(std::string_view label, size_t position,
                                           std::vector<Hit>* hits) const {
  if (StartsWithAce(label)) {
    const std::string unicode = DomainToUnicode(label);
    if (unicode != label) {
      for (uint32_t id : index_.ByLabel(HashLabel(label))) {
        if (index_.brand(id).label == label) {
          hits->push_back({.kind = Hit::Kind::kExact,
                           .position = position,
                           .brand = id,
                           .text = std::string(label)});
        }
      }
      const std::string skeleton = LabelSkeleton(unicode);
      ProbeText(skeleton, skeleton, position, /*idn=*/true, hits);
      return;
    }
  }
  ProbeText(label, {}, position, /*idn=*/false, hits);
}

// `skeleton`: the IDN skeleton; empty for an ASCII label, whose fold is hashed on the fly and
// built only to verify a candidate.
void LookalikeDetector::ProbeText(std::string_view text, std::string_view skeleton, size_t position,
                                  bool idn, std::vector<Hit>* hits) const {
  const size_t before = hits->size();
  if (!idn) {
    for (uint32_t id : index_.ByLabel(HashLabel(text))) {
      if (index_.brand(id).label == text) {
        hits->push_back({.kind = Hit::Kind::kExact,
                         .position = position,
                         .brand = id,
                         .text = std::string(text)});
      }
    }
  }
  std::string folded;
  for (uint32_t id :
       index_.BySkeleton(skeleton.empty() ? HashAsciiFold(text) : HashLabel(skeleton))) {
    const Brand& b = index_.brand(id);
    if (skeleton.empty() && folded.empty()) folded = AsciiFold(text);
    if (b.skeleton == (skeleton.empty() ? std::string_view(folded) : skeleton) &&
        (idn || b.label != text)) {
      hits->push_back({.kind = Hit::Kind::kSkeleton,
                       .position = position,
                       .brand = id,
                       .idn = idn,
                       .text = std::string(text)});
    }
  }
  if (hits->size() != before || !IsAsciiText(text)) return;  // nothing closer than that
  ProbeFuzzy(text, position, idn, hits);
  ProbeParts(text, position, hits);
  for (size_t i = before; i < hits->size(); ++i) (*hits)[i].idn = idn;
}

void LookalikeDetector::ProbeFuzzy(std::string_view text, size_t position, bool idn,
                                   std::vector<Hit>* hits) const {
  const size_t m = text.size();
  if (m > kMaxHashedLabel || !index_.FuzzyPossible(m)) return;
  const LabelHasher h(text);
  uint32_t found[64];
  size_t count = 0;
  // Keys go through in batches: hash a batch and prefetch its Bloom words, then test them,
  // so that the (mostly L2) memory latencies overlap instead of adding up.
  uint64_t batch[64];
  size_t queued = 0;
  auto flush = [&] {
    for (size_t k = 0; k < queued; ++k) index_.PrefetchDeletion(batch[k]);
    for (size_t k = 0; k < queued; ++k) {
      for (uint32_t id : index_.ByDeletion(batch[k])) {
        if (count < std::size(found)) found[count++] = id;
      }
    }
    queued = 0;
  };
  auto collect = [&](uint64_t key) {
    batch[queued++] = key;
    if (queued == std::size(batch)) flush();
  };
  if (index_.ZeroDeletions(m)) collect(h.Whole());
  const bool one = index_.OneDeletion(m), two = index_.TwoDeletions(m);
  if (one || two) {
    uint64_t x[kMaxHashedLabel], y[kMaxHashedLabel];
    h.DeletionTerms(x, y);
    // Variants that delete only at or right of position p keep the query's first p
    // characters: one prefix test decides for all of them whether any can be a key. The
    // order of the probes is unchanged (candidates are collected in the same order).
    constexpr size_t p = kDeletionPrefix;
    const uint32_t head = m >= p ? PackDeletionPrefix(text) : 0;
    if (one) {
      const bool filtered = m - 1 >= p;
      const bool keep_head = !filtered || index_.DeletionPrefixPossible(m - 1, head);
      for (size_t i = 0; i < m; ++i) {
        if (i >= p && !keep_head) break;
        collect(LabelHasher::Seal(y[i], m - 1));
      }
    }
    if (two) {
      const bool filtered = m >= p + 2;
      const bool keep_head = !filtered || index_.DeletionPrefixPossible(m - 2, head);
      for (size_t i = 0; i < m; ++i) {
        if (i >= p && !keep_head) break;
        // For i < p and j > p the first p characters are those of the query without i.
        const bool keep_tail = !filtered || i >= p ||
                               index_.DeletionPrefixPossible(m - 2, PackDeletionPrefix(text, i));
        for (size_t j = i + 1; j < m; ++j) {
          if (i < p && j > p && !keep_tail) break;
          collect(LabelHasher::Seal(x[i] + y[j], m - 2));
        }
      }
    }
  }
  flush();
  if (count == 0) return;
  std::sort(found, found + count);
  count = static_cast<size_t>(std::unique(found, found + count) - found);
  for (size_t k = 0; k < count; ++k) {
    const Brand& b = index_.brand(found[k]);
    if (b.max_distance == 0) continue;
    const std::optional<int> d = BoundedDamerau(text, b.label, b.max_distance);
    if (!d.has_value() || *d == 0) continue;
    hits->push_back({.kind = Hit::Kind::kFuzzy,
                     .position = position,
                     .brand = found[k],
                     .distance = *d,
                     .idn = idn,
                     .text = std::string(text)});
  }
}

void LookalikeDetector::ProbeParts(std::string_view text, size_t position,
                                   std::vector<Hit>* hits) const {
  const size_t m = text.size();
  auto exact_or_skeleton = [&](std::string_view part, Hit::Kind kind, std::string extra,
                               bool tld_only) {
    for (uint32_t id : index_.ByLabel(HashLabel(part))) {
      if (index_.brand(id).label == part) {
        hits->push_back({.kind = kind,
                         .position = position,
                         .brand = id,
                         .text = std::string(text),
                         .extra = extra,
                         .tld_words_only = tld_only});
        return;
      }
    }
    for (uint32_t id : index_.BySkeleton(HashAsciiFold(part))) {
      if (index_.brand(id).skeleton == AsciiFold(part)) {
        hits->push_back({.kind = kind,
                         .position = position,
                         .brand = id,
                         .text = std::string(text),
                         .extra = extra,
                         .tld_words_only = tld_only});
        return;
      }
    }
  };
  // Plurals: "examplebanks", "examplebankes".
  for (std::string_view ending : {std::string_view("s"), std::string_view("es")}) {
    if (m > ending.size() + kMinRemainder && text.substr(m - ending.size()) == ending) {
      const std::string_view stem = text.substr(0, m - ending.size());
      for (uint32_t id : index_.ByLabel(HashLabel(stem))) {
        if (index_.brand(id).label == stem) {
          hits->push_back({.kind = Hit::Kind::kPlural,
                           .position = position,
                           .brand = id,
                           .text = std::string(text),
                           .extra = std::string(ending)});
        }
      }
    }
  }
  // Keyword and TLD-word affixes of one hyphen-free word: "examplebanklogin", "wwwexamplebank".
  auto strip_affixes = [&](std::string_view word, const std::vector<std::string_view>& others,
                           bool others_tld_only) {
    if (affixes_.empty() || word.size() <= kMinRemainder) return;
    std::vector<AffixTrie::Match> prefixes, suffixes;
    affixes_.Prefixes(word, &prefixes);
    affixes_.Suffixes(word, &suffixes);
    if (prefixes.empty() && suffixes.empty()) return;
    prefixes.insert(prefixes.begin(), {0, kTldTag});
    suffixes.insert(suffixes.begin(), {0, kTldTag});
    for (const AffixTrie::Match& p : prefixes) {
      for (const AffixTrie::Match& s : suffixes) {
        if ((p.length == 0 && s.length == 0) || p.length + s.length + kMinRemainder > word.size())
          continue;
        std::vector<std::string_view> words = others;
        if (p.length > 0) words.push_back(word.substr(0, p.length));
        if (s.length > 0) words.push_back(word.substr(word.size() - s.length));
        const bool tld_only = others_tld_only && p.tag == kTldTag && s.tag == kTldTag;
        exact_or_skeleton(word.substr(p.length, word.size() - p.length - s.length),
                          Hit::Kind::kAffix, Join(words, " + "), tld_only);
      }
    }
  };
  // Affixes around the whole label: "examplebanklogin", "adventure-workscom".
  strip_affixes(text, {}, true);
  if (text.find_first_of("-_") == std::string_view::npos) return;
  // Runs of hyphen-separated tokens: "examplebank-login", "secure-examplebank",
  // "claim-adventure-works" (a brand may have hyphens itself), "examplebank-com".
  struct Token {
    size_t begin, end;
  };
  std::vector<Token> tokens;
  size_t start = 0;
  for (size_t i = 0; i <= m; ++i) {
    if (i == m || text[i] == '-' || text[i] == '_') {
      if (i > start) tokens.push_back({start, i});
      start = i + 1;
    }
  }
  if (tokens.size() < 2 || tokens.size() > kMaxTokens) return;
  for (size_t first = 0; first < tokens.size(); ++first) {
    for (size_t last = first; last < tokens.size(); ++last) {
      if (first == 0 && last + 1 == tokens.size()) continue;  // the whole label: done above
      const std::string_view run =
          text.substr(tokens[first].begin, tokens[last].end - tokens[first].begin);
      std::vector<std::string_view> others;
      bool tld_only = true;
      for (size_t o = 0; o < tokens.size(); ++o) {
        if (o >= first && o <= last) continue;
        others.push_back(text.substr(tokens[o].begin, tokens[o].end - tokens[o].begin));
        tld_only = tld_only && IsTldWord(others.back());
      }
      if (run.size() >= kMinRemainder)
        exact_or_skeleton(run, Hit::Kind::kToken, Join(others, " + "), tld_only);
      strip_affixes(run, others, tld_only);
    }
  }
}

void LookalikeDetector::ProbeJoined(std::string_view left, std::string_view right, size_t position,
                                    std::vector<Hit>* hits) const {
  if (left.empty() || right.empty() || left.size() + right.size() > kMaxHashedLabel) return;
  thread_local std::string joined;
  joined.assign(left);
  joined += right;
  auto hit = [&](uint32_t id) {
    hits->push_back({.kind = Hit::Kind::kJoined,
                     .position = position,
                     .brand = id,
                     .text = joined,
                     .extra = std::string(left) + "." + std::string(right)});
  };
  for (uint32_t id : index_.ByLabel(HashLabel(joined))) {
    if (index_.brand(id).label == joined) return hit(id);
  }
  for (uint32_t id : index_.BySkeleton(HashAsciiFold(joined))) {
    if (index_.brand(id).skeleton == AsciiFold(joined)) return hit(id);
  }
}

std::optional<LookalikeMatch> LookalikeDetector::Check(const std::string& name,
                                                       ProbeMemo* memo) const {
  if (index_.size() == 0) return std::nullopt;
  thread_local Labels split;
  if (!SplitLabels(name, &split) || split.size < 2) return std::nullopt;
  const std::span<const std::string_view> labels = split.view();
  std::vector<Hit> hits;
  for (size_t k = 0; k + 1 < labels.size(); ++k) ProbeLabel(labels[k], k, &hits, memo);
  for (size_t k = 0; k + 2 < labels.size(); ++k)
    ProbeJoined(labels[k], labels[k + 1], k + 1, &hits);
  if (hits.empty()) return std::nullopt;

  const std::string_view registrable_domain = RegistrableDomain(name);
  if (registrable_domain.empty()) return std::nullopt;
  const size_t registrable = labels.size() - CountLabels(registrable_domain);
  const std::string_view suffix = registrable_domain.substr(registrable_domain.find('.') + 1);
  const Hit* best = nullptr;
  int best_rank = 1 << 20;
  for (const Hit& hit : hits) {
    if (hit.position > registrable) continue;  // inside the public suffix
    const bool own_label = hit.position == registrable;
    const Brand& b = index_.brand(hit.brand);
    int rank = 0;
    switch (hit.kind) {
      case Hit::Kind::kExact:
        if (own_label &&
            std::find(b.suffixes.begin(), b.suffixes.end(), suffix) != b.suffixes.end()) {
          continue;  // the brand's own domain
        }
        rank = own_label ? 0 : 2;
        break;
      case Hit::Kind::kSkeleton:
        rank = own_label ? 1 : 2;
        break;
      case Hit::Kind::kJoined:
        rank = own_label ? 3 : 8;
        break;
      case Hit::Kind::kToken:
        rank = own_label ? 4 : 3;
        break;
      case Hit::Kind::kAffix:
      case Hit::Kind::kPlural:
        rank = own_label ? 4 : 8;
        break;
      case Hit::Kind::kFuzzy:
        if (!own_label && !options_.fuzzy_subdomain_labels) continue;
        rank = (own_label ? 5 : 9) + hit.distance;
        break;
    }
    if (rank < best_rank) {
      best_rank = rank;
      best = &hit;
    }
  }
  if (best == nullptr) return std::nullopt;
  return Explain(*best, labels, registrable, registrable_domain);
}

LookalikeMatch LookalikeDetector::Explain(const Hit& hit, std::span<const std::string_view> labels,
                                          size_t registrable,
                                          std::string_view registrable_domain) const {
  const Brand& b = index_.brand(hit.brand);
  LookalikeMatch m;
  m.brand = b.display;
  for (std::string_view label : labels) {
    if (StartsWithAce(label)) {
      std::string unicode;
      for (std::string_view l : labels) {
        if (!unicode.empty()) unicode.push_back('.');
        unicode.append(DomainToUnicode(l));
      }
      m.unicode = unicode;
      break;
    }
  }
  const std::string_view suffix = registrable_domain.substr(registrable_domain.find('.') + 1);
  const std::string_view label = labels[std::min(hit.position, labels.size() - 1)];
  std::string technique, explanation;
  switch (hit.kind) {
    case Hit::Kind::kExact:
      technique = "tld-swap";
      explanation = b.suffixes.empty() ? "tld-swap: the brand " + b.label + " registered under ." +
                                             std::string(suffix)
                                       : "tld-swap ." + std::string(suffix) + "→." + b.suffixes[0];
      break;
    case Hit::Kind::kSkeleton:
      if (hit.idn) {
        technique = "idn-homograph";
        explanation = "idn-homograph " + DescribeUnicodeLabel(DomainToUnicode(label));
      } else if (b.unicode != b.label) {
        technique = "homoglyph";  // an ASCII spelling of a Unicode brand: "bucher" for "bücher"
        explanation = "homoglyph " + hit.text + "→" + b.unicode;
      } else {
        explanation = ExplainAsciiFold(hit.text, b.label);
        technique = explanation.rfind("homoglyph", 0) == 0 ? "homoglyph" : "hyphenation";
      }
      break;
    case Hit::Kind::kFuzzy: {
      std::vector<EditTechnique> named;
      if (auto script = EditScript(hit.text, b.label, hit.distance)) {
        for (const Edit& e : *script) named.push_back(ClassifyEdit(e, hit.text, b.label));
      }
      std::string edits;
      bool same = !named.empty();
      for (const EditTechnique& t : named) {
        if (!edits.empty()) edits += ", ";
        edits += t.description;
        same = same && t.technique == named[0].technique;
      }
      technique = same ? named[0].technique : "edit-distance";
      explanation = same ? edits : "edit-distance: " + edits;
      if (hit.distance > 1) explanation += " (distance " + std::to_string(hit.distance) + ")";
      if (hit.idn) {
        technique = "idn-homograph";
        explanation =
            "idn-homograph " + DescribeUnicodeLabel(DomainToUnicode(label)) + "; " + explanation;
      }
      break;
    }
    case Hit::Kind::kToken:
    case Hit::Kind::kAffix:
      technique = hit.tld_words_only ? "tld-in-label" : "combosquat";
      explanation = technique + " " + b.label + " + " + hit.extra;
      break;
    case Hit::Kind::kPlural:
      technique = "plural";
      explanation = "plural " + b.label + "+" + hit.extra;
      break;
    case Hit::Kind::kJoined:
      technique = "dot-insertion";
      explanation = "dot-insertion " + hit.extra;
      break;
  }
  if (hit.position != registrable) {
    // The brand sits left of somebody else's registrable domain.
    const std::string where =
        "brand-in-subdomain: " + std::string(hit.kind == Hit::Kind::kJoined ? hit.extra : label) +
        " in front of " + std::string(registrable_domain);
    explanation = hit.kind == Hit::Kind::kExact ? where : where + " (" + explanation + ")";
    technique = "brand-in-subdomain";
  }
  m.technique = technique;
  m.explanation = explanation;
  return m;
}

}  // namespace ctwatch
