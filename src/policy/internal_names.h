// InternalNameRules: what an internal host name looks like, compiled into two RE2::Sets so
// that a name is matched against every rule in one pass. The built-in rules (each internal
// label, each numbered-host stem, private-address labels such as "10-0-3-17") look at the host
// part of an owned name, the labels left of the owned domain, so that an owned domain such as
// "example-corp.com" does not make every name internal; the owner's RE2 patterns see the whole
// name. Separately, IsNonPublic() recognises names that cannot be public at all (one label,
// an unlisted top-level domain, a non-public suffix such as .local or .home.arpa, a private
// or loopback IP address).
// Thread-safety: immutable after Create(); RE2::Set::Match is const and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy_config.h"

namespace ctwatch {

class InternalNameRules {
 public:
  // Fails, naming the pattern and RE2's message, when a pattern does not compile.
  static Result<std::unique_ptr<InternalNameRules>> Create(const InternalNameConfig& config);
  ~InternalNameRules();

  // The rules matched: "internal label jenkins", "numbered host db01", "private address
  // label 10-0-3-17", "pattern ^vpn-". `host_part`: the labels left of the owned domain (may
  // be empty); `name`: the whole name. Both lower-case A-label form.
  std::vector<std::string> Match(std::string_view host_part, std::string_view name) const;

  // True when `name` (canonical DNS name, or an IP address in text form) cannot be public.
  bool IsNonPublic(std::string_view name) const;
  static bool IsPrivateIp(std::string_view ip);

  size_t rule_count() const { return builtin_names_.size() + pattern_names_.size(); }

 private:
  struct Sets;  // the RE2::Sets (pimpl: RE2::Set is a nested class)
  InternalNameRules();
  std::unique_ptr<Sets> sets_;
  std::vector<std::string> builtin_names_;
  std::vector<std::string> pattern_names_;
  std::vector<std::string> nonpublic_suffixes_;
};

}  // namespace ctwatch
