// Corpus scoring; see corpus_score.h.
#include "corpusgen/corpus_score.h"

#include <cstdio>
#include <map>
#include <set>

#include "cert/dns_name.h"
#include "core/sha256.h"

namespace ctwatch::corpusgen {
namespace {

std::string Canonical(const std::string& name) {
  std::string n = NormalizeDnsName(name);
  const std::optional<std::string> ascii = DomainToAscii(n);
  return ascii.has_value() ? *ascii : n;
}

// Owned by ground truth: below an owned domain (most specific entry wins over exclusions) or
// an exact owned name; "*.x" when x is owned. Written plainly, apart from OwnedNames.
bool TrulyOwned(std::string name, const PolicyConfig& p) {
  for (const std::string& n : p.names) {
    if (Canonical(n) == name) return true;
  }
  if (name.rfind("*.", 0) == 0) name = name.substr(2);
  size_t best = 0;
  bool owned = false;
  for (const auto* list : {&p.domains, &p.exclude}) {
    for (const std::string& raw : *list) {
      const std::string d = Canonical(raw);
      if (IsSameOrSubdomain(name, d) && d.size() >= best) {
        best = d.size();
        owned = list == &p.domains;
      }
    }
  }
  return owned;
}

std::string Percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", 100.0 * x);
  return buf;
}

}  // namespace

bool ParseLookalikeDetail(const std::string& detail, std::string* brand, std::string* technique) {
  const std::string marker = " looks like ";
  const size_t at = detail.find(marker);
  if (at == std::string::npos) return false;
  const size_t colon = detail.find(": ", at + marker.size());
  if (colon == std::string::npos) return false;
  *brand = detail.substr(at + marker.size(), colon - at - marker.size());
  std::string t = detail.substr(colon + 2);
  t = t.substr(0, t.find(' '));
  if (!t.empty() && t.back() == ':') t.pop_back();
  *technique = t;
  return true;
}

Observation Observe(const Matcher& matcher, const CorpusItem& item, const Corpus& corpus,
                    uint64_t serial) {
  Observation o;
  CertNames names{.dns_names = item.names};
  o.concerned = matcher.Concerns(names);
  if (!o.concerned) return o;
  CertFacts facts;
  facts.identity = Sha256(AsBytes(std::to_string(serial)));
  facts.names = names;
  facts.issuer_dn = "CN=Corpus CA";
  facts.issuer_key_hash = item.foreign_issuer ? corpus.foreign_issuer : corpus.allowed_issuer;
  o.findings = matcher.Judge(facts);
  return o;
}

const ScoreRow* CorpusScore::Row(const std::string& category) const {
  for (const ScoreRow& r : rows) {
    if (r.category == category) return &r;
  }
  return nullptr;
}

CorpusScore ScoreCorpus(const Corpus& corpus, const std::vector<Observation>& observed) {
  std::map<std::string, ScoreRow> rows;
  auto row = [&](const std::string& c) -> ScoreRow& {
    ScoreRow& r = rows[c];
    r.category = c;
    return r;
  };
  CorpusScore score;
  auto miss = [&](const std::string& what) {
    if (score.misses.size() < 40) score.misses.push_back(what);
  };
  for (size_t i = 0; i < corpus.items.size() && i < observed.size(); ++i) {
    const CorpusItem& item = corpus.items[i];
    const Observation& o = observed[i];
    const std::string target = Canonical(item.target);
    bool owned_hit = false, internal_hit = false, issuer_hit = false, lookalike_hit = false;
    bool technique_agreed = false, any_lookalike = false;
    for (const FindingDraft& f : o.findings) {
      std::set<std::string> names;
      for (const std::string& n : f.names) names.insert(Canonical(n));
      if (f.kind == "owned_certificate") {
        owned_hit = owned_hit || names.count(target) > 0;
        for (const std::string& n : names) {
          ScoreRow& r = row("owned");
          ++r.flagged;
          if (TrulyOwned(n, corpus.policy)) {
            ++r.flagged_correct;
          } else {
            miss("owned_certificate for a name that is not owned: " + n);
          }
        }
      } else if (f.kind == "internal_name_exposed") {
        const bool correct = item.category == "internal" && names.count(target) > 0;
        internal_hit = internal_hit || correct;
        ScoreRow& r = row("internal");
        ++r.flagged;
        if (correct) {
          ++r.flagged_correct;
        } else {
          miss("false internal_name_exposed: " + f.detail);
        }
      } else if (f.kind == "unexpected_issuer") {
        const bool correct = item.foreign_issuer;
        issuer_hit = issuer_hit || (correct && names.count(target) > 0);
        ScoreRow& r = row("foreign-issuer");
        ++r.flagged;
        if (correct) {
          ++r.flagged_correct;
        } else {
          miss("false unexpected_issuer: " + f.detail);
        }
      } else if (f.kind == "lookalike") {
        any_lookalike = true;
        std::string brand, technique;
        ParseLookalikeDetail(f.detail, &brand, &technique);
        const bool correct =
            item.category == "lookalike" && brand == item.brand && names.count(target) > 0;
        lookalike_hit = lookalike_hit || correct;
        const bool agrees = technique == item.technique ||
                            (item.technique == "cyrillic" && technique == "idn-homograph");
        technique_agreed = technique_agreed || (correct && agrees);
        for (const std::string& c : {std::string("lookalike"), "lookalike/" + technique}) {
          ScoreRow& r = row(c);
          ++r.flagged;
          if (correct) r.flagged_correct++;
        }
        if (!correct) miss("false lookalike (" + item.category + "): " + f.detail);
      }
    }
    if (item.category == "background") {
      ++score.background_total;
      if (any_lookalike) ++score.background_false_lookalikes;
      if (o.concerned) ++score.background_concerned;
      continue;
    }
    std::vector<std::string> categories = {item.category};
    if (item.category == "internal") categories.push_back("internal/" + item.technique);
    if (item.category == "lookalike") categories.push_back("lookalike/" + item.technique);
    bool detected = false;
    if (item.category == "owned") detected = o.concerned && owned_hit;
    if (item.category == "internal") detected = o.concerned && internal_hit;
    if (item.category == "foreign-issuer") detected = o.concerned && issuer_hit;
    if (item.category == "lookalike") detected = o.concerned && lookalike_hit;
    for (const std::string& c : categories) {
      ScoreRow& r = row(c);
      ++r.total;
      if (detected) ++r.detected;
      if (technique_agreed) ++r.technique_agreed;
    }
    if (!detected) {
      std::string what = "missed " + item.category;
      if (!item.technique.empty()) what += "/" + item.technique;
      miss(what + ": " + item.target);
    }
  }
  // Per-technique precision is by the technique the finding named, which may differ from the
  // generating technique (cyrillic is reported as idn-homograph): keep the rows that have both.
  for (auto& [name, r] : rows) score.rows.push_back(r);
  return score;
}

std::string CorpusScore::Table() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-34s %8s %8s %9s %10s %10s\n", "category", "items", "found",
                "recall", "precision", "technique");
  out += line;
  for (const ScoreRow& r : rows) {
    if (r.total == 0 && r.flagged == 0) continue;
    const bool lookalike_technique = r.category.rfind("lookalike/", 0) == 0;
    std::snprintf(line, sizeof(line), "%-34s %8zu %8zu %9s %10s %10s\n", r.category.c_str(),
                  r.total, r.detected, r.total ? Percent(r.Recall()).c_str() : "-",
                  r.flagged ? Percent(r.Precision()).c_str() : "-",
                  lookalike_technique && r.total ? Percent(static_cast<double>(r.technique_agreed) /
                                                           static_cast<double>(r.total))
                                                       .c_str()
                                                 : "");
    out += line;
  }
  std::snprintf(line, sizeof(line),
                "%-34s %8zu %8zu  false look-alikes: %.2f per 100,000 (%zu stored)\n", "background",
                background_total, background_false_lookalikes, FalseLookalikesPer100k(),
                background_concerned);
  out += line;
  return out;
}

}  // namespace ctwatch::corpusgen
