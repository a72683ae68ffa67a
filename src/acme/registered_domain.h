// The registered domain of an ACME identifier, as Let's Encrypt counts "certificates per
// registered domain" (REFERENCE.md §7): the public-suffix list (libpsl; the newest of its
// built-in copy and /usr/share/publicsuffix) decides, so "www.example.co.uk" counts against
// "example.co.uk". Unknown TLDs follow the "*" rule (the last two labels). IP addresses count
// as themselves.
// Thread-safety: the list is loaded once and immutable; safe from any thread.
#pragma once

#include <string>

#include "acme/resources.h"

namespace ctwatch {

// Lower-case A-label DNS identifiers ("*." allowed) or IP identifiers. A name that is itself a
// public suffix is its own registered domain.
std::string RegisteredDomain(const AcmeIdentifier& identifier);

}  // namespace ctwatch
