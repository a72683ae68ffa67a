// Public-suffix list (libpsl) queries: the registrable domain of a name ("example.co.uk", not
// "co.uk") and whether a top-level label is a real public suffix. The list is the newest of
// libpsl's built-in copy and the system's (/usr/share/publicsuffix, the Debian `publicsuffix`
// package), loaded once per process.
// Thread-safety: the loaded list is immutable; every function is safe from any thread.
#pragma once

#include <string_view>

namespace ctwatch {

// The registrable domain of a lower-case A-label name, as a view into `name`; empty when the
// name is itself a public suffix (or empty). Unknown TLDs follow the "*" rule: the last two
// labels. `name` must be NUL-terminated right after its end (a std::string's view is).
std::string_view RegistrableDomain(std::string_view name);

// True when `suffix` ("com", "co.uk", "github.io") is listed, without the implicit "*" rule.
bool IsListedPublicSuffix(std::string_view suffix);

}  // namespace ctwatch
