// DNS name handling shared by the watch list, the policy and ACME: normalisation
// (lower case, no trailing dot), IDNA (UTS #46 via ICU) and label-wise suffix tests.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ctwatch {

// ASCII lower case, trailing dot removed. Non-ASCII bytes are kept as they are.
std::string NormalizeDnsName(std::string_view name);

// Unicode or ASCII input to the ASCII (A-label) form, lower-cased; nullopt when invalid IDNA.
std::optional<std::string> DomainToAscii(std::string_view name);
// A-labels (xn--...) to Unicode UTF-8; labels that are not valid punycode are kept as they are.
std::string DomainToUnicode(std::string_view ascii_name);

// True when `name` equals `domain` or lies below it, label-wise: "a.example.com" and
// "example.com" are under "example.com", "myexample.com" is not. Both must be normalised.
bool IsSameOrSubdomain(std::string_view name, std::string_view domain);

// An IPv4 or IPv6 address in its textual normal form (dotted quad; RFC 5952 as inet_ntop
// writes it), the form certificates' iPAddress names are shown in; nullopt for anything else.
std::optional<std::string> CanonicalIpAddress(std::string_view text);

}  // namespace ctwatch
