// Sink filters and suppression rules; see filter.h. Thread-safety: pure functions.
#include "alerts/filter.h"

#include <algorithm>
#include <cctype>

#include "core/encoding.h"

namespace ctwatch {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool RuleCoversName(const SuppressionRule& rule, const std::string& name) {
  if (rule.match == SuppressionMatch::kName) return Lower(name) == rule.value;
  if (rule.match == SuppressionMatch::kPattern) return GlobMatches(rule.value, Lower(name));
  return false;
}

}  // namespace

bool NameAtOrBelow(std::string_view name, std::string_view domain) {
  std::string n = Lower(name);
  if (n.rfind("*.", 0) == 0) n = n.substr(2);
  const std::string d = Lower(domain);
  if (d.empty()) return false;
  if (n == d) return true;
  return n.size() > d.size() && n.compare(n.size() - d.size(), d.size(), d) == 0 &&
         n[n.size() - d.size() - 1] == '.';
}

bool FilterMatches(const SinkFilter& filter, const FindingDraft& finding) {
  if (!filter.kinds.empty() && !Contains(filter.kinds, finding.kind)) return false;
  if (Contains(filter.exclude_kinds, finding.kind)) return false;
  if (static_cast<int>(finding.severity) < static_cast<int>(filter.min_severity)) return false;
  if (!filter.domains.empty() && !finding.names.empty()) {
    bool any = false;
    for (const std::string& n : finding.names) {
      for (const std::string& d : filter.domains) any = any || NameAtOrBelow(n, d);
    }
    if (!any) return false;
  }
  return true;
}

const char* SuppressionMatchName(SuppressionMatch match) {
  switch (match) {
    case SuppressionMatch::kName:
      return "name";
    case SuppressionMatch::kPattern:
      return "pattern";
    case SuppressionMatch::kIssuerKey:
      return "issuer_key";
  }
  return "name";
}

std::optional<SuppressionMatch> ParseSuppressionMatch(std::string_view name) {
  for (SuppressionMatch m :
       {SuppressionMatch::kName, SuppressionMatch::kPattern, SuppressionMatch::kIssuerKey}) {
    if (name == SuppressionMatchName(m)) return m;
  }
  return std::nullopt;
}

Result<std::string> NormalizeSuppressionValue(SuppressionMatch match, std::string_view value) {
  std::string v = Lower(value);
  if (v.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty suppression value");
  if (match == SuppressionMatch::kIssuerKey) {
    const bool hex = v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) {
                       return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                     });
    if (!hex) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "an issuer key is the hex SHA-256 of its SubjectPublicKeyInfo (64 digits)");
    }
  }
  if (match == SuppressionMatch::kName && v.find_first_of("*?") == 0 && v.rfind("*.", 0) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "use --pattern for glob patterns");
  }
  return v;
}

const SuppressionRule* FindSuppression(const std::vector<SuppressionRule>& rules,
                                       const AlertFinding& finding, int64_t now_ms) {
  auto active = [now_ms](const SuppressionRule& r) {
    return !r.expires_ms.has_value() || *r.expires_ms > now_ms;
  };
  if (finding.certificate && finding.certificate->issuer_key_hash) {
    const std::string issuer = HexEncode(*finding.certificate->issuer_key_hash);
    for (const SuppressionRule& r : rules) {
      if (active(r) && r.match == SuppressionMatch::kIssuerKey && r.value == issuer) return &r;
    }
  }
  const std::vector<std::string>& names = finding.stored.finding.names;
  if (names.empty()) return nullptr;
  const SuppressionRule* first = nullptr;
  for (const std::string& n : names) {
    const SuppressionRule* covering = nullptr;
    for (const SuppressionRule& r : rules) {
      if (active(r) && RuleCoversName(r, n)) {
        covering = &r;
        break;
      }
    }
    if (covering == nullptr) return nullptr;
    if (first == nullptr) first = covering;
  }
  return first;
}

bool GlobMatches(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*' (linear in practice).
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace ctwatch
