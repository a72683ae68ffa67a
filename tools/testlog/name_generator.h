// NameGenerator: realistic, varied DNS names for the background certificates of the test log
// (brand-like registered domains under common TLDs, service subdomains, wildcards), all
// drawn from a seeded PRNG so that a --seed gives the same names every run. Names never end
// in ".example", ".test" or ".invalid", so planted names under those cannot collide.
// Thread-safety: a value type for one owner.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ctwatch::testlog {

class NameGenerator {
 public:
  explicit NameGenerator(uint64_t seed) : rng_(seed) {}

  // One certificate's names (1 to 4), the first one meant as the subject CN.
  std::vector<std::string> NextNameSet();

 private:
  std::string RegisteredDomain();
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::mt19937_64 rng_;
};

// Splits a planted-names line ("a.example www.a.example") into lower-cased names; a line
// that is empty or a comment (#) gives no names.
std::vector<std::string> ParseNameLine(const std::string& line);

// Every non-empty line of `text` parsed with ParseNameLine.
std::vector<std::vector<std::string>> ParseNameLines(const std::string& text);

}  // namespace ctwatch::testlog
