// ctwatch-corpusgen: writes the labelled look-alike corpus (labels.tsv, plant.txt for
// ctwatch-testlog --plant-file, policy.toml) and, with --score, runs it through the policy
// matcher and prints precision and recall per category. Thin main over the corpusgen library.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "corpusgen/corpus.h"
#include "corpusgen/corpus_score.h"
#include "policy/policy_matcher.h"

int main(int argc, char** argv) {
  using namespace ctwatch;
  corpusgen::CorpusOptions options;
  std::string out;
  bool score = false;
  CLI::App app{
      "ctwatch-corpusgen: a labelled corpus of owned, internal, foreign-issuer, look-alike "
      "and unrelated background names for measuring the policy matcher"};
  app.add_option("--data", options.data_dir, "Vocabulary directory (tests/data/lookalikes)")
      ->required();
  app.add_option("--out", out, "Write labels.tsv, plant.txt and policy.toml here");
  app.add_option("--seed", options.seed, "PRNG seed")->capture_default_str();
  app.add_option("--background", options.background, "Unrelated background names")
      ->capture_default_str();
  app.add_option("--per-brand", options.per_brand_technique, "Look-alikes per brand and technique")
      ->capture_default_str();
  app.add_option("--owned-per-domain", options.owned_per_domain, "Owned names per owned domain")
      ->capture_default_str();
  app.add_flag("--score", score, "Run the corpus through PolicyMatcher and print the scores");
  CLI11_PARSE(app, argc, argv);

  auto corpus = corpusgen::GenerateCorpus(options);
  if (!corpus.has_value()) {
    std::fprintf(stderr, "ctwatch-corpusgen: %s\n", corpus.error().ToString().c_str());
    return 1;
  }
  std::fprintf(
      stderr, "%zu certificates; %zu background candidates rejected as look-alikes by definition\n",
      corpus->items.size(), corpus->background_rejected);
  if (!out.empty()) {
    if (auto s = corpusgen::WriteCorpus(*corpus, out); !s.has_value()) {
      std::fprintf(stderr, "ctwatch-corpusgen: %s\n", s.error().ToString().c_str());
      return 1;
    }
  }
  if (score) {
    auto matcher = PolicyMatcher::Create(corpus->policy);
    if (!matcher.has_value()) {
      std::fprintf(stderr, "ctwatch-corpusgen: %s\n", matcher.error().ToString().c_str());
      return 1;
    }
    std::vector<corpusgen::Observation> observed;
    for (size_t i = 0; i < corpus->items.size(); ++i) {
      observed.push_back(corpusgen::Observe(**matcher, corpus->items[i], *corpus, i));
    }
    const corpusgen::CorpusScore s = corpusgen::ScoreCorpus(*corpus, observed);
    std::fputs(s.Table().c_str(), stdout);
    for (const std::string& m : s.misses) std::printf("  %s\n", m.c_str());
  }
  return 0;
}
