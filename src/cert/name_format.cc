// FormatName: a readable one-line rendering of an X.501 Name (RFC 5280 §4.1.2.4), in encoding
// order, with the short attribute names of RFC 4514 §3 and OpenSSL; see tbs.h.
// Thread-safety: pure function over constant tables.
#include <cstring>
#include <string>

#include "cert/asn1_string.h"
#include "cert/tbs.h"  // FormatName is declared there
#include "cert/x509_name.h"

namespace ctwatch {
namespace {

struct AttributeName {
  uint8_t oid[10];
  size_t oid_size;
  const char* name;
};

// DER contents of the attribute type OIDs and the short names printed for them.
constexpr AttributeName kAttributeNames[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"},                      // 2.5.4.3 commonName
    {{0x55, 0x04, 0x04}, 3, "SN"},                      // 2.5.4.4 surname
    {{0x55, 0x04, 0x05}, 3, "serialNumber"},            // 2.5.4.5
    {{0x55, 0x04, 0x06}, 3, "C"},                       // 2.5.4.6 countryName
    {{0x55, 0x04, 0x07}, 3, "L"},                       // 2.5.4.7 localityName
    {{0x55, 0x04, 0x08}, 3, "ST"},                      // 2.5.4.8 stateOrProvinceName
    {{0x55, 0x04, 0x09}, 3, "STREET"},                  // 2.5.4.9 streetAddress
    {{0x55, 0x04, 0x0a}, 3, "O"},                       // 2.5.4.10 organizationName
    {{0x55, 0x04, 0x0b}, 3, "OU"},                      // 2.5.4.11 organizationalUnitName
    {{0x55, 0x04, 0x0c}, 3, "title"},                   // 2.5.4.12
    {{0x55, 0x04, 0x0d}, 3, "description"},             // 2.5.4.13
    {{0x55, 0x04, 0x0f}, 3, "businessCategory"},        // 2.5.4.15
    {{0x55, 0x04, 0x11}, 3, "postalCode"},              // 2.5.4.17
    {{0x55, 0x04, 0x2a}, 3, "GN"},                      // 2.5.4.42 givenName
    {{0x55, 0x04, 0x2b}, 3, "initials"},                // 2.5.4.43
    {{0x55, 0x04, 0x2c}, 3, "generationQualifier"},     // 2.5.4.44
    {{0x55, 0x04, 0x2e}, 3, "dnQualifier"},             // 2.5.4.46
    {{0x55, 0x04, 0x41}, 3, "pseudonym"},               // 2.5.4.65
    {{0x55, 0x04, 0x61}, 3, "organizationIdentifier"},  // 2.5.4.97
    // 1.2.840.113549.1.9.1 emailAddress (PKCS #9)
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
    // 0.9.2342.19200300.100.1.25 domainComponent, .1 userId (RFC 4519)
    {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, 10, "DC"},
    {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01}, 10, "UID"},
};

// 1.3.6.1.4.1.311.60.2.1.{1,2,3}: EV jurisdiction locality, state, country.
constexpr uint8_t kJurisdictionPrefix[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                           0x82, 0x37, 0x3c, 0x02, 0x01};

const char* ShortName(ByteView type) {
  if (type.size() == sizeof(kJurisdictionPrefix) + 1 &&
      std::memcmp(type.data(), kJurisdictionPrefix, sizeof(kJurisdictionPrefix)) == 0) {
    switch (type.back()) {
      case 1:
        return "jurisdictionL";
      case 2:
        return "jurisdictionST";
      case 3:
        return "jurisdictionC";
      default:
        return nullptr;
    }
  }
  for (const AttributeName& entry : kAttributeNames) {
    if (entry.oid_size == type.size() && std::memcmp(entry.oid, type.data(), type.size()) == 0) {
      return entry.name;
    }
  }
  return nullptr;
}

void AppendHex(ByteView bytes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out->push_back(kHex[b >> 4]);
    out->push_back(kHex[b & 0xf]);
  }
}

// X.690 §8.19: base-128 arcs, the first octet group packing the first two arcs. Returns false
// (appending nothing) for an encoding that is not a valid OID or has an arc above 2^64.
bool AppendDottedOid(ByteView oid, std::string* out) {
  std::string text;
  uint64_t arc = 0;
  bool first = true;
  bool in_arc = false;
  for (uint8_t b : oid) {
    if (!in_arc && b == 0x80) return false;  // a non-minimal leading zero group
    if (arc > (UINT64_MAX >> 7)) return false;
    arc = (arc << 7) | (b & 0x7f);
    in_arc = (b & 0x80) != 0;
    if (in_arc) continue;
    if (first) {
      const uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      text += std::to_string(top);
      text += '.';
      text += std::to_string(arc - top * 40);
      first = false;
    } else {
      text += '.';
      text += std::to_string(arc);
    }
    arc = 0;
  }
  if (in_arc || first) return false;
  out->append(text);
  return true;
}

}  // namespace

Result<std::string> FormatName(ByteView name_der) {
  static constexpr cert_internal::StringOptions kOptions{.backslash_escaped = ",+"};
  std::string out;
  const bool ok = cert_internal::ForEachNameAttribute(
      name_der, [&out](const cert_internal::NameAttribute& attr) {
        if (!out.empty()) out.append(attr.first_in_rdn ? ", " : " + ");
        if (const char* name = ShortName(attr.type)) {
          out.append(name);
        } else if (!AppendDottedOid(attr.type, &out)) {
          out.append("OID.#");
          AppendHex(attr.type, &out);
        }
        out.push_back('=');
        if (!cert_internal::AppendAsn1String(attr.value_tag, attr.value, kOptions, &out)) {
          // RFC 4514 §2.4: a value of another type is written as '#' and the hex of its DER.
          out.push_back('#');
          AppendHex(attr.value_whole, &out);
        }
      });
  if (!ok) return MakeError(ErrorCode::kParse, "Name: malformed");
  return out;
}

}  // namespace ctwatch
