// Reads the [policy] section of the config file into a PolicyConfig (docs/policy.md). Every
// value is checked where it is read, so that an error names the file, line and key:
// "ctwatch.toml:42:13: policy.internal.patterns: pattern \"(x\": missing ): (x".
// Thread-safety: used while loading, on one thread.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>

#include "core/bytes.h"

#include "core/result.h"
#include "policy/policy_config.h"

namespace ctwatch {

// A key's SHA-256 written as 64 hex digits (colons, spaces and a "sha256:" prefix allowed),
// as [[policy.issuer]], [[policy.authorization]] and `ctwatch expect add --spki` take it.
std::optional<Sha256Hash> ParseSpkiSha256(const std::string& text);

Status ReadPolicyConfig(const toml::table& table, const std::string& file, PolicyConfig* policy);

}  // namespace ctwatch
