// The built-in, documented defaults of the policy (docs/policy.md lists them): what internal
// host names usually look like, which suffixes are not public, and the keywords that phishing
// domains combine with a brand. Each list can be extended or overridden in [policy].
// Thread-safety: immutable data.
#pragma once

#include <string_view>
#include <vector>

namespace ctwatch {

// Labels (or hyphen-separated parts of labels) that name internal services or environments:
// "jenkins.example.com", "vpn2.example.com", "dev-api.example.com".
const std::vector<std::string_view>& BuiltinInternalLabels();

// Host-name stems that, followed by a number, name a machine: "db01", "dc-2", "srv114".
const std::vector<std::string_view>& BuiltinNumberedHostStems();

// Suffixes that never resolve on the public Internet (RFC 6761, RFC 6762, RFC 8375 and
// common private zones).
const std::vector<std::string_view>& BuiltinNonPublicSuffixes();

// Words that phishing names add to a brand: "examplebank-login", "secure-examplebank".
const std::vector<std::string_view>& BuiltinLookalikeKeywords();

// Top-level domain words that appear inside labels: "examplebank-com.net", "examplebankcom.xyz".
const std::vector<std::string_view>& TldWords();

}  // namespace ctwatch
