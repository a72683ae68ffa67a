// DNS name normalisation, IDNA (UTS #46 through ICU) and label-wise suffix tests; see
// dns_name.h.
// Thread-safety: pure functions; the one shared ICU UTS46 object is immutable.
#include "cert/dns_name.h"

#include <arpa/inet.h>
#include <unicode/uidna.h>

#include <cstdlib>

namespace ctwatch {
namespace {

// UIDNA errors that do not make a name invalid for us. As in the WHATWG URL standard
// (CheckHyphens=false, VerifyDnsLength=false), hyphen placement and DNS length limits are not
// checked: names such as "r3---sn-abc.googlevideo.com" are real.
constexpr uint32_t kIgnoredErrors = UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN |
                                    UIDNA_ERROR_HYPHEN_3_4 | UIDNA_ERROR_LABEL_TOO_LONG |
                                    UIDNA_ERROR_DOMAIN_NAME_TOO_LONG;

// One UTS #46 instance for the process, nontransitional (IDNA2008: ß and ς stay themselves),
// with the bidi and CONTEXTJ checks. A UTS46 object is immutable once opened, so sharing it
// between threads is safe (ICU idna.h).
const UIDNA* Uts46() {
  static const UIDNA* const idna = [] {
    UErrorCode status = U_ZERO_ERROR;
    UIDNA* opened =
        uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE |
                            UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ,
                        &status);
    if (U_FAILURE(status) || opened == nullptr) std::abort();  // ICU without its IDNA data
    return opened;
  }();
  return idna;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithAcePrefix(std::string_view label) {
  return label.size() >= 4 && LowerAscii(label[0]) == 'x' && LowerAscii(label[1]) == 'n' &&
         label[2] == '-' && label[3] == '-';
}

// Runs one ICU UTF-8 conversion, growing the buffer once when ICU asks for more room.
template <typename Convert>
std::optional<std::string> RunIdna(std::string_view input, Convert convert) {
  if (input.size() > 4096) return std::nullopt;  // far beyond any DNS name
  std::string out(input.size() * 4 + 64, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode status = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    const int32_t length = convert(input.data(), static_cast<int32_t>(input.size()), out.data(),
                                   static_cast<int32_t>(out.size()), &info, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR && attempt == 0) {
      out.assign(static_cast<size_t>(length) + 1, '\0');
      continue;
    }
    if (U_FAILURE(status) || (info.errors & ~kIgnoredErrors) != 0) return std::nullopt;
    out.resize(static_cast<size_t>(length));
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::string NormalizeDnsName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

std::optional<std::string> DomainToAscii(std::string_view name) {
  if (name.empty()) return std::nullopt;
  auto ascii = RunIdna(name, [](const char* in, int32_t in_len, char* out, int32_t cap,
                                UIDNAInfo* info, UErrorCode* status) {
    return uidna_nameToASCII_UTF8(Uts46(), in, in_len, out, cap, info, status);
  });
  if (!ascii.has_value() || ascii->empty()) return std::nullopt;
  // Without UseSTD3ASCIIRules UTS #46 lets through ASCII such as space or '/'; with them it
  // would refuse '_' and '*', which real names and wildcards use. So: LDH, '_', '*' and dots.
  for (char& c : *ascii) {
    c = LowerAscii(c);
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                         c == '_' || c == '*';
    if (!allowed) return std::nullopt;
  }
  return ascii;
}

std::string DomainToUnicode(std::string_view ascii_name) {
  std::string out;
  out.reserve(ascii_name.size());
  size_t start = 0;
  for (;;) {
    const size_t dot = ascii_name.find('.', start);
    const std::string_view label = ascii_name.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    std::optional<std::string> unicode;
    if (StartsWithAcePrefix(label)) {
      unicode = RunIdna(label, [](const char* in, int32_t in_len, char* buf, int32_t cap,
                                  UIDNAInfo* info, UErrorCode* status) {
        return uidna_labelToUnicodeUTF8(Uts46(), in, in_len, buf, cap, info, status);
      });
    }
    out.append(unicode.has_value() ? std::string_view(*unicode) : label);
    if (dot == std::string_view::npos) break;
    out.push_back('.');
    start = dot + 1;
  }
  return out;
}

bool IsSameOrSubdomain(std::string_view name, std::string_view domain) {
  if (domain.empty() || name.size() < domain.size()) return false;
  if (name.substr(name.size() - domain.size()) != domain) return false;
  return name.size() == domain.size() || name[name.size() - domain.size() - 1] == '.';
}

std::optional<std::string> CanonicalIpAddress(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, s.c_str(), buf) == 1 &&
        inet_ntop(family, buf, out, sizeof(out)) != nullptr) {
      return std::string(out);
    }
  }
  return std::nullopt;
}

}  // namespace ctwatch
