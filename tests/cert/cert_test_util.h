// Helpers for the cert tests: loading certificates from tests/data/certs, a tiny DER writer for
// synthetic TBSCertificates, and OpenSSL handles for cross-checks.
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/der.h"
#include "core/openssl_util.h"
#include "test_util.h"

namespace ctwatch::testing {

// Every certificate of a test file (DER for *.der, PEM otherwise), under tests/data/certs.
inline std::vector<Bytes> LoadCerts(const std::string& relative) {
  const std::string data = ReadTestData("certs/" + relative);
  if (relative.size() > 4 && relative.substr(relative.size() - 4) == ".der") {
    return {ToBytes(AsBytes(data))};
  }
  auto certs = PemCertificatesToDer(data);
  if (!certs.has_value()) {
    ADD_FAILURE() << relative << ": " << certs.error().ToString();
    return {};
  }
  return certs.value();
}

inline Bytes LoadCert(const std::string& relative, size_t index = 0) {
  std::vector<Bytes> certs = LoadCerts(relative);
  if (certs.size() <= index) {
    ADD_FAILURE() << relative << " has no certificate #" << index;
    return {};
  }
  return certs[index];
}

// DER writing: one element from a tag and its contents pieces.
inline Bytes Tlv(uint8_t tag, std::initializer_list<ByteView> pieces) {
  size_t length = 0;
  for (ByteView p : pieces) length += p.size();
  Bytes out;
  AppendDerHeader(&out, tag, length);
  for (ByteView p : pieces) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes Tlv(uint8_t tag, std::string_view contents) { return Tlv(tag, {AsBytes(contents)}); }

inline Bytes Concat(std::initializer_list<ByteView> pieces) {
  Bytes out;
  for (ByteView p : pieces) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes Oid(std::initializer_list<uint8_t> contents) {
  return Tlv(der::kOid, {Bytes(contents)});
}

// One single-valued RDN: SET { SEQUENCE { type, value } }.
inline Bytes Rdn(std::initializer_list<uint8_t> type, ByteView value_element) {
  return Tlv(der::kSet, {Tlv(der::kSequence, {Oid(type), value_element})});
}

inline Bytes CnRdn(uint8_t string_tag, std::string_view value) {
  return Rdn({0x55, 0x04, 0x03}, Tlv(string_tag, value));
}

// Extension ::= SEQUENCE { extnID, [critical], extnValue OCTET STRING }.
inline Bytes Extension(ByteView oid_contents, ByteView value, bool critical = false) {
  const Bytes oid = Tlv(der::kOid, {oid_contents});
  const Bytes value_element = Tlv(der::kOctetString, {value});
  if (!critical) return Tlv(der::kSequence, {oid, value_element});
  const Bytes true_element = {der::kBoolean, 0x01, 0xff};
  return Tlv(der::kSequence, {oid, true_element, value_element});
}

struct TbsSpec {
  Bytes subject;                  // Name contents (RDN elements)
  std::vector<Bytes> extensions;  // Extension elements; none: no [3]
  std::string not_before = "200101000000Z";
  std::string not_after = "491231235959Z";
  uint8_t not_after_tag = der::kUtcTime;
};

// A v3 TBSCertificate with an ECDSA-shaped SPKI; the parts not in the spec are fixed.
inline Bytes MakeTbs(const TbsSpec& spec) {
  const Bytes version = Tlv(der::ContextConstructed(0), {Tlv(der::kInteger, {Bytes{0x02}})});
  const Bytes serial = Tlv(der::kInteger, {Bytes{0x01, 0x02, 0x03}});
  // ecdsa-with-SHA256 1.2.840.10045.4.3.2
  const Bytes sig_alg =
      Tlv(der::kSequence, {Oid({0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02})});
  const Bytes issuer = Tlv(der::kSequence, {CnRdn(der::kUtf8String, "Test CA")});
  const Bytes validity = Tlv(der::kSequence, {Tlv(der::kUtcTime, spec.not_before),
                                              Tlv(spec.not_after_tag, spec.not_after)});
  const Bytes subject = Tlv(der::kSequence, {spec.subject});
  // id-ecPublicKey 1.2.840.10045.2.1, prime256v1 1.2.840.10045.3.1.7, a dummy point.
  const Bytes spki = Tlv(
      der::kSequence, {Tlv(der::kSequence, {Oid({0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}),
                                            Oid({0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})}),
                       Tlv(der::kBitString, {Bytes{0x00, 0x04, 0x01, 0x02}})});
  Bytes extensions;
  if (!spec.extensions.empty()) {
    Bytes list;
    for (const Bytes& e : spec.extensions) list.insert(list.end(), e.begin(), e.end());
    extensions = Tlv(der::ContextConstructed(3), {Tlv(der::kSequence, {list})});
  }
  return Tlv(der::kSequence,
             {version, serial, sig_alg, issuer, validity, subject, spki, extensions});
}

// subjectAltName extension from GeneralName elements.
inline Bytes SanExtension(std::initializer_list<ByteView> general_names) {
  static constexpr uint8_t kSan[] = {0x55, 0x1d, 0x11};
  Bytes list;
  for (ByteView g : general_names) list.insert(list.end(), g.begin(), g.end());
  return Extension(kSan, Tlv(der::kSequence, {list}));
}
inline Bytes DnsName(std::string_view name) { return Tlv(der::ContextPrimitive(2), name); }
inline Bytes IpAddress(std::initializer_list<uint8_t> bytes) {
  return Tlv(der::ContextPrimitive(7), {Bytes(bytes)});
}

inline X509Ptr ParseWithOpenSsl(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x509 != nullptr && p != der.data() + der.size()) x509.reset();  // trailing data
  ERR_clear_error();
  return x509;
}

}  // namespace ctwatch::testing
