// Every certificate file under tests/data/certs is parsed or rejected with an error, never a
// crash; for every certificate OpenSSL also accepts, serial, validity, SPKI hash, subject and
// issuer, SANs, CNs, basicConstraints and AKI are cross-checked against OpenSSL.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>

#include "cert/facts.h"
#include "cert/tbs.h"
#include "cert_test_util.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ParseWithOpenSsl;
using ::ctwatch::testing::TestDataPath;

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct BasicConstraintsDeleter {
  void operator()(BASIC_CONSTRAINTS* p) const { BASIC_CONSTRAINTS_free(p); }
};

// The text our code produces for a plain value: printable ASCII without a backslash. Values
// with anything else are not compared (their escaping has its own unit tests).
bool IsPlain(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '\\'; });
}

std::string LowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::vector<std::string> Unique(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& s : in) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

Bytes NameDer(X509_NAME* name) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(name, &der);
  Bytes out(der, der + std::max(len, 0));
  OPENSSL_free(der);
  return out;
}

int64_t AsnTimeMs(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return INT64_MIN;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// ASN1_STRING_to_UTF8 of a name entry; nullopt when OpenSSL cannot convert it.
std::optional<std::string> EntryUtf8(X509_NAME_ENTRY* entry) {
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (len < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

// FormatName's expected text for names whose values are all plain, from OpenSSL's view of it;
// nullopt when some value is not plain.
std::optional<std::string> ExpectedFormat(X509_NAME* name) {
  std::string out;
  int last_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    std::optional<std::string> value = EntryUtf8(entry);
    const int type = ASN1_STRING_type(X509_NAME_ENTRY_get_data(entry));
    if (!value.has_value() || !IsPlain(*value) ||
        (type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING && type != V_ASN1_IA5STRING &&
         type != V_ASN1_T61STRING && type != V_ASN1_BMPSTRING)) {
      return std::nullopt;
    }
    const int set = X509_NAME_ENTRY_set(entry);
    if (i > 0) out += set == last_set ? " + " : ", ";
    last_set = set;
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
    static const std::set<std::string> kShared = {"CN",
                                                  "SN",
                                                  "serialNumber",
                                                  "C",
                                                  "L",
                                                  "ST",
                                                  "O",
                                                  "OU",
                                                  "title",
                                                  "description",
                                                  "businessCategory",
                                                  "postalCode",
                                                  "GN",
                                                  "initials",
                                                  "generationQualifier",
                                                  "dnQualifier",
                                                  "pseudonym",
                                                  "organizationIdentifier",
                                                  "emailAddress",
                                                  "DC",
                                                  "UID",
                                                  "jurisdictionL",
                                                  "jurisdictionST",
                                                  "jurisdictionC"};
    const int nid = OBJ_obj2nid(obj);
    const char* sn = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    if (nid == NID_streetAddress) {
      out += "STREET";
    } else if (sn != nullptr && kShared.count(sn) > 0) {
      out += sn;
    } else {
      char dotted[128];
      OBJ_obj2txt(dotted, sizeof(dotted), obj, 1);
      out += dotted;
    }
    out += '=';
    for (char c : *value) {
      if (c == ',' || c == '+') out += '\\';
      out += c;
    }
  }
  return out;
}

struct Stats {
  int files = 0;
  int certs = 0;
  int parsed = 0;
  int rejected = 0;
  int cross_checked = 0;
  std::vector<std::string> only_openssl_accepts;
};

void CrossCheck(const std::string& label, ByteView der, const ParsedTbs& tbs,
                const CertFacts& facts, X509* x509, Stats* stats) {
  SCOPED_TRACE(label);
  ++stats->cross_checked;
  EXPECT_EQ(X509_get_version(x509) + 1, tbs.version);

  unsigned char* serial_der = nullptr;
  const int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x509), &serial_der);
  ASSERT_GT(serial_len, 2);
  DerReader serial_reader(ByteView(serial_der, static_cast<size_t>(serial_len)));
  ByteView serial_contents;
  EXPECT_TRUE(serial_reader.Read(der::kInteger, &serial_contents));
  EXPECT_EQ(facts.serial_hex, HexEncode(serial_contents));
  OPENSSL_free(serial_der);

  EXPECT_EQ(facts.not_before_ms, AsnTimeMs(X509_get0_notBefore(x509)));
  EXPECT_EQ(facts.not_after_ms, AsnTimeMs(X509_get0_notAfter(x509)));

  unsigned char* spki_der = nullptr;
  const int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), &spki_der);
  ASSERT_GT(spki_len, 0);
  EXPECT_EQ(facts.spki_sha256, Sha256(ByteView(spki_der, static_cast<size_t>(spki_len))));
  OPENSSL_free(spki_der);

  EXPECT_EQ(NameDer(X509_get_subject_name(x509)), ToBytes(tbs.subject));
  EXPECT_EQ(NameDer(X509_get_issuer_name(x509)), ToBytes(tbs.issuer));
  const std::optional<std::string> subject_text = ExpectedFormat(X509_get_subject_name(x509));
  if (subject_text.has_value()) {
    EXPECT_EQ(facts.subject_dn, *subject_text);
  }
  const std::optional<std::string> issuer_text = ExpectedFormat(X509_get_issuer_name(x509));
  if (issuer_text.has_value()) {
    EXPECT_EQ(facts.issuer_dn, *issuer_text);
  }

  // Subject CNs.
  std::vector<std::string> cns;
  bool all_plain = true;
  X509_NAME* subject = X509_get_subject_name(x509);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    std::optional<std::string> cn = EntryUtf8(X509_NAME_get_entry(subject, i));
    if (!cn.has_value() || !IsPlain(*cn)) {
      all_plain = false;
      continue;
    }
    cns.push_back(LowerAscii(*cn));
  }
  if (all_plain) {
    EXPECT_EQ(facts.names.common_names, Unique(cns));
  }

  // SANs.
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  bool dns_plain = true;
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
    if (gn->type == GEN_DNS) {
      const std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                              static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName)));
      if (IsPlain(value)) {
        dns.push_back(LowerAscii(value));
      } else {
        dns_plain = false;
      }
    } else if (gn->type == GEN_IPADD) {
      const int len = ASN1_STRING_length(gn->d.iPAddress);
      const unsigned char* bytes = ASN1_STRING_get0_data(gn->d.iPAddress);
      char text[INET6_ADDRSTRLEN];
      const bool compat =
          len == 16 && std::all_of(bytes, bytes + 12, [](unsigned char b) { return b == 0; });
      if ((len == 4 || len == 16) && !compat &&
          inet_ntop(len == 4 ? AF_INET : AF_INET6, bytes, text, sizeof(text)) != nullptr) {
        ips.push_back(text);
      }
    }
  }
  ERR_clear_error();
  if (dns_plain) {
    EXPECT_EQ(facts.names.dns_names, Unique(dns));
  } else {
    for (const std::string& d : Unique(dns)) {
      EXPECT_NE(std::find(facts.names.dns_names.begin(), facts.names.dns_names.end(), d),
                facts.names.dns_names.end());
    }
  }
  for (const std::string& ip : ips) {
    EXPECT_NE(std::find(facts.names.ip_addresses.begin(), facts.names.ip_addresses.end(), ip),
              facts.names.ip_addresses.end())
        << ip;
  }

  // OpenSSL drops its view of the extensions of a certificate it finds invalid (EXFLAG_INVALID).
  if ((X509_get_extension_flags(x509) & EXFLAG_INVALID) != 0) return;
  std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsDeleter> bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x509, NID_basic_constraints, nullptr, nullptr)));
  ERR_clear_error();
  EXPECT_EQ(facts.is_ca, bc != nullptr && bc->ca != 0);

  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(x509);
  if (aki != nullptr) {
    EXPECT_EQ(facts.authority_key_id, Bytes(ASN1_STRING_get0_data(aki),
                                            ASN1_STRING_get0_data(aki) + ASN1_STRING_length(aki)));
  } else {
    EXPECT_TRUE(facts.authority_key_id.empty());
  }
  EXPECT_EQ(facts.cert_sha256, Sha256(der));
}

void CheckCertificate(const std::string& label, ByteView der, Stats* stats) {
  ++stats->certs;
  X509Ptr x509 = ParseWithOpenSsl(der);
  auto tbs_der = CertificateTbs(der);
  auto tbs = tbs_der.has_value() ? ParseTbs(*tbs_der) : Result<ParsedTbs>(tbs_der.error());
  auto facts = FactsFromCertificate(der);
  auto names = tbs_der.has_value() ? ExtractNames(*tbs_der) : Result<CertNames>(tbs_der.error());
  if (!facts.has_value()) {
    ++stats->rejected;
    EXPECT_FALSE(facts.error().message.empty());
    std::cout << "  rejected" << (x509 != nullptr ? " (OpenSSL accepts)" : "") << ": " << label
              << ": " << facts.error().message << "\n";
    if (x509 != nullptr) stats->only_openssl_accepts.push_back(label);
    return;
  }
  ++stats->parsed;
  ASSERT_THAT(tbs, IsOk()) << label;
  ASSERT_THAT(names, IsOk()) << label;
  EXPECT_EQ(AllNames(*names), AllNames(facts->names));
  EXPECT_EQ(IdentityOfCertificate(der).value(), facts->identity);
  for (ByteView ext : {oid::kCtSctList, oid::kCtPoison, oid::kSubjectAltName}) {
    auto stripped = TbsWithoutExtension(*tbs_der, ext);
    ASSERT_THAT(stripped, IsOk()) << label;
    EXPECT_LE(stripped->size(), tbs_der->size());
    EXPECT_THAT(ParseTbs(*stripped), IsOk()) << label;
  }
  if (x509 != nullptr) CrossCheck(label, der, *tbs, *facts, x509.get(), stats);
}

TEST(CertCorpusTest, EveryFileParsesOrFailsCleanly) {
  Stats stats;
  const std::filesystem::path root = TestDataPath("certs");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& path : files) {
    const std::string ext = path.extension().string();
    const std::string label = std::filesystem::relative(path, root).string();
    if (ext != ".pem" && ext != ".der" && ext != ".tbs") continue;
    auto data = ReadFile(path.string());
    ASSERT_THAT(data, IsOk());
    ++stats.files;
    if (ext == ".tbs") {
      auto names = ExtractNames(AsBytes(*data));
      EXPECT_THAT(names, IsOk()) << label;
      continue;
    }
    if (ext == ".der") {
      CheckCertificate(label, AsBytes(*data), &stats);
      continue;
    }
    auto certs = PemCertificatesToDer(*data);
    if (!certs.has_value()) continue;  // a public key or a corrupted PEM: nothing to parse
    for (size_t i = 0; i < certs->size(); ++i) {
      CheckCertificate(label + "#" + std::to_string(i), (*certs)[i], &stats);
    }
  }
  std::cout << "files " << stats.files << ", certificates " << stats.certs << ", parsed "
            << stats.parsed << ", rejected " << stats.rejected << ", cross-checked with OpenSSL "
            << stats.cross_checked << "\n";
  // Only BER that DER forbids may be refused where OpenSSL is lenient.
  EXPECT_THAT(stats.only_openssl_accepts,
              ::testing::ElementsAre(
                  "real-world/ct-python-testdata/asn1_indefinite_length_encoding.pem#0"));
  EXPECT_GT(stats.files, 130);
  EXPECT_GT(stats.cross_checked, 150);
}

}  // namespace
}  // namespace ctwatch
