// policy_bench: matching throughput of PolicyMatcher, as the tailer uses it (Concerns() on
// every certificate's names, Judge() on those that concern the owner), with a one-domain
// policy and with a large one (10,000 owned domains, 2,000 brands, 500 RE2 patterns), over
// the same stream of CT-like certificates (1 to 4 names each, from the corpus vocabulary,
// with owned names and look-alikes mixed in). Prints names per second per core and the ratio.
// Run a Release build: bin/policy_bench [--names N] [--threads T].
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "corpusgen/corpus.h"
#include "corpusgen/vocabulary.h"
#include "policy/policy_matcher.h"

namespace ctwatch {
namespace {

using Clock = std::chrono::steady_clock;

struct Stream {
  std::vector<CertNames> certificates;
  size_t names = 0;
};

// CT-like certificates: most name one registered domain a few ways (the apex, www, a
// wildcard, a host or two: what ACME clients ask for), drawn from the corpus background;
// ~1% are owned or look-alike certificates from the labelled corpus.
Stream MakeStream(const corpusgen::Corpus& corpus, size_t target_names, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<const corpusgen::CorpusItem*> background, special;
  for (const auto& item : corpus.items) {
    (item.category == "background" ? background : special).push_back(&item);
  }
  static const std::vector<std::string> kHosts = {"www", "mail", "api", "shop",
                                                  "cdn", "app",  "m",   "blog"};
  Stream s;
  size_t b = 0;
  while (s.names < target_names) {
    CertNames c;
    if (rng() % 100 == 0) {
      c.dns_names = special[rng() % special.size()]->names;
    } else {
      std::string name = background[b++ % background.size()]->target;
      if (name.rfind("*.", 0) == 0) name = name.substr(2);
      // The registered domain: the last two labels (three under co.uk and com.br).
      size_t cut = name.rfind('.');
      cut = cut == std::string::npos ? 0 : name.rfind('.', cut - 1);
      if (cut != std::string::npos && (name.ends_with(".co.uk") || name.ends_with(".com.br"))) {
        cut = cut == 0 ? std::string::npos : name.rfind('.', cut - 1);
      }
      const std::string apex = cut == std::string::npos ? name : name.substr(cut + 1);
      switch (rng() % 6) {
        case 0:
          c.dns_names = {name};
          break;
        case 1:
          c.dns_names = {apex, "www." + apex};
          break;
        case 2:
          c.dns_names = {"*." + apex, apex};
          break;
        case 3:
          c.dns_names = {name, apex};
          break;
        case 4:
          c.dns_names = {kHosts[rng() % kHosts.size()] + "." + apex,
                         kHosts[rng() % kHosts.size()] + "." + apex, apex};
          break;
        default:
          c.dns_names = {apex};
          break;
      }
    }
    s.names += c.dns_names.size();
    s.certificates.push_back(std::move(c));
  }
  return s;
}

// A coined brand name of 2 to 4 syllables ("vexlumora"), as most brands are: real brands are
// not dictionary phrases, and taking them from the stream's own vocabulary would make the
// large policy match the background by construction.
std::string CoinedName(std::mt19937_64& rng) {
  static const std::vector<std::string> kSyllables = {
      "ka",  "ro",   "mi",  "zen", "tor", "vex", "lum", "bri", "qua", "dyn",
      "sol", "fi",   "nor", "tek", "va",  "lo",  "xa",  "pri", "mo",  "ster",
      "gal", "quin", "ru",  "tha", "vo",  "zi",  "cor", "pel", "dra", "nu",
      "syl", "ok",   "ter", "ba",  "jen", "wex", "hol", "ira", "ul",  "yon"};
  std::string s;
  const size_t n = 2 + rng() % 3;
  for (size_t i = 0; i < n; ++i) s += kSyllables[rng() % kSyllables.size()];
  return s;
}

PolicyConfig LargePolicy(const corpusgen::Vocabulary& v, bool brands_from_domains, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](const std::vector<std::string>& list) -> const std::string& {
    return list[rng() % list.size()];
  };
  PolicyConfig p;
  std::set<std::string> domains, brands;
  const std::vector<std::string> tlds = {"com", "net", "org", "de", "co.uk", "io", "fr", "nl"};
  while (domains.size() < 10'000) domains.insert(CoinedName(rng) + "." + tlds[rng() % tlds.size()]);
  while (brands.size() < 2'000) {
    const std::string b = CoinedName(rng);
    if (b.size() >= 5) brands.insert(b);
  }
  p.domains.assign(domains.begin(), domains.end());
  p.lookalike.brands.assign(brands.begin(), brands.end());
  p.lookalike.brands_from_domains = brands_from_domains;
  for (int i = 0; i < 500; ++i) {
    switch (i % 4) {
      case 0:
        p.internal.patterns.push_back("^" + pick(v.words) + "-[0-9]+\\.");
        break;
      case 1:
        p.internal.patterns.push_back("(^|\\.)" + pick(v.tech) + "[0-9]{2,}\\.");
        break;
      case 2:
        p.internal.patterns.push_back("\\." + pick(v.places) + "\\.(corp|lan)$");
        break;
      default:
        p.internal.patterns.push_back("^(dev|qa|stage)-" + pick(v.words) + "\\.");
        break;
    }
  }
  return p;
}

bool g_concerns_only = false;  // --concerns-only: leave Judge() out (to see its share)

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Names per second on `threads` threads sharing one matcher (best of `rounds`). One thread:
// per CPU-second of that thread (names/s/core, not disturbed by other processes taking the
// core); several: per wall-clock second.
double Throughput(const Matcher& m, const Stream& s, int threads, int rounds, size_t* judged) {
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    std::vector<size_t> counts(static_cast<size_t>(threads));
    std::vector<double> cpu(static_cast<size_t>(threads));
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const double cpu_start = ThreadCpuSeconds();
        size_t n = 0;
        for (size_t i = static_cast<size_t>(t); i < s.certificates.size();
             i += static_cast<size_t>(threads)) {
          if (!m.Concerns(s.certificates[i]) || g_concerns_only) continue;
          CertFacts f;
          f.names = s.certificates[i];
          f.identity[0] = static_cast<uint8_t>(i);
          n += m.Judge(f).size() > 0 ? 1 : 0;
        }
        counts[static_cast<size_t>(t)] = n;
        cpu[static_cast<size_t>(t)] = ThreadCpuSeconds() - cpu_start;
      });
    }
    for (auto& w : workers) w.join();
    const double seconds =
        threads == 1 ? cpu[0] : std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, static_cast<double>(s.names) / seconds);
    *judged = 0;
    for (size_t c : counts) *judged += c;
  }
  return best;
}

struct Compiled {
  std::shared_ptr<const PolicyMatcher> matcher;
  double seconds = 0;
};

Compiled Compile(const PolicyConfig& p) {
  const auto start = Clock::now();
  auto m = PolicyMatcher::Create(p);
  if (!m.has_value()) {
    std::fprintf(stderr, "policy: %s\n", m.error().ToString().c_str());
    std::exit(1);
  }
  return {m.value(), std::chrono::duration<double>(Clock::now() - start).count()};
}

}  // namespace
}  // namespace ctwatch

int main(int argc, char** argv) {
  using namespace ctwatch;
  size_t names = 1'000'000;
  int threads = 2;
  int rounds = 5;
  size_t show = 0;  // print this many sample findings per policy
  int only = -1;    // run only this case
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--names") names = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--show") show = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--case") only = std::atoi(argv[i + 1]);
    if (a == "--concerns-only") g_concerns_only = std::string(argv[i + 1]) == "1";
  }
  const std::string data = std::string(CTWATCH_SOURCE_DIR) + "/tests/data/lookalikes";
  auto vocabulary = corpusgen::LoadVocabulary(data);
  auto corpus = corpusgen::GenerateCorpus({.data_dir = data, .seed = 7, .background = 200'000});
  if (!vocabulary.has_value() || !corpus.has_value()) {
    std::fprintf(stderr, "cannot build the name stream from %s\n", data.c_str());
    return 1;
  }
  const Stream stream = MakeStream(*corpus, names, 11);
  std::printf(
      "stream: %zu certificates, %zu names (CT-like: 1-3 names of one domain per certificate; ~1%% "
      "owned or look-alike certificates)\n\n",
      stream.certificates.size(), stream.names);

  PolicyConfig one;
  one.domains = {"examplebank.net"};
  struct Case {
    const char* name;
    PolicyConfig config;
  };
  std::vector<Case> cases = {
      {"one domain (examplebank.net)", one},
      {"large: 10,000 domains, 2,000 brands, 500 patterns", LargePolicy(*vocabulary, false, 3)},
      {"large, every owned label a brand too (12,000 brands)", LargePolicy(*vocabulary, true, 3)},
      {"corpus policy (13 domains, 24 brands, dnstwist keywords)", corpus->policy},
  };
  // Compile every policy, then measure them interleaved, round after round, keeping each
  // one's best: the machine is shared, and interleaving keeps drifting load from favouring
  // whichever policy ran first.
  std::vector<Compiled> compiled;
  for (size_t k = 0; k < cases.size(); ++k) {
    compiled.push_back(only < 0 || static_cast<size_t>(only) == k ? Compile(cases[k].config)
                                                                  : Compiled{});
  }
  std::vector<double> single(cases.size(), 0), multi(cases.size(), 0);
  std::vector<size_t> judged(cases.size(), 0);
  for (int round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < cases.size(); ++k) {
      if (compiled[k].matcher == nullptr) continue;
      single[k] = std::max(single[k], Throughput(*compiled[k].matcher, stream, 1, 1, &judged[k]));
      if (threads > 1) {
        size_t unused = 0;
        multi[k] =
            std::max(multi[k], Throughput(*compiled[k].matcher, stream, threads, 1, &unused));
      }
    }
  }
  const double base = single[0];
  std::printf("%-58s %9s %8s %7s %9s %13s %7s %13s\n", "policy", "compile", "brands", "rules",
              "index", "names/s/core", "ratio", ("names/s x" + std::to_string(threads)).c_str());
  for (size_t k = 0; k < cases.size(); ++k) {
    if (compiled[k].matcher == nullptr) continue;
    const PolicyMatcher& m = *compiled[k].matcher;
    std::printf(
        "%-58s %8.2fs %8zu %7zu %8.1fM %13.0f %6.0f%% %13.0f   (%zu certificates with findings)\n",
        cases[k].name, compiled[k].seconds, m.brand_count(), m.rule_count(),
        static_cast<double>(m.index_bytes()) / 1e6, single[k],
        base > 0 ? 100.0 * single[k] / base : 0, multi[k], judged[k]);
    for (size_t i = 0, shown = 0; i < stream.certificates.size() && shown < show; ++i) {
      if (!m.Concerns(stream.certificates[i])) continue;
      CertFacts f;
      f.names = stream.certificates[i];
      for (const FindingDraft& d : m.Judge(f)) {
        if (shown++ < show) std::printf("    %s: %s\n", d.kind.c_str(), d.detail.c_str());
      }
    }
  }
  return 0;
}
