// Name extraction from a TBSCertificate: SAN dNSName/iPAddress (RFC 5280 §4.2.1.6) and every
// subject commonName; see facts.h (ExtractNames) and names.h.
// Thread-safety: pure functions.
#include "cert/names.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <numeric>

#include "cert/asn1_string.h"
#include "cert/x509_name.h"
#include "core/der.h"

namespace ctwatch {
namespace cert_internal {
namespace {

constexpr uint8_t kDnsNameTag = der::ContextPrimitive(2);
constexpr uint8_t kIpAddressTag = der::ContextPrimitive(7);

// Adds the decoded value and, when it holds a NUL, also the prefix a C client would see.
void AddName(uint8_t tag, ByteView value, std::vector<std::string>* out) {
  static constexpr StringOptions kOptions{.lower_ascii = true};
  std::string text;
  text.reserve(value.size());
  size_t first_nul = std::string::npos;
  if (!AppendAsn1String(tag, value, kOptions, &text, &first_nul) || text.empty()) return;
  std::string prefix = first_nul == std::string::npos ? std::string() : text.substr(0, first_nul);
  out->push_back(std::move(text));
  if (!prefix.empty()) out->push_back(std::move(prefix));
}

void AppendDecimal(unsigned value, std::string* out) {
  char digits[3];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 3);
  while (n > 0) out->push_back(digits[--n]);
}

void AppendIpv4(ByteView a, std::string* out) {
  for (size_t i = 0; i < 4; ++i) {
    if (i > 0) out->push_back('.');
    AppendDecimal(a[i], out);
  }
}

void AppendHex16(unsigned value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (value >> shift) & 0xf;
    if (nibble != 0 || started || shift == 0) {
      out->push_back(kHex[nibble]);
      started = true;
    }
  }
}

// RFC 5952 §4: lower-case hex without leading zeros, the longest run (the first of equal
// runs) of two or more zero groups as "::"; §5: IPv4-mapped addresses end in dotted form.
void AppendIpv6(ByteView a, std::string* out) {
  unsigned words[8];
  for (size_t i = 0; i < 8; ++i) words[i] = (unsigned{a[2 * i]} << 8) | a[2 * i + 1];
  const bool mapped = words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == 0 &&
                      words[4] == 0 && words[5] == 0xffff;
  if (mapped) {
    out->append("::ffff:");
    AppendIpv4(a.subspan(12), out);
    return;
  }
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len) best_start = i, best_len = j - i;
    i = j;
  }
  if (best_len < 2) best_start = -1;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out->append("::");
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best_start + best_len) out->push_back(':');
    AppendHex16(words[i], out);
  }
}

Status AddSubjectAltNames(ByteView san, CertNames* names) {
  // SubjectAltName ::= GeneralNames
  // GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
  // An empty sequence is tolerated: it only means no names.
  DerReader outer(san);
  DerReader general_names;
  if (!outer.Read(der::kSequence, &general_names) || !outer.empty()) {
    return MakeError(ErrorCode::kParse, "subjectAltName: not a SEQUENCE");
  }
  while (!general_names.empty()) {
    // GeneralName ::= CHOICE {
    //      otherName                 [0]  OtherName,
    //      rfc822Name                [1]  IA5String,
    //      dNSName                   [2]  IA5String,
    //      x400Address               [3]  ORAddress,
    //      directoryName             [4]  Name,
    //      ediPartyName              [5]  EDIPartyName,
    //      uniformResourceIdentifier [6]  IA5String,
    //      iPAddress                 [7]  OCTET STRING,
    //      registeredID              [8]  OBJECT IDENTIFIER }
    uint8_t tag;
    ByteView value;
    if (!general_names.ReadAny(&tag, &value)) {
      return MakeError(ErrorCode::kParse, "subjectAltName: malformed GeneralName");
    }
    if (tag == kDnsNameTag) {
      AddName(der::kIa5String, value, &names->dns_names);
    } else if (tag == kIpAddressTag) {
      std::string text;
      // Other lengths (an address with a mask belongs in name constraints) are skipped.
      if (AppendIpAddress(value, &text)) names->ip_addresses.push_back(std::move(text));
    }
  }
  return OkStatus();
}

}  // namespace

bool AppendIpAddress(ByteView address, std::string* out) {
  if (address.size() == 4) {
    AppendIpv4(address, out);
  } else if (address.size() == 16) {
    AppendIpv6(address, out);
  } else {
    return false;
  }
  return true;
}

void RemoveDuplicates(std::vector<std::string>* values) {
  std::vector<std::string>& v = *values;
  const size_t n = v.size();
  if (n < 2) return;
  // Hashes first, then strings: a quadratic pass over stack arrays for the tens of names a
  // certificate holds, a sort for the rare certificate with hundreds.
  constexpr size_t kSmall = 128;
  size_t small_hashes[kSmall];
  bool small_drop[kSmall];
  std::unique_ptr<size_t[]> large_hashes;
  std::unique_ptr<bool[]> large_drop;
  size_t* hashes = small_hashes;
  bool* drop = small_drop;
  if (n > kSmall) {
    large_hashes = std::make_unique<size_t[]>(n);
    large_drop = std::make_unique<bool[]>(n);
    hashes = large_hashes.get();
    drop = large_drop.get();
  }
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = std::hash<std::string>{}(v[i]);
    drop[i] = false;
  }
  if (n <= kSmall) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (hashes[j] == hashes[i] && !drop[j] && v[j] == v[i]) {
          drop[i] = true;
          break;
        }
      }
    }
  } else {
    // Sort indices by (hash, value, index): every index after the first of a group of equal
    // values is a duplicate.
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (hashes[a] != hashes[b]) return hashes[a] < hashes[b];
      if (v[a] != v[b]) return v[a] < v[b];
      return a < b;
    });
    for (size_t k = 1; k < n; ++k) drop[order[k]] = v[order[k]] == v[order[k - 1]];
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (drop[i]) continue;
    if (kept != i) v[kept] = std::move(v[i]);
    ++kept;
  }
  v.resize(kept);
}

Result<CertNames> NamesFromTbs(const ParsedTbs& tbs) {
  CertNames names;
  CTW_ASSIGN_OR_RETURN(const std::optional<ByteView> san, tbs.FindExtension(oid::kSubjectAltName));
  if (san.has_value()) CTW_RETURN_IF_ERROR(AddSubjectAltNames(*san, &names));
  const bool ok = ForEachNameAttribute(tbs.subject, [&names](const NameAttribute& attr) {
    if (Equal(attr.type, oid::kCommonName))
      AddName(attr.value_tag, attr.value, &names.common_names);
  });
  if (!ok) return MakeError(ErrorCode::kParse, "subject: malformed Name");
  RemoveDuplicates(&names.dns_names);
  RemoveDuplicates(&names.ip_addresses);
  RemoveDuplicates(&names.common_names);
  return names;
}

}  // namespace cert_internal

Result<CertNames> ExtractNames(ByteView tbs_der) {
  CTW_ASSIGN_OR_RETURN(const ParsedTbs tbs, ParseTbs(tbs_der));
  return cert_internal::NamesFromTbs(tbs);
}

std::vector<std::string> AllNames(const CertNames& names) {
  std::vector<std::string> all;
  all.reserve(names.dns_names.size() + names.ip_addresses.size() + names.common_names.size());
  all.insert(all.end(), names.dns_names.begin(), names.dns_names.end());
  all.insert(all.end(), names.ip_addresses.begin(), names.ip_addresses.end());
  all.insert(all.end(), names.common_names.begin(), names.common_names.end());
  cert_internal::RemoveDuplicates(&all);
  return all;
}

}  // namespace ctwatch
