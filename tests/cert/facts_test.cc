// Certificate identity and CertFacts: precertificates and their final certificates share one
// identity, checked against the CT project's test vectors (whose SCT signatures prove which TBS
// the log saw) and against real log entries.
#include "cert/facts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "cert/tbs.h"
#include "cert_test_util.h"
#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::LoadCert;
using ::ctwatch::testing::LoadCerts;
using ::ctwatch::testing::ParseWithOpenSsl;
using ::ctwatch::testing::ReadTestData;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kVectors[] = "ct-project-test-vectors/";

Sha256Hash SpkiHashOf(ByteView cert) {
  return Sha256(ParseTbs(CertificateTbs(cert).value()).value().spki);
}

// RFC 6962 §3.2 SignedCertificateTimestamp, as serialised in .proof files and SCT lists.
struct Sct {
  uint64_t timestamp = 0;
  Bytes extensions;
  Bytes signature;
};

bool ParseSct(ByteView in, Sct* sct) {
  ByteReader r(in);
  uint8_t version, hash_alg, sig_alg;
  ByteView log_id, extensions, signature;
  if (!r.ReadU8(&version) || version != 0 || !r.ReadBytes(32, &log_id) ||
      !r.ReadU64(&sct->timestamp) || !r.ReadPrefixed(2, &extensions) || !r.ReadU8(&hash_alg) ||
      !r.ReadU8(&sig_alg) || !r.ReadPrefixed(2, &signature) || !r.empty()) {
    return false;
  }
  sct->extensions = ToBytes(extensions);
  sct->signature = ToBytes(signature);
  return true;
}

// Verifies an SCT over a precert_entry (issuer_key_hash ‖ TBS) with the CT project's test log key.
bool VerifiesPrecertSct(const Sct& sct, const Sha256Hash& issuer_key_hash, ByteView tbs) {
  static const EvpPkeyPtr key = [] {
    auto k =
        ParsePublicKeyPem(ReadTestData("certs/ct-project-test-vectors/ct-server-key-public.pem"));
    EXPECT_THAT(k, IsOk());
    return k.has_value() ? std::move(k).value() : EvpPkeyPtr();
  }();
  // digitally-signed struct { version, signature_type, timestamp, entry_type, signed_entry,
  //                           extensions }
  Bytes message;
  AppendUint(&message, 0, 1);  // v1
  AppendUint(&message, 0, 1);  // certificate_timestamp
  AppendUint(&message, sct.timestamp, 8);
  AppendUint(&message, 1, 2);  // precert_entry
  message.insert(message.end(), issuer_key_hash.begin(), issuer_key_hash.end());
  AppendPrefixed(&message, tbs, 3);
  AppendPrefixed(&message, sct.extensions, 2);
  return key != nullptr && VerifySha256Signature(key.get(), message, sct.signature).has_value();
}

// "x.pem" -> "x.proof"
std::string ProofName(const std::string& pem_name) {
  return pem_name.substr(0, pem_name.size() - 4) + ".proof";
}

Sct ProofSct(const std::string& name) {
  const std::string proof = ReadTestData(std::string("certs/") + kVectors + name);
  Sct sct;
  EXPECT_TRUE(ParseSct(AsBytes(proof), &sct)) << name;
  return sct;
}

// The SCTs embedded in a final certificate (extension 1.3.6.1.4.1.11129.2.4.2).
std::vector<Sct> EmbeddedScts(const Bytes& cert) {
  const ParsedTbs tbs = ParseTbs(CertificateTbs(cert).value()).value();
  const std::optional<ByteView> value = tbs.FindExtension(oid::kCtSctList).value();
  std::vector<Sct> out;
  if (!value.has_value()) return out;
  DerReader outer(*value);
  ByteView list_bytes;
  if (!outer.Read(der::kOctetString, &list_bytes)) return out;
  ByteReader r(list_bytes);
  ByteReader list;
  if (!r.ReadPrefixed(2, &list)) return out;
  while (!list.empty()) {
    ByteView one;
    Sct sct;
    if (!list.ReadPrefixed(2, &one) || !ParseSct(one, &sct)) return {};
    out.push_back(sct);
  }
  return out;
}

struct Pair {
  const char* precert;
  const char* final_cert;
  const char* issuer;  // issuer of the final certificate
};

class EmbeddedSctVectorsTest : public ::testing::TestWithParam<Pair> {};

TEST_P(EmbeddedSctVectorsTest, PrecertificateAndFinalShareIdentity) {
  const Bytes pre = LoadCert(std::string(kVectors) + GetParam().precert);
  const Bytes final_cert = LoadCert(std::string(kVectors) + GetParam().final_cert);
  const Bytes issuer = LoadCert(std::string(kVectors) + GetParam().issuer);

  auto pre_facts = FactsFromPrecertificate(pre, issuer);
  auto final_facts = FactsFromCertificate(final_cert, issuer);
  ASSERT_THAT(pre_facts, IsOk());
  ASSERT_THAT(final_facts, IsOk());
  EXPECT_EQ(pre_facts->identity, final_facts->identity);
  EXPECT_EQ(IdentityOfCertificate(final_cert).value(), final_facts->identity);
  EXPECT_NE(pre_facts->cert_sha256, final_facts->cert_sha256);
  EXPECT_EQ(pre_facts->entry_type, EntryType::kPrecert);
  EXPECT_EQ(final_facts->entry_type, EntryType::kCert);
  EXPECT_EQ(pre_facts->issuer_key_hash, SpkiHashOf(issuer));

  // What the log saw: the .proof SCT of the precertificate and the SCT embedded in the final
  // certificate both verify over the identity's TBS bytes.
  const Bytes log_tbs =
      TbsWithoutExtension(CertificateTbs(final_cert).value(), oid::kCtSctList).value();
  EXPECT_EQ(Sha256(log_tbs), final_facts->identity);
  const Sha256Hash issuer_key_hash = SpkiHashOf(issuer);
  EXPECT_TRUE(
      VerifiesPrecertSct(ProofSct(ProofName(GetParam().precert)), issuer_key_hash, log_tbs));
  const std::vector<Sct> embedded = EmbeddedScts(final_cert);
  ASSERT_EQ(embedded.size(), 1u);
  EXPECT_TRUE(VerifiesPrecertSct(embedded[0], issuer_key_hash, log_tbs));

  // The log's precert_entry carries that TBS, so FactsFromPrecert agrees as well.
  auto entry_facts = FactsFromPrecert(log_tbs, issuer_key_hash, pre);
  ASSERT_THAT(entry_facts, IsOk());
  EXPECT_EQ(entry_facts->identity, final_facts->identity);
  EXPECT_EQ(entry_facts->cert_sha256, pre_facts->cert_sha256);
}

INSTANTIATE_TEST_SUITE_P(
    CtProject, EmbeddedSctVectorsTest,
    ::testing::Values(Pair{"test-embedded-pre-cert.pem", "test-embedded-cert.pem", "ca-cert.pem"},
                      Pair{"test-embedded-with-intermediate-pre-cert.pem",
                           "test-embedded-with-intermediate-cert.pem", "intermediate-cert.pem"}));

class PreCaVectorsTest : public ::testing::TestWithParam<Pair> {};

// A precertificate issued by a Precertificate Signing Certificate (EKU 1.3.6.1.4.1.11129.2.4.4)
// names that signing certificate as its issuer, so its TBS minus the poison is NOT the final
// certificate's TBS minus the SCT list: the issuer Name (and the AKI) differ. RFC 6962 §3.2 has
// the log rewrite issuer and AKI to those of the real CA before logging, so what holds is:
//  - the log's precert_entry TBS equals the final TBS without the SCT list (the .proof SCT and
//    the embedded SCT verify over exactly those bytes, with the real CA's issuer_key_hash), and
//    FactsFromPrecert on that entry yields the final certificate's identity;
//  - FactsFromPrecertificate on the precertificate as the CA returned it yields a different
//    identity, while serial, validity, subject, key and names all agree.
TEST_P(PreCaVectorsTest, LogEntryMatchesFinalButRawPrecertificateDoesNot) {
  const Bytes pre = LoadCert(std::string(kVectors) + GetParam().precert);
  const Bytes final_cert = LoadCert(std::string(kVectors) + GetParam().final_cert);
  const Bytes issuer = LoadCert(std::string(kVectors) + GetParam().issuer);
  const Sha256Hash issuer_key_hash = SpkiHashOf(issuer);

  const Bytes log_tbs =
      TbsWithoutExtension(CertificateTbs(final_cert).value(), oid::kCtSctList).value();
  const std::string proof = ProofName(GetParam().precert);
  EXPECT_TRUE(VerifiesPrecertSct(ProofSct(proof), issuer_key_hash, log_tbs));
  const Bytes pre_tbs = TbsWithoutExtension(CertificateTbs(pre).value(), oid::kCtPoison).value();
  EXPECT_FALSE(VerifiesPrecertSct(ProofSct(proof), issuer_key_hash, pre_tbs));

  auto final_facts = FactsFromCertificate(final_cert, issuer);
  auto entry_facts = FactsFromPrecert(log_tbs, issuer_key_hash, pre);
  auto pre_facts = FactsFromPrecertificate(pre);
  ASSERT_THAT(final_facts, IsOk());
  ASSERT_THAT(entry_facts, IsOk());
  ASSERT_THAT(pre_facts, IsOk());
  EXPECT_EQ(entry_facts->identity, final_facts->identity);
  EXPECT_NE(pre_facts->identity, final_facts->identity);
  EXPECT_NE(pre_facts->issuer_dn, final_facts->issuer_dn);
  EXPECT_EQ(entry_facts->issuer_dn, final_facts->issuer_dn);
  EXPECT_EQ(pre_facts->serial_hex, final_facts->serial_hex);
  EXPECT_EQ(pre_facts->subject_dn, final_facts->subject_dn);
  EXPECT_EQ(pre_facts->spki_sha256, final_facts->spki_sha256);
  EXPECT_EQ(pre_facts->not_before_ms, final_facts->not_before_ms);
  EXPECT_EQ(pre_facts->not_after_ms, final_facts->not_after_ms);
  EXPECT_EQ(AllNames(pre_facts->names), AllNames(final_facts->names));
}

INSTANTIATE_TEST_SUITE_P(CtProject, PreCaVectorsTest,
                         ::testing::Values(Pair{"test-embedded-with-preca-pre-cert.pem",
                                                "test-embedded-with-preca-cert.pem", "ca-cert.pem"},
                                           Pair{
                                               "test-embedded-with-intermediate-preca-pre-cert.pem",
                                               "test-embedded-with-intermediate-preca-cert.pem",
                                               "intermediate-cert.pem"}));

// A real precert_entry (Let's Encrypt X3, 2019) read from RFC 6962 leaf_input and extra_data.
TEST(RealLogEntryTest, PrecertEntryMatchesItsPrecertificate) {
  const std::string leaf = ReadTestData("certs/ct-entries/ctclient-rs/le.precert.bin");
  const std::string extra = ReadTestData("certs/ct-entries/ctclient-rs/extra.precert.bin");
  // MerkleTreeLeaf: version, leaf_type, timestamp, entry_type, PreCert, extensions
  ByteReader r(AsBytes(leaf));
  uint8_t version, leaf_type;
  uint64_t timestamp;
  uint16_t entry_type;
  ByteView issuer_key_hash_bytes, tbs, extensions;
  ASSERT_TRUE(r.ReadU8(&version) && r.ReadU8(&leaf_type) && r.ReadU64(&timestamp) &&
              r.ReadU16(&entry_type) && entry_type == 1 &&
              r.ReadBytes(32, &issuer_key_hash_bytes) && r.ReadPrefixed(3, &tbs) &&
              r.ReadPrefixed(2, &extensions) && r.empty());
  // PrecertChainEntry: pre_certificate, precertificate_chain<ASN.1Cert>
  ByteReader e(AsBytes(extra));
  ByteView precert;
  ByteReader chain;
  ByteView first_issuer;
  ASSERT_TRUE(e.ReadPrefixed(3, &precert) && e.ReadPrefixed(3, &chain) && e.empty() &&
              chain.ReadPrefixed(3, &first_issuer));
  Sha256Hash issuer_key_hash;
  std::copy(issuer_key_hash_bytes.begin(), issuer_key_hash_bytes.end(), issuer_key_hash.begin());

  auto entry = FactsFromPrecert(tbs, issuer_key_hash, precert);
  auto raw = FactsFromPrecertificate(precert, first_issuer);
  ASSERT_THAT(entry, IsOk());
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(entry->identity, raw->identity);
  EXPECT_EQ(entry->identity, Sha256(tbs));
  EXPECT_EQ(entry->issuer_key_hash, raw->issuer_key_hash);
  EXPECT_EQ(entry->cert_sha256, Sha256(precert));
  EXPECT_THAT(entry->names.dns_names, ElementsAre("itech.social"));
  EXPECT_THAT(entry->names.common_names, ElementsAre("itech.social"));
  EXPECT_EQ(entry->issuer_dn, "C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3");
  EXPECT_EQ(HexEncode(entry->authority_key_id), "a84a6a63047dddbae6d139b7a64565eff3a8eca1");
  EXPECT_FALSE(entry->is_ca);
}

TEST(RealLogEntryTest, X509EntryFacts) {
  const std::string leaf = ReadTestData("certs/ct-entries/ctclient-rs/le.x509leaf.bin");
  const std::string extra = ReadTestData("certs/ct-entries/ctclient-rs/extra.x509leaf.bin");
  ByteReader r(AsBytes(leaf));
  uint8_t version, leaf_type;
  uint64_t timestamp;
  uint16_t entry_type;
  ByteView cert, extensions;
  ASSERT_TRUE(r.ReadU8(&version) && r.ReadU8(&leaf_type) && r.ReadU64(&timestamp) &&
              r.ReadU16(&entry_type) && entry_type == 0 && r.ReadPrefixed(3, &cert) &&
              r.ReadPrefixed(2, &extensions) && r.empty());
  ByteReader e(AsBytes(extra));
  ByteReader chain;
  ByteView first_issuer;
  ASSERT_TRUE(e.ReadPrefixed(3, &chain) && e.empty() && chain.ReadPrefixed(3, &first_issuer));

  auto facts = FactsFromCertificate(cert, first_issuer);
  ASSERT_THAT(facts, IsOk());
  EXPECT_EQ(facts->entry_type, EntryType::kCert);
  EXPECT_EQ(facts->cert_sha256, Sha256(cert));
  EXPECT_EQ(facts->issuer_key_hash, SpkiHashOf(first_issuer));
  EXPECT_THAT(facts->names.dns_names, ElementsAre("sigal.buhle.fr"));
  // The embedded SCT list is not part of the identity.
  const ByteView tbs = CertificateTbs(cert).value();
  ASSERT_TRUE(ParseTbs(tbs).value().FindExtension(oid::kCtSctList).value().has_value());
  EXPECT_NE(facts->identity, Sha256(tbs));
  EXPECT_EQ(facts->identity, Sha256(TbsWithoutExtension(tbs, oid::kCtSctList).value()));
}

TEST(FactsTest, RealPrecertificateSignedByPrecertSigningCa) {
  // Google's merge-delay monitor: precertificate, Precert Signing CA, intermediate, root; and the
  // TBS its log holds, with issuer and AKI rewritten to the intermediate (RFC 6962 §3.2).
  const std::vector<Bytes> chain = LoadCerts("real-world/ctclient-rs/precert-signing-ca.pem");
  ASSERT_EQ(chain.size(), 4u);
  const std::string log_tbs = ReadTestData("certs/real-world/ctclient-rs/precert-signing.ca.tbs");
  auto pre = FactsFromPrecertificate(chain[0], chain[1]);
  auto entry = FactsFromPrecert(AsBytes(log_tbs), SpkiHashOf(chain[2]), chain[0]);
  auto signing_ca = FactsFromCertificate(chain[1]);
  ASSERT_THAT(pre, IsOk());
  ASSERT_THAT(entry, IsOk());
  ASSERT_THAT(signing_ca, IsOk());
  EXPECT_NE(pre->identity, entry->identity);
  EXPECT_EQ(entry->issuer_dn, signing_ca->issuer_dn);
  EXPECT_EQ(pre->issuer_dn, signing_ca->subject_dn);
  EXPECT_EQ(entry->authority_key_id, signing_ca->authority_key_id);
  EXPECT_EQ(pre->serial_hex, entry->serial_hex);
  EXPECT_EQ(pre->subject_dn, entry->subject_dn);
  EXPECT_EQ(pre->spki_sha256, entry->spki_sha256);
  EXPECT_EQ(AllNames(pre->names), AllNames(entry->names));
  EXPECT_TRUE(signing_ca->is_ca);
}

TEST(FactsTest, FieldsOfAFinalCertificate) {
  const Bytes cert = LoadCert(std::string(kVectors) + "test-embedded-cert.pem");
  const Bytes ca = LoadCert(std::string(kVectors) + "ca-cert.pem");
  auto facts = FactsFromCertificate(cert, ca);
  ASSERT_THAT(facts, IsOk());
  X509Ptr x509 = ParseWithOpenSsl(cert);
  X509Ptr ca_x509 = ParseWithOpenSsl(ca);
  ASSERT_NE(x509, nullptr);
  ASSERT_NE(ca_x509, nullptr);
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca_x509.get());
  ASSERT_NE(ski, nullptr);
  EXPECT_EQ(facts->authority_key_id, Bytes(ASN1_STRING_get0_data(ski),
                                           ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski)));
  EXPECT_EQ(facts->subject_dn, "C=GB, O=Certificate Transparency, ST=Wales, L=Erw Wen");
  EXPECT_EQ(facts->issuer_dn, "C=GB, O=Certificate Transparency CA, ST=Wales, L=Erw Wen");
  EXPECT_EQ(facts->cert_sha256, Sha256(cert));
  EXPECT_FALSE(facts->is_ca);
  EXPECT_THAT(AllNames(facts->names), IsEmpty());
  EXPECT_TRUE(FactsFromCertificate(ca).value().is_ca);
  EXPECT_FALSE(FactsFromCertificate(ca).value().issuer_key_hash.has_value());
}

TEST(FactsTest, PrecertEntryWithoutPrecertificate) {
  const Bytes pre = LoadCert(std::string(kVectors) + "test-embedded-pre-cert.pem");
  const Bytes tbs = TbsWithoutExtension(CertificateTbs(pre).value(), oid::kCtPoison).value();
  Sha256Hash issuer_key_hash{};
  issuer_key_hash[0] = 7;
  auto facts = FactsFromPrecert(tbs, issuer_key_hash);
  ASSERT_THAT(facts, IsOk());
  EXPECT_EQ(facts->identity, Sha256(tbs));
  EXPECT_EQ(facts->cert_sha256, Sha256Hash{});
  EXPECT_EQ(facts->issuer_key_hash, issuer_key_hash);
  EXPECT_EQ(facts->entry_type, EntryType::kPrecert);
}

TEST(FactsTest, RealPrecertificateFromTheHammer) {
  const Bytes pre = LoadCert("real-world/ctgo-hammer/precert.der");
  const Bytes intermediate = LoadCert("real-world/ctgo-hammer/intermediate.der");
  auto facts = FactsFromPrecertificate(pre, intermediate);
  ASSERT_THAT(facts, IsOk());
  EXPECT_EQ(facts->identity,
            Sha256(TbsWithoutExtension(CertificateTbs(pre).value(), oid::kCtPoison).value()));
  EXPECT_EQ(facts->issuer_key_hash, SpkiHashOf(intermediate));
}

TEST(FactsTest, Errors) {
  const Bytes final_cert = LoadCert(std::string(kVectors) + "test-embedded-cert.pem");
  // Not a precertificate: no poison.
  EXPECT_THAT(FactsFromPrecertificate(final_cert), IsErrorCode(ErrorCode::kInvalidArgument));
  // A broken issuer certificate is reported, not ignored.
  EXPECT_THAT(FactsFromCertificate(final_cert, Bytes{0x30, 0x00}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(FactsFromCertificate(Bytes{}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(FactsFromPrecert(Bytes{0x30, 0x00}, Sha256Hash{}), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(IdentityOfCertificate(Bytes{0x30, 0x00}), IsErrorCode(ErrorCode::kParse));
  EXPECT_STREQ(EntryTypeName(EntryType::kCert), "cert");
  EXPECT_STREQ(EntryTypeName(EntryType::kPrecert), "precert");
}

}  // namespace
}  // namespace ctwatch
