// InternalNameRules; see internal_names.h and the built-in lists in policy_defaults.cc.
#include "policy/internal_names.h"

#include <arpa/inet.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include "cert/dns_name.h"
#include "policy/policy_defaults.h"
#include "policy/public_suffix.h"

namespace ctwatch {
namespace {

// A label or hyphen-separated part of one, between the start, a dot or a hyphen and the end,
// a dot or a hyphen.
constexpr const char* kBefore = "(?:^|[.-])";
constexpr const char* kAfter = "(?:[.-]|$)";

RE2::Options SetOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_case_sensitive(false);
  o.set_max_mem(int64_t{64} << 20);
  return o;
}

bool IsLdhLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::vector<std::string> RunSet(const RE2::Set* set, const std::vector<std::string>& names,
                                std::string_view text) {
  std::vector<std::string> out;
  if (set == nullptr || text.empty()) return out;
  std::vector<int> matched;
  if (!set->Match(re2::StringPiece(text.data(), text.size()), &matched)) return out;
  std::sort(matched.begin(), matched.end());
  for (int i : matched) out.push_back(names[static_cast<size_t>(i)]);
  return out;
}

bool EndsWithLabels(std::string_view name, std::string_view suffix) {
  return IsSameOrSubdomain(name, suffix);
}

}  // namespace

struct InternalNameRules::Sets {
  std::unique_ptr<RE2::Set> builtin;   // over the host part
  std::unique_ptr<RE2::Set> patterns;  // over the whole name
};

InternalNameRules::InternalNameRules() : sets_(std::make_unique<Sets>()) {}
InternalNameRules::~InternalNameRules() = default;

Result<std::unique_ptr<InternalNameRules>> InternalNameRules::Create(
    const InternalNameConfig& config) {
  std::unique_ptr<InternalNameRules> r(new InternalNameRules());
  std::vector<std::string> labels;
  if (config.builtin) {
    for (std::string_view l : BuiltinInternalLabels()) labels.emplace_back(l);
  }
  for (const std::string& l : config.extra_labels) labels.push_back(NormalizeDnsName(l));
  for (const std::string& l : config.ignore_labels) {
    const std::string n = NormalizeDnsName(l);
    labels.erase(std::remove(labels.begin(), labels.end(), n), labels.end());
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());

  auto builtin = std::make_unique<RE2::Set>(SetOptions(), RE2::UNANCHORED);
  auto add = [&](const std::string& pattern, std::string name) -> Status {
    std::string error;
    if (builtin->Add(pattern, &error) < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "internal rule " + name + ": " + error);
    }
    r->builtin_names_.push_back(std::move(name));
    return OkStatus();
  };
  for (const std::string& l : labels) {
    if (!IsLdhLabel(l)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "internal label \"" + l + "\" is not a DNS label");
    }
    CTW_RETURN_IF_ERROR(
        add(kBefore + RE2::QuoteMeta(l) + "(?:-?[0-9]+)?" + kAfter, "internal label " + l));
  }
  if (config.builtin) {
    for (std::string_view s : BuiltinNumberedHostStems()) {
      CTW_RETURN_IF_ERROR(add(kBefore + std::string(s) + "-?[0-9]{1,4}" + kAfter,
                              "numbered host " + std::string(s) + "NN"));
    }
    CTW_RETURN_IF_ERROR(add(std::string(kBefore) +
                                "(?:ip-)?(?:10-[0-9]{1,3}|127-[0-9]{1,3}|192-168|169-254|"
                                "172-(?:1[6-9]|2[0-9]|3[01]))-[0-9]{1,3}-[0-9]{1,3}" +
                                kAfter,
                            "private address label"));
    for (std::string_view s : BuiltinNonPublicSuffixes()) r->nonpublic_suffixes_.emplace_back(s);
  }
  for (const std::string& s : config.extra_suffixes) {
    std::optional<std::string> n = DomainToAscii(NormalizeDnsName(s));
    if (!n.has_value() || n->empty() || (*n)[0] == '.') {
      return MakeError(ErrorCode::kInvalidArgument,
                       "non-public suffix \"" + s + "\" is not a DNS name");
    }
    r->nonpublic_suffixes_.push_back(*n);
  }
  if (!r->builtin_names_.empty()) {
    if (!builtin->Compile())
      return MakeError(ErrorCode::kInvalidArgument, "internal rules: too large for RE2");
    r->sets_->builtin = std::move(builtin);
  }

  auto patterns = std::make_unique<RE2::Set>(SetOptions(), RE2::UNANCHORED);
  for (const std::string& p : config.patterns) {
    std::string error;
    if (patterns->Add(p, &error) < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "pattern \"" + p + "\": " + error);
    }
    r->pattern_names_.push_back("pattern " + p);
  }
  if (!r->pattern_names_.empty()) {
    if (!patterns->Compile())
      return MakeError(ErrorCode::kInvalidArgument, "patterns: too large for RE2");
    r->sets_->patterns = std::move(patterns);
  }
  return r;
}

std::vector<std::string> InternalNameRules::Match(std::string_view host_part,
                                                  std::string_view name) const {
  std::vector<std::string> out = RunSet(sets_->builtin.get(), builtin_names_, host_part);
  for (std::string& p : RunSet(sets_->patterns.get(), pattern_names_, name))
    out.push_back(std::move(p));
  return out;
}

bool InternalNameRules::IsPrivateIp(std::string_view ip) {
  const std::string text(ip);
  unsigned char a[16];
  if (inet_pton(AF_INET, text.c_str(), a) == 1) {
    return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 100 && (a[1] & 0xc0) == 64);
  }
  if (inet_pton(AF_INET6, text.c_str(), a) == 1) {
    const bool loopback =
        std::all_of(a, a + 15, [](unsigned char c) { return c == 0; }) && a[15] == 1;
    return loopback || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
  }
  return false;
}

bool InternalNameRules::IsNonPublic(std::string_view name) const {
  if (name.find(':') != std::string_view::npos) return IsPrivateIp(name);
  if (!name.empty() && std::all_of(name.begin(), name.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    return IsPrivateIp(name);
  }
  if (name.size() > 2 && name[0] == '*' && name[1] == '.') name.remove_prefix(2);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return !name.empty();  // one label: "localhost", "exchange01"
  for (const std::string& s : nonpublic_suffixes_) {
    if (EndsWithLabels(name, s)) return true;
  }
  return !IsListedPublicSuffix(name.substr(dot + 1));
}

}  // namespace ctwatch
