// WatchList: the owner's domains. "example.com" covers the domain and every name below it,
// label-wise ("myexample.com" is not covered), case-insensitively, trailing dots ignored;
// Unicode domains are compared in their A-label form. A wildcard SAN "*.x" concerns the owner
// when "x" is covered or when an owned domain sits directly below "x".
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "policy/matcher.h"

namespace ctwatch {

class WatchList final : public Matcher {
 public:
  // Fails (naming the entry) when a domain is not a valid DNS name.
  static Result<WatchList> Create(const std::vector<std::string>& domains);
  // Lookup sets hold views into domains_: moving keeps them valid, copying would not.
  WatchList(WatchList&&) = default;
  WatchList& operator=(WatchList&&) = default;
  WatchList(const WatchList&) = delete;
  WatchList& operator=(const WatchList&) = delete;

  // The owned domain covering `name` (normalised or not), or empty.
  std::string_view CoveringDomain(std::string_view name) const;
  const std::vector<std::string>& domains() const { return domains_; }

  bool Concerns(const CertNames& names) const override;
  // One owned_certificate finding per identity, naming the owned names it covers.
  std::vector<FindingDraft> Judge(const CertFacts& facts) const override;

 private:
  WatchList() = default;
  bool NameConcerns(std::string_view name) const;
  std::vector<std::string> domains_;               // A-label form, normalised
  std::unordered_set<std::string_view> lookup_;    // views into domains_
  std::unordered_set<std::string_view> parents_;   // each owned domain minus its first label
};

}  // namespace ctwatch
