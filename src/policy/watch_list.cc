#include "policy/watch_list.h"

#include "cert/dns_name.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

Result<WatchList> WatchList::Create(const std::vector<std::string>& domains) {
  WatchList w;
  for (const std::string& d : domains) {
    std::string normalized = NormalizeDnsName(d);
    if (normalized.rfind("*.", 0) == 0 || normalized.rfind('.', 0) == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "watch domain \"" + d + "\": write the domain itself (it covers all names below it)");
    }
    auto ascii = DomainToAscii(normalized);
    if (!ascii.has_value() || ascii->empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "watch domain \"" + d + "\" is not a valid DNS name");
    }
    w.domains_.push_back(*ascii);
  }
  // lookup_ holds views into domains_, which no longer reallocates.
  for (const std::string& d : w.domains_) {
    w.lookup_.insert(d);
    const size_t dot = d.find('.');
    if (dot != std::string::npos) w.parents_.insert(std::string_view(d).substr(dot + 1));
  }
  return w;
}

std::string_view WatchList::CoveringDomain(std::string_view raw) const {
  std::string name = NormalizeDnsName(raw);
  if (!IsAscii(name)) {
    auto ascii = DomainToAscii(name);
    if (!ascii.has_value()) return {};
    name = *ascii;
  }
  std::string_view rest(name);
  for (;;) {
    auto it = lookup_.find(rest);
    if (it != lookup_.end()) return *it;
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return {};
    rest.remove_prefix(dot + 1);
  }
}

bool WatchList::NameConcerns(std::string_view raw) const {
  if (!CoveringDomain(raw).empty()) return true;
  std::string name = NormalizeDnsName(raw);
  if (name.rfind("*.", 0) != 0) return false;
  // "*.x" covers every name one label below x: an owned domain there is covered.
  return parents_.count(std::string_view(name).substr(2)) > 0;
}

bool WatchList::Concerns(const CertNames& names) const {
  for (const auto* list : {&names.dns_names, &names.common_names, &names.ip_addresses}) {
    for (const std::string& n : *list) {
      if (NameConcerns(n)) return true;
    }
  }
  return false;
}

std::vector<FindingDraft> WatchList::Judge(const CertFacts& facts) const {
  std::vector<std::string> owned;
  for (const std::string& n : AllNames(facts.names)) {
    if (NameConcerns(n)) owned.push_back(n);
  }
  if (owned.empty()) return {};
  FindingDraft f;
  f.kind = "owned_certificate";
  f.severity = Severity::kInfo;
  f.identity = facts.identity;
  f.names = owned;
  f.detail = "certificate for " + std::to_string(owned.size()) + " owned name(s), issued by " +
             facts.issuer_dn;
  f.dedup_key = "owned_certificate:" + HexEncode(facts.identity);
  return {std::move(f)};
}

}  // namespace ctwatch
