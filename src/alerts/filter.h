// Which sinks a finding goes to (SinkFilter) and whether a suppression rule stops it.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_model.h"
#include "alerts/alerts_config.h"
#include "core/result.h"

namespace ctwatch {

bool FilterMatches(const SinkFilter& filter, const FindingDraft& finding);

// True when `name` is `domain` or below it (case-insensitive; a leading "*." on the name is
// ignored, so "*.example.com" is below "example.com").
bool NameAtOrBelow(std::string_view name, std::string_view domain);

enum class SuppressionMatch { kName, kPattern, kIssuerKey };
const char* SuppressionMatchName(SuppressionMatch match);
std::optional<SuppressionMatch> ParseSuppressionMatch(std::string_view name);

struct SuppressionRule {
  int64_t id = 0;
  SuppressionMatch match = SuppressionMatch::kName;
  std::string value;  // lower-case name, glob pattern (* and ?), or hex key hash
  std::string reason;
  int64_t created_ms = 0;
  std::optional<int64_t> expires_ms;
};

// Normalises and checks a rule's value: names and patterns lower-cased without a trailing
// dot; issuer keys as 64 lower-case hex digits.
Result<std::string> NormalizeSuppressionValue(SuppressionMatch match, std::string_view value);

// The rule that suppresses `finding`, if any: an issuer_key rule matching its certificate's
// issuer key; or name/pattern rules that together cover every one of its names (a certificate
// that also names something not covered still alerts). Expired rules never match.
const SuppressionRule* FindSuppression(const std::vector<SuppressionRule>& rules,
                                       const AlertFinding& finding, int64_t now_ms);

// Shell-style glob over a whole name: '*' any run of characters, '?' one character.
bool GlobMatches(std::string_view pattern, std::string_view text);

}  // namespace ctwatch
