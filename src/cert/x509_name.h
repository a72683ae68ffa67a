// Internal to src/cert: a walk over the attributes of an X.501 Name (RFC 5280 §4.1.2.4), shared
// by ParseTbs (validation), the CN extraction and FormatName.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/der.h"

namespace ctwatch::cert_internal {

struct NameAttribute {
  ByteView type;          // OBJECT IDENTIFIER contents
  uint8_t value_tag = 0;  // tag of the AttributeValue
  ByteView value;         // AttributeValue contents
  ByteView value_whole;   // AttributeValue element
  bool first_in_rdn = false;
};

// Calls visit(const NameAttribute&) for every attribute of the Name element `name_der`, in
// encoding order. Returns false when the Name is malformed (visit may have run for a prefix).
template <typename Visit>
bool ForEachNameAttribute(ByteView name_der, Visit&& visit) {
  // Name ::= CHOICE { rdnSequence RDNSequence }
  // RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
  DerReader outer(name_der);
  DerReader rdns;
  if (!outer.Read(der::kSequence, &rdns) || !outer.empty()) return false;
  while (!rdns.empty()) {
    // RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
    // An empty SET breaks SIZE (1..MAX), but encoders have written it and OpenSSL and Go accept
    // it; it holds no attribute, so it is skipped.
    DerReader rdn;
    if (!rdns.Read(der::kSet, &rdn)) return false;
    bool first = true;
    while (!rdn.empty()) {
      // AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
      // AttributeType ::= OBJECT IDENTIFIER; AttributeValue ::= ANY -- DEFINED BY AttributeType
      DerReader atv;
      NameAttribute attr;
      if (!rdn.Read(der::kSequence, &atv) || !atv.Read(der::kOid, &attr.type) ||
          attr.type.empty() || !atv.ReadAny(&attr.value_tag, &attr.value, &attr.value_whole) ||
          !atv.empty()) {
        return false;
      }
      attr.first_in_rdn = first;
      first = false;
      visit(static_cast<const NameAttribute&>(attr));
    }
  }
  return true;
}

}  // namespace ctwatch::cert_internal
