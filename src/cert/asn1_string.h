// Internal to src/cert: ASN.1 character strings (X.680 §41, the DirectoryString choices of
// RFC 5280 §4.1.2.4 and IA5String) decoded to UTF-8 text that is always valid and printable.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace ctwatch::cert_internal {

struct StringOptions {
  bool lower_ascii = false;            // A-Z to a-z; other letters are left alone
  std::string_view backslash_escaped;  // ASCII characters written as "\c" (FormatName: ",+")
};

// True for the universal string tags that AppendAsn1String reads.
bool IsStringTag(uint8_t tag);

// Appends the text of a string element with universal `tag` and contents `value`:
// UTF8String as UTF-8, PrintableString/IA5String/NumericString/VisibleString as ASCII,
// T61String as Latin-1, BMPString as UCS-2 (UTF-16 surrogate pairs are accepted),
// UniversalString as UCS-4. C0 and C1 controls, DEL and the backslash are written as "\xNN";
// bytes that do not decode in the string's encoding are written as "\xNN" each. The output is
// therefore valid UTF-8 and the escaping is unambiguous. When `first_nul` is given it receives
// the offset in *out of the first NUL's escape, or npos. Returns false (appending nothing) when
// `tag` is not a string type.
bool AppendAsn1String(uint8_t tag, ByteView value, const StringOptions& options, std::string* out,
                      size_t* first_nul = nullptr);

// Appends "\xNN" (lower-case hex).
void AppendHexEscape(uint8_t byte, std::string* out);

}  // namespace ctwatch::cert_internal
