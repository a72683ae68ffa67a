// LookalikeDetector: decides whether a DNS name imitates a protected brand, and how. Every
// label of the name (the top-level label aside) is probed against the BrandIndex: exact label,
// confusable skeleton (ASCII homoglyphs, IDN homographs after punycode decoding, hyphenation),
// Damerau distance 1 (2 for brands of 9+ characters) through the deletion index, hyphen-
// separated tokens, keyword and TLD-word affixes (combosquatting), plurals, and a dot inserted
// inside the brand. Only when a probe hits is the public-suffix list consulted, to tell the
// registrable label (typosquats, TLD swaps, combosquats) from labels of somebody else's
// domain (the brand as a subdomain: "examplebank.com.secure-login.xyz"). The caller has
// already excluded owned and allowlisted names.
// Thread-safety: immutable after construction; Check() is safe from any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/affix_trie.h"
#include "policy/brand_index.h"

namespace ctwatch {

struct LookalikeMatch {
  std::string technique;    // "homoglyph", "tld-swap", "combosquat", "brand-in-subdomain", ...
  std::string brand;        // the brand as findings name it ("examplebank.net")
  std::string explanation;  // "homoglyph 1→l"
  std::string unicode;      // the name's Unicode form when it has IDN labels, else empty

  // "examp1ebank.net looks like examplebank.net: homoglyph 1→l"
  std::string Detail(std::string_view name) const;
};

class LookalikeDetector {
 public:
  struct Options {
    bool fuzzy_subdomain_labels = true;  // edit-distance matches in labels left of the domain
  };
  LookalikeDetector(std::vector<Brand> brands, const std::vector<std::string>& keywords,
                    Options options);

  // Labels already probed without a hit, remembered across the names of one certificate
  // (whose names mostly share their labels: "example.com", "www.example.com"). A value for
  // one caller and one policy.
  class ProbeMemo {
   public:
    bool Contains(uint64_t h) const {
      for (size_t i = 0; i < size_; ++i) {
        if (hashes_[i] == h) return true;
      }
      return false;
    }
    void Add(uint64_t h) { hashes_[next_++ % kSize] = h, size_ = std::min(size_ + 1, kSize); }

   private:
    static constexpr size_t kSize = 16;
    uint64_t hashes_[kSize] = {};
    size_t size_ = 0, next_ = 0;
  };

  // `name`: lower-case A-label DNS name, no trailing dot, no "*." prefix.
  std::optional<LookalikeMatch> Check(const std::string& name, ProbeMemo* memo = nullptr) const;

  const BrandIndex& index() const { return index_; }

 private:
  struct Hit;
  void ProbeLabel(std::string_view label, size_t position, std::vector<Hit>* hits,
                  ProbeMemo* memo) const;
  void ProbeLabelUncached(std::string_view label, size_t position, std::vector<Hit>* hits) const;
  void ProbeText(std::string_view text, std::string_view skeleton, size_t position, bool idn,
                 std::vector<Hit>* hits) const;
  void ProbeFuzzy(std::string_view text, size_t position, bool idn, std::vector<Hit>* hits) const;
  void ProbeParts(std::string_view text, size_t position, std::vector<Hit>* hits) const;
  void ProbeJoined(std::string_view left, std::string_view right, size_t position,
                   std::vector<Hit>* hits) const;
  LookalikeMatch Explain(const Hit& hit, std::span<const std::string_view> labels,
                         size_t registrable, std::string_view registrable_domain) const;

  BrandIndex index_;
  AffixTrie affixes_;  // tag 0: keyword, 1: TLD word
  Options options_;
};

}  // namespace ctwatch
