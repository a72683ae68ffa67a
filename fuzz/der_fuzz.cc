// libFuzzer target for the DER certificate code of src/cert: CertificateTbs, ParseTbs,
// ExtractNames, FormatName, TbsWithoutExtension, the Facts functions and the IDNA helpers on
// the names found. Beyond "no crash" it checks properties:
//  - ParseTbs accepts exactly one element; ExtractNames and FormatName succeed on what it
//    accepted, and every name is non-empty valid UTF-8 without control characters;
//  - TbsWithoutExtension output parses again, is not longer than its input, no longer holds
//    the extension, keeps every other field byte-identical, and is the input when the extension
//    is absent;
//  - the certificate identity is the SHA-256 of the TBS without the SCT list.
// Seeds: fuzz/corpus/der/ (real certificates from tests/data/certs, as DER).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cert/dns_name.h"
#include "cert/facts.h"
#include "cert/tbs.h"
#include "core/der.h"
#include "core/sha256.h"

namespace {

using namespace ctwatch;  // NOLINT(google-build-using-namespace): a fuzz harness

#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

// Valid UTF-8 (RFC 3629) without C0 controls or DEL: what every name and rendering must be.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x20 || b == 0x7f) return false;
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((b & 0xe0) == 0xc0) {
      n = 2, cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      n = 3, cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      n = 4, cp = b & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < n) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

void CheckNames(const CertNames& names) {
  for (const std::string& n : names.dns_names) FUZZ_CHECK(!n.empty() && IsCleanUtf8(n));
  for (const std::string& n : names.common_names) FUZZ_CHECK(!n.empty() && IsCleanUtf8(n));
  for (const std::string& ip : names.ip_addresses) {
    FUZZ_CHECK(!ip.empty() && ip.size() <= 45);
    for (char c : ip) {
      FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.');
    }
  }
  const std::vector<std::string> all = AllNames(names);
  FUZZ_CHECK(all.size() <=
             names.dns_names.size() + names.ip_addresses.size() + names.common_names.size());
  // The IDNA helpers on a few of the names: no crash, and ASCII out of DomainToAscii.
  for (size_t i = 0; i < all.size() && i < 3; ++i) {
    const std::string normal = NormalizeDnsName(all[i]);
    if (std::optional<std::string> ascii = DomainToAscii(normal)) {
      for (char c : *ascii) FUZZ_CHECK(static_cast<uint8_t>(c) < 0x80);
      (void)IsSameOrSubdomain(*ascii, normal);
    }
    (void)DomainToUnicode(normal);
  }
}

// The OIDs of every extension of a parsed TBS, in order.
std::vector<ByteView> ExtensionOids(const ParsedTbs& tbs) {
  std::vector<ByteView> oids;
  DerReader list(tbs.extensions);
  while (!list.empty()) {
    DerReader ext;
    ByteView ext_oid;
    FUZZ_CHECK(list.Read(der::kSequence, &ext) && ext.Read(der::kOid, &ext_oid));
    oids.push_back(ext_oid);
  }
  return oids;
}

void CheckRemoval(const ParsedTbs& tbs, ByteView ext_oid, size_t extension_count) {
  auto present = tbs.FindExtension(ext_oid);
  auto out = TbsWithoutExtension(tbs.tbs, ext_oid);
  FUZZ_CHECK(out.has_value() == present.has_value());
  if (!out.has_value()) return;
  FUZZ_CHECK(out->size() <= tbs.tbs.size());
  if (!present->has_value()) {
    FUZZ_CHECK(Equal(*out, tbs.tbs));
    return;
  }
  auto again = ParseTbs(*out);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->version == tbs.version);
  FUZZ_CHECK(Equal(again->serial, tbs.serial));
  FUZZ_CHECK(Equal(again->signature_algorithm, tbs.signature_algorithm));
  FUZZ_CHECK(Equal(again->issuer, tbs.issuer));
  FUZZ_CHECK(Equal(again->subject, tbs.subject));
  FUZZ_CHECK(Equal(again->spki, tbs.spki));
  FUZZ_CHECK(again->not_before_ms == tbs.not_before_ms);
  FUZZ_CHECK(again->not_after_ms == tbs.not_after_ms);
  FUZZ_CHECK(ExtensionOids(*again).size() + 1 == extension_count);
  auto gone = again->FindExtension(ext_oid);
  FUZZ_CHECK(gone.has_value() && !gone->has_value());
}

void CheckTbs(ByteView tbs_der) {
  auto tbs = ParseTbs(tbs_der);
  auto names = ExtractNames(tbs_der);
  if (!tbs.has_value()) {
    FUZZ_CHECK(!names.has_value());
    return;
  }
  FUZZ_CHECK(tbs->tbs.data() == tbs_der.data() && tbs->tbs.size() == tbs_der.size());
  FUZZ_CHECK(tbs->version >= 1 && tbs->version <= 3);
  auto subject = FormatName(tbs->subject);
  auto issuer = FormatName(tbs->issuer);
  FUZZ_CHECK(subject.has_value() && IsCleanUtf8(*subject));
  FUZZ_CHECK(issuer.has_value() && IsCleanUtf8(*issuer));
  if (names.has_value()) CheckNames(*names);

  const std::vector<ByteView> oids = ExtensionOids(*tbs);
  for (ByteView ext_oid : oids) CheckRemoval(*tbs, ext_oid, oids.size());
  CheckRemoval(*tbs, oid::kCtSctList, oids.size());
  CheckRemoval(*tbs, oid::kCtPoison, oids.size());

  Sha256Hash issuer_key_hash{};
  auto facts = FactsFromPrecert(tbs_der, issuer_key_hash);
  if (facts.has_value()) {
    FUZZ_CHECK(facts->identity == Sha256(tbs_der));
    FUZZ_CHECK(names.has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);

  // The input as a Certificate.
  auto tbs = CertificateTbs(input);
  if (tbs.has_value()) {
    FUZZ_CHECK(tbs->data() > input.data() && tbs->data() + tbs->size() <= input.data() + size);
    CheckTbs(*tbs);
    auto identity = IdentityOfCertificate(input);
    auto precert_form = TbsWithoutExtension(*tbs, oid::kCtSctList);
    FUZZ_CHECK(identity.has_value() == precert_form.has_value());
    if (identity.has_value()) FUZZ_CHECK(*identity == Sha256(*precert_form));
    auto facts = FactsFromCertificate(input, input);
    if (facts.has_value()) {
      FUZZ_CHECK(facts->identity == *identity);
      FUZZ_CHECK(facts->cert_sha256 == Sha256(input));
      FUZZ_CHECK(facts->issuer_key_hash.has_value() &&
                 *facts->issuer_key_hash == facts->spki_sha256);
    }
    (void)FactsFromPrecertificate(input);
  }

  // The input as a bare TBSCertificate, and as a Name.
  CheckTbs(input);
  auto name = FormatName(input);
  if (name.has_value()) FUZZ_CHECK(IsCleanUtf8(*name));
  return 0;
}
