// GenerateCorpus and the corpus files; see corpus.h. Everything is drawn from one seeded
// PRNG, so a seed always gives the same corpus.
#include "corpusgen/corpus.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "cert/dns_name.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/sha256.h"
#include "corpusgen/oracle.h"
#include "corpusgen/permutations.h"
#include "corpusgen/vocabulary.h"
#include "policy/policy_defaults.h"
#include "policy/policy_matcher.h"

namespace ctwatch::corpusgen {
namespace {

// What the issue calls internal (labels, numbered hosts, private-address labels, non-public
// suffixes); the generator's own list, not the matcher's.
constexpr std::string_view kInternalLabels[] = {
    "vpn", "jenkins", "gitlab",  "jira", "confluence", "grafana",  "vault",   "ldap",
    "k8s", "admin",   "staging", "dev",  "corp",       "internal", "intranet"};
constexpr std::string_view kHostStems[] = {"db", "sql", "dc", "srv"};
constexpr std::string_view kNonPublicSuffixes[] = {"local", "internal", "corp", "lan", "home.arpa"};

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

class Generator {
 public:
  Generator(const CorpusOptions& options, Vocabulary vocabulary, Corpus* corpus,
            std::shared_ptr<const PolicyMatcher> policy, std::vector<Brand> brands,
            std::vector<std::string> keywords)
      : options_(options),
        v_(std::move(vocabulary)),
        corpus_(corpus),
        policy_(std::move(policy)),
        brands_(std::move(brands)),
        keywords_(std::move(keywords)),
        rng_(options.seed),
        oracle_(OracleBrands(brands_), keywords_, TldWordList()) {}

  void Run() {
    Owned(false);
    Owned(true);
    Internal();
    Lookalikes();
    Background();
  }

 private:
  static std::vector<LookalikeOracle::Brand> OracleBrands(const std::vector<Brand>& brands) {
    std::vector<LookalikeOracle::Brand> out;
    for (const Brand& b : brands) out.push_back({b.label, b.max_distance});
    return out;
  }
  static std::vector<std::string> TldWordList() {
    std::vector<std::string> out;
    for (std::string_view w : TldWords()) out.emplace_back(w);
    return out;
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) { return v[Pick(v.size())]; }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }

  std::vector<std::string> AsciiOwnedDomains() const {
    std::vector<std::string> out;
    for (const std::string& d : policy_->owned().domains()) {
      if (d.find("xn--") == std::string::npos) out.push_back(d);
    }
    return out;
  }

  // A public-looking owned name below `d`.
  std::string OwnedName(const std::string& d) {
    switch (Pick(8)) {
      case 0:
        return d;
      case 1:
        return "www." + d;
      case 2:
        return "*." + d;
      case 3:
        return Pick(v_.hosts) + "." + Pick(v_.hosts) + "." + d;
      case 4:
        return "*." + Pick(v_.hosts) + "." + d;
      default:
        return Pick(v_.hosts) + "." + d;
    }
  }

  std::string Present(std::string name) {
    if (Chance(8)) return Upper(name);
    if (Chance(5)) return name + ".";
    return name;
  }

  void Add(CorpusItem item) {
    used_.insert(*CanonicalDnsName(item.target));
    corpus_->items.push_back(std::move(item));
  }

  void Owned(bool foreign) {
    const std::vector<std::string>& domains = policy_->owned().domains();
    for (const std::string& d : domains) {
      for (size_t i = 0; i < options_.owned_per_domain; ++i) {
        CorpusItem item{.category = foreign ? "foreign-issuer" : "owned",
                        .foreign_issuer = foreign};
        item.target = Present(OwnedName(d));
        item.names = {item.target};
        if (Chance(30)) item.names.push_back(OwnedName(d));
        if (Chance(20)) item.names.push_back(CleanBackgroundName());
        Add(std::move(item));
      }
    }
    for (const std::string& n : policy_->owned().names()) {
      CorpusItem item{.category = foreign ? "foreign-issuer" : "owned", .foreign_issuer = foreign};
      item.target = n;
      item.names = {n};
      Add(std::move(item));
    }
  }

  std::string PrivateAddressLabel() {
    const auto octet = [&] { return std::to_string(Pick(256)); };
    std::string ip;
    switch (Pick(3)) {
      case 0:
        ip = "10-" + octet() + "-" + octet() + "-" + octet();
        break;
      case 1:
        ip = "192-168-" + octet() + "-" + octet();
        break;
      default:
        ip = "172-" + std::to_string(16 + Pick(16)) + "-" + octet() + "-" + octet();
        break;
    }
    return Chance(30) ? "ip-" + ip : ip;
  }

  void Internal() {
    const std::vector<std::string> domains = AsciiOwnedDomains();
    for (int i = 0; i < 400; ++i) {
      const std::string& d = Pick(domains);
      CorpusItem item{.category = "internal"};
      const std::string label(kInternalLabels[Pick(std::size(kInternalLabels))]);
      switch (i % 5) {
        case 0:
          item.technique = "internal-label";
          switch (Pick(4)) {
            case 0:
              item.target = label + "." + d;
              break;
            case 1:
              item.target = label + std::to_string(1 + Pick(9)) + "." + d;
              break;
            case 2:
              item.target = label + "-" + Pick(v_.hosts) + "." + d;
              break;
            default:
              item.target = Pick(v_.hosts) + "." + label + "." + d;
              break;
          }
          break;
        case 1: {
          item.technique = "numbered-host";
          const int n = 1 + static_cast<int>(Pick(99));
          item.target = std::string(kHostStems[Pick(std::size(kHostStems))]) +
                        (Chance(30) ? "-" : "") + (n < 10 ? "0" : "") + std::to_string(n) +
                        (Chance(50) ? ".prod." : ".") + d;
          break;
        }
        case 2:
          item.technique = "private-address-label";
          item.target = PrivateAddressLabel() + (Chance(30) ? ".eu." : ".") + d;
          break;
        case 3:
          item.technique = "pattern";
          item.target = "build-" + std::to_string(Pick(1000)) + "." + d;
          break;
        default: {
          item.technique = "non-public";
          const std::string suffix(kNonPublicSuffixes[Pick(std::size(kNonPublicSuffixes))]);
          item.target = Chance(20) ? label + std::to_string(10 + Pick(90)) : label + "." + suffix;
          item.names = {item.target, "www." + d};
          break;
        }
      }
      if (item.names.empty()) item.names = {item.target};
      if (used_.count(*CanonicalDnsName(item.target)) && item.technique != "non-public") continue;
      Add(std::move(item));
    }
  }

  // --- look-alikes ---------------------------------------------------------------------------

  std::vector<std::string> Variants(const std::string& technique, const Brand& b,
                                    const std::string& suffix) {
    const std::string& l = b.label;
    auto with_suffix = [&](std::vector<std::string> labels) {
      for (std::string& x : labels) x += "." + suffix;
      return labels;
    };
    auto idn = [&](std::vector<std::string> labels) {
      std::vector<std::string> out;
      for (const std::string& x : labels) {
        const std::optional<std::string> ascii = DomainToAscii(x + "." + suffix);
        if (ascii.has_value() && ascii->find("xn--") != std::string::npos) out.push_back(*ascii);
      }
      return out;
    };
    const bool fuzzy = b.max_distance > 0;
    if (technique == "tld-swap") {
      std::vector<std::string> out;
      for (const auto* list : {&v_.tlds, &v_.abused_tlds}) {
        for (const std::string& t : *list) {
          if (t != suffix) out.push_back(l + "." + t);
        }
      }
      return out;
    }
    if (technique == "homoglyph") return with_suffix(Homoglyph(l));
    if (technique == "idn-homograph") return idn(IdnHomograph(l));
    if (technique == "cyrillic") return idn(Cyrillic(l));
    if (technique == "hyphenation") return with_suffix(Hyphenation(l));
    if (technique == "dot-insertion") return with_suffix(DotInsertion(l));
    if (technique == "plural") return with_suffix(Plural(l));
    if (technique == "combosquat") return with_suffix(Combosquat(l, keywords_));
    if (technique == "tld-in-label") {
      std::vector<std::string> out;
      const std::string word = suffix.find('.') == std::string::npos ? suffix : "com";
      for (const std::string& t : v_.abused_tlds) {
        out.push_back(l + word + "." + t);
        out.push_back(l + "-" + word + "." + t);
      }
      return out;
    }
    if (technique == "brand-in-subdomain") {
      std::vector<std::string> out;
      for (int i = 0; i < 12; ++i) {
        const std::string other = CleanRegistrable();
        switch (i % 4) {
          case 0:
            out.push_back(l + "." + suffix + "." + other);
            break;
          case 1:
            out.push_back("www." + l + "." + suffix + "-" + Pick(keywords_) + "." +
                          Pick(v_.abused_tlds));
            break;
          case 2:
            out.push_back(l + "-" + Pick(keywords_) + "." + other);
            break;
          default:
            out.push_back(Pick(keywords_) + "." + l + "." + other);
            break;
        }
      }
      return out;
    }
    if (!fuzzy) return {};
    if (technique == "addition") return with_suffix(Addition(l));
    if (technique == "bitsquatting") return with_suffix(Bitsquatting(l));
    if (technique == "insertion") return with_suffix(Insertion(l));
    if (technique == "omission") return with_suffix(Omission(l));
    if (technique == "repetition") return with_suffix(Repetition(l));
    if (technique == "replacement") return with_suffix(Replacement(l));
    if (technique == "transposition") return with_suffix(Transposition(l));
    if (technique == "vowel-swap") return with_suffix(VowelSwap(l));
    return {};
  }

  void Lookalikes() {
    for (const std::string& technique : CorpusTechniques()) {
      for (const Brand& b : brands_) {
        if (b.label.find("xn--") != std::string::npos) continue;  // ASCII brands only
        const std::string suffix = b.suffixes.empty() ? "com" : b.suffixes[0];
        std::vector<std::string> variants = Variants(technique, b, suffix);
        std::shuffle(variants.begin(), variants.end(), rng_);
        size_t taken = 0;
        for (const std::string& v : variants) {
          if (taken == options_.per_brand_technique) break;
          const std::optional<std::string> canonical = CanonicalDnsName(v);
          if (!canonical.has_value() || used_.count(*canonical) ||
              policy_->Classify(*canonical) != NameClass::kForeign) {
            continue;
          }
          CorpusItem item{.category = "lookalike", .technique = technique, .brand = b.display};
          item.target = Chance(5) ? "*." + v : Present(v);
          item.names = {item.target};
          Add(std::move(item));
          ++taken;
        }
      }
    }
  }

  // --- background ----------------------------------------------------------------------------

  std::string RegistrableLabel() {
    switch (Pick(10)) {
      case 0:
      case 1:
        return Pick(v_.words);
      case 2:
        return Pick(v_.words) + Pick(v_.words);
      case 3:
        return Pick(v_.words) + "-" + Pick(v_.words);
      case 4:
        return Pick(v_.names) + Pick(v_.names);
      case 5:
        return Pick(v_.places) + Pick(v_.tech);
      case 6:
        return Pick(v_.words) + Pick(v_.tech);
      case 7:
        return Pick(v_.tech) + "-" + Pick(v_.words);
      case 8:
        return Pick(v_.words) + std::to_string(1 + Pick(2025));
      default:
        return Pick(v_.names) + "-" + Pick(v_.places);
    }
  }

  std::string Suffix() {
    const size_t r = Pick(100);
    if (r < 45) return "com";
    if (r < 55) return "net";
    if (r < 62) return "org";
    if (r < 66) return "co.uk";
    if (r < 75) return Pick(v_.abused_tlds);
    return Pick(v_.tlds);
  }

  std::string HashLabel() {
    static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < 10; ++i) s += kChars[Pick(kChars.size())];
    return s;
  }

  // Hard negatives: brand material that the definition does not call a look-alike (the brand
  // glued to an ordinary word, half a brand, three edits); the oracle drops those that are.
  std::string NearBrandLabel() {
    const std::string& l = brands_[Pick(brands_.size())].label;
    switch (Pick(5)) {
      case 0:
        return l + Pick(v_.words);
      case 1:
        return Pick(v_.words) + l;
      case 2:
        return l.substr(0, l.size() / 2 + 1) + Pick(v_.words);
      case 3: {
        std::string s = l;
        for (int k = 0; k < 3; ++k) s[Pick(s.size())] = static_cast<char>('a' + Pick(26));
        return s;
      }
      default:
        return Pick(v_.words) + l + Pick(v_.words);
    }
  }

  std::string BackgroundCandidate() {
    const std::string label = Chance(8) ? NearBrandLabel() : RegistrableLabel();
    if (label.find("xn--") != std::string::npos) return BackgroundCandidate();
    std::string name = label + "." + Suffix();
    const size_t r = Pick(100);
    if (r < 40) return name;
    if (r < 70) return Pick(v_.hosts) + "." + name;
    if (r < 82) return Pick(v_.hosts) + "." + Pick(v_.words) + "." + name;
    if (r < 88) return HashLabel() + "." + Pick(v_.tech) + "." + name;
    if (r < 94) return Pick(v_.words) + "." + name;
    return "*." + name;
  }

  bool Acceptable(const std::string& name) {
    if (used_.count(name) || policy_->Classify(name) != NameClass::kForeign) return false;
    if (oracle_.IsLookalike(name)) {
      ++corpus_->background_rejected;
      return false;
    }
    return true;
  }

  // A background name not used anywhere else in the corpus (it is then taken).
  std::string CleanBackgroundName() {
    for (;;) {
      std::string name = BackgroundCandidate();
      if (Acceptable(name)) {
        used_.insert(name);
        return name;
      }
    }
  }

  std::string CleanRegistrable() {
    for (;;) {
      std::string name = RegistrableLabel() + "." + Suffix();
      if (Acceptable(name)) return name;
    }
  }

  void Background() {
    for (size_t i = 0; i < options_.background; ++i) {
      CorpusItem item{.category = "background"};
      item.target = CleanBackgroundName();
      item.names = {item.target};
      Add(std::move(item));
    }
  }

  const CorpusOptions& options_;
  const Vocabulary v_;
  Corpus* const corpus_;
  const std::shared_ptr<const PolicyMatcher> policy_;
  const std::vector<Brand> brands_;
  const std::vector<std::string> keywords_;
  std::mt19937_64 rng_;
  const LookalikeOracle oracle_;
  std::set<std::string> used_;
};

std::string TomlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out + "]";
}

}  // namespace

const std::vector<std::string>& CorpusTechniques() {
  static const std::vector<std::string> kTechniques = {
      "tld-swap",      "homoglyph",     "idn-homograph", "cyrillic",     "hyphenation",
      "dot-insertion", "plural",        "combosquat",    "tld-in-label", "brand-in-subdomain",
      "addition",      "bitsquatting",  "insertion",     "omission",     "repetition",
      "replacement",   "transposition", "vowel-swap"};
  return kTechniques;
}

PolicyConfig CorpusPolicy(const std::vector<std::string>& dictionary,
                          const Sha256Hash& allowed_issuer) {
  PolicyConfig p;
  p.domains = {"examplebank.net",      "contoso.com",        "fabrikam.com",
               "northwindtraders.com", "tailspintoys.com",   "woodgrovebank.com",
               "adventure-works.com",  "litwareinc.com",     "proseware.com",
               "fourthcoffee.com",     "alpineskihouse.com", "wideworldimporters.com",
               "bücherhaus.de"};
  p.names = {"status.relecloud.com"};
  p.exclude = {"customers.contoso.com"};
  p.allowed_issuers = {{.label = "Corpus CA", .spki_sha256 = allowed_issuer}};
  p.internal.patterns = {"^build-[0-9]+\\."};
  p.lookalike.brands = {"margiestravel",         "treyresearch.net",
                        "lucernepublishing.com", "blueyonderairlines.com",
                        "cohovineyard.com",      "humongousinsurance.com",
                        "southridgevideo.com",   "adatum.com",
                        "wingtiptoys.com",       "graphicdesigninstitute.com"};
  p.lookalike.allow = {"contoso-partner.com", "examplebank-careers.com"};
  p.lookalike.extra_keywords = dictionary;
  return p;
}

Result<Corpus> GenerateCorpus(const CorpusOptions& options) {
  CTW_ASSIGN_OR_RETURN(Vocabulary vocabulary, LoadVocabulary(options.data_dir));
  Corpus corpus;
  corpus.allowed_issuer = Sha256(AsBytes(std::string_view("ctwatch corpus: allowed issuer key")));
  corpus.foreign_issuer = Sha256(AsBytes(std::string_view("ctwatch corpus: foreign issuer key")));
  corpus.policy = CorpusPolicy(vocabulary.dictionary, corpus.allowed_issuer);
  CTW_ASSIGN_OR_RETURN(std::shared_ptr<const PolicyMatcher> policy,
                       PolicyMatcher::Create(corpus.policy));
  std::vector<std::string> warnings;
  CTW_ASSIGN_OR_RETURN(std::vector<Brand> brands, PolicyBrands(corpus.policy, &warnings));
  std::vector<std::string> keywords;
  for (std::string_view k : BuiltinLookalikeKeywords()) keywords.emplace_back(k);
  keywords.insert(keywords.end(), vocabulary.dictionary.begin(), vocabulary.dictionary.end());
  Generator(options, std::move(vocabulary), &corpus, policy, std::move(brands), std::move(keywords))
      .Run();
  return corpus;
}

std::string PolicyToml(const Corpus& corpus) {
  const PolicyConfig& p = corpus.policy;
  std::ostringstream out;
  out << "[policy]\n"
      << "domains = " << TomlList(p.domains) << "\n"
      << "names = " << TomlList(p.names) << "\n"
      << "exclude = " << TomlList(p.exclude) << "\n\n";
  for (const AllowedIssuer& i : p.allowed_issuers) {
    out << "[[policy.issuer]]\nlabel = \"" << i.label << "\"\nspki_sha256 = \""
        << HexEncode(i.spki_sha256) << "\"\n\n";
  }
  out << "[policy.internal]\npatterns = ['^build-[0-9]+\\.']\n\n"
      << "[policy.lookalike]\n"
      << "brands = " << TomlList(p.lookalike.brands) << "\n"
      << "allow = " << TomlList(p.lookalike.allow) << "\n"
      << "extra_keywords = " << TomlList(p.lookalike.extra_keywords) << "\n";
  return out.str();
}

Status WriteCorpus(const Corpus& corpus, const std::string& dir) {
  CTW_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  std::string labels = "# category\ttechnique\tbrand\tissuer\tnames (target first)\n";
  std::string plant;
  for (const CorpusItem& item : corpus.items) {
    std::string names;
    for (const std::string& n : item.names) {
      if (!names.empty()) names += " ";
      names += n;
    }
    labels += item.category + "\t" + (item.technique.empty() ? "-" : item.technique) + "\t" +
              (item.brand.empty() ? "-" : item.brand) + "\t" +
              (item.foreign_issuer ? "foreign" : "allowed") + "\t" + names + "\n";
    plant += names + "\n";
  }
  CTW_RETURN_IF_ERROR(WriteFileAtomic(dir + "/labels.tsv", labels));
  CTW_RETURN_IF_ERROR(WriteFileAtomic(dir + "/plant.txt", plant));
  return WriteFileAtomic(dir + "/policy.toml", PolicyToml(corpus));
}

Result<std::vector<CorpusItem>> ReadLabels(const std::string& path) {
  CTW_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 256u << 20));
  std::vector<CorpusItem> out;
  std::istringstream lines(text);
  std::string line;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream in(line);
    std::string field;
    while (std::getline(in, field, '\t')) fields.push_back(field);
    if (fields.size() != 5) {
      return MakeError(ErrorCode::kParse,
                       path + ":" + std::to_string(number) + ": expected 5 fields");
    }
    CorpusItem item{.category = fields[0],
                    .technique = fields[1] == "-" ? "" : fields[1],
                    .brand = fields[2] == "-" ? "" : fields[2],
                    .foreign_issuer = fields[3] == "foreign"};
    std::istringstream names(fields[4]);
    std::string n;
    while (names >> n) item.names.push_back(n);
    if (item.names.empty())
      return MakeError(ErrorCode::kParse, path + ":" + std::to_string(number) + ": no names");
    item.target = item.names[0];
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace ctwatch::corpusgen
