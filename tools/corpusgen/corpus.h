// The labelled corpus for measuring the policy matcher: a corpus policy (owned domains,
// brands, an allowed issuer key, a pattern) and certificates labelled owned, internal,
// foreign-issuer, lookalike (with the technique and the brand) or background (unrelated names
// drawn from the vocabulary). Background candidates that the documented definition calls
// look-alikes (docs/policy.md: same label, same skeleton, Damerau distance 1 or 2, brand token,
// brand plus keyword, split by a dot) are rejected by an independent brute-force oracle and
// counted, so that "background" means unrelated.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "policy/policy_config.h"

namespace ctwatch::corpusgen {

struct CorpusItem {
  std::string category;            // owned, internal, foreign-issuer, lookalike, background
  std::string technique;           // lookalike technique; internal: what kind of internal name
  std::string target;              // the name the label is about, as the certificate writes it
  std::string brand;               // lookalike: the brand the finding must name ("examplebank.net")
  bool foreign_issuer = false;     // certified by a key that is not allowed
  std::vector<std::string> names;  // the certificate's names, target first
};

struct CorpusOptions {
  std::string data_dir;  // tests/data/lookalikes
  uint64_t seed = 20260101;
  size_t background = 100'000;     // unrelated names
  size_t per_brand_technique = 8;  // look-alikes per brand and technique (at most)
  size_t owned_per_domain = 24;
};

struct Corpus {
  PolicyConfig policy;
  Sha256Hash allowed_issuer{};
  Sha256Hash foreign_issuer{};
  std::vector<CorpusItem> items;
  size_t background_rejected = 0;  // background candidates that were look-alikes by definition
};

// The look-alike techniques the corpus has, in generation order.
const std::vector<std::string>& CorpusTechniques();

Result<Corpus> GenerateCorpus(const CorpusOptions& options);

// labels.tsv (category, technique, brand, issuer, names), plant.txt (one certificate's names
// per line, for ctwatch-testlog --plant-file) and policy.toml (the [policy] section).
Status WriteCorpus(const Corpus& corpus, const std::string& dir);
Result<std::vector<CorpusItem>> ReadLabels(const std::string& path);
std::string PolicyToml(const Corpus& corpus);

// The corpus policy (also used by the pipeline test with another issuer key).
PolicyConfig CorpusPolicy(const std::vector<std::string>& dictionary,
                          const Sha256Hash& allowed_issuer);

}  // namespace ctwatch::corpusgen
