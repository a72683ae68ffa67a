// add-chain and add-pre-chain of the test log (RFC 6962 §4.1, §4.2): the SCT returned is a
// real one (it verifies with the log's key over the entry as logged, RFC 6962 §3.2), the entry
// appears in get-entries with the SCT's timestamp and its chain, the tree grows and its signed
// root recomputes, a resubmission returns the first SCT, and bad submissions are refused. The
// chain's certificates are also served as static-ct-api issuers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/openssl_util.h"
#include "core/sha256.h"
#include "ctlog/entry.h"
#include "ctlog/merkle.h"
#include "ctlog/tree_head.h"
#include "testlog/cert_factory.h"
#include "testlog_test_util.h"

namespace ctwatch::testlog {
namespace {

using ::ctwatch::testing::IsOk;
using nlohmann::json;
using testing::Fetched;
using testing::Get;
using testing::Post;

std::string ChainBody(const std::vector<Bytes>& chain) {
  json body;
  body["chain"] = json::array();
  for (const Bytes& c : chain) body["chain"].push_back(Base64Encode(c));
  return body.dump();
}

struct Sct {
  uint64_t timestamp_ms = 0;
  Bytes extensions;
  Bytes signature;  // DigitallySigned
};

class AddChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options = testing::SmallOptions(16);
    options.corpus.planted.clear();
    options.corpus.planted_malformed = 0;
    server_ = testing::StartServer(options);
    ASSERT_NE(server_, nullptr);
    CertificateRequest request;
    request.names = {"submitted.example", "www.submitted.example"};
    request.serial = {0x42, 0x01};
    request.not_before_s = 1'790'000'000;
    request.not_after_s = request.not_before_s + 90 * 86400;
    auto pair = factory().IssuePrecertAndCertificate(request, nullptr, 0);
    ASSERT_THAT(pair, IsOk());
    pair_ = *pair;
  }
  const CertificateFactory& factory() { return server_->corpus().factory(); }
  std::vector<Bytes> Chain(const Bytes& leaf) {
    return {leaf, factory().intermediate_der(), factory().root_der()};
  }

  Sct Submit(const std::string& path, const std::vector<Bytes>& chain) {
    Fetched f = Post(server_->port(), path, ChainBody(chain), "application/json");
    EXPECT_EQ(f.status, 200) << f.body;
    Sct sct;
    if (f.status != 200) return sct;
    const json j = json::parse(f.body);
    EXPECT_EQ(j["sct_version"], 0);
    EXPECT_EQ(j["id"], Base64Encode(server_->corpus().rfc6962_signer().log_id()));
    sct.timestamp_ms = j["timestamp"].get<uint64_t>();
    sct.extensions = Base64Decode(j["extensions"].get<std::string>()).value();
    sct.signature = Base64Decode(j["signature"].get<std::string>()).value();
    return sct;
  }

  // RFC 6962 §3.2: the SCT signature over (version, certificate_timestamp, timestamp,
  // entry_type, signed_entry, extensions), checked with the log's public key.
  void ExpectSctVerifies(const Sct& sct, uint16_t entry_type, ByteView signed_entry) {
    Bytes input = {0, 0};
    AppendUint(&input, sct.timestamp_ms, 8);
    AppendUint(&input, entry_type, 2);
    if (entry_type == 1) {
      input.insert(input.end(), signed_entry.begin(), signed_entry.begin() + 32);
      AppendPrefixed(&input, signed_entry.subspan(32), 3);
    } else {
      AppendPrefixed(&input, signed_entry, 3);
    }
    AppendPrefixed(&input, sct.extensions, 2);
    ASSERT_GE(sct.signature.size(), 4u);
    EXPECT_EQ(sct.signature[0], 4);  // sha256
    EXPECT_EQ(sct.signature[1], 3);  // ecdsa
    const Bytes der(sct.signature.begin() + 4, sct.signature.end());
    auto key = ParsePublicKeyDer(server_->corpus().rfc6962_signer().spki());
    ASSERT_THAT(key, IsOk());
    EXPECT_THAT(VerifySha256Signature(key->get(), input, der), IsOk());
    Bytes tampered = input;
    tampered[5] ^= 1;  // another timestamp
    EXPECT_FALSE(VerifySha256Signature(key->get(), tampered, der).has_value());
  }

  LogEntry EntryAt(uint64_t index) {
    Fetched f = Get(server_->port(), "/rfc6962/ct/v1/get-entries?start=" + std::to_string(index) +
                                         "&end=" + std::to_string(index));
    EXPECT_EQ(f.status, 200);
    const json e = json::parse(f.body)["entries"][0];
    auto entry = DecodeRfc6962Entry(index, Base64Decode(e["leaf_input"].get<std::string>()).value(),
                                    Base64Decode(e["extra_data"].get<std::string>()).value());
    EXPECT_THAT(entry, IsOk());
    return entry.has_value() ? *entry : LogEntry{};
  }

  std::unique_ptr<TestLogServer> server_;
  PrecertAndCertificate pair_;
};

TEST_F(AddChainTest, PrecertificateGetsAVerifyingSctAndIsLoggedAsSigned) {
  const uint64_t before = server_->corpus().size();
  const Sct sct = Submit("/rfc6962/ct/v1/add-pre-chain", Chain(pair_.precert_der));
  Bytes signed_entry(factory().intermediate_key_hash().begin(),
                     factory().intermediate_key_hash().end());
  signed_entry.insert(signed_entry.end(), pair_.tbs.begin(), pair_.tbs.end());
  ExpectSctVerifies(sct, 1, signed_entry);

  ASSERT_EQ(server_->corpus().size(), before + 1);
  const LogEntry e = EntryAt(before);
  EXPECT_EQ(e.type, EntryType::kPrecert);
  EXPECT_EQ(e.timestamp_ms, sct.timestamp_ms);
  EXPECT_EQ(e.extensions, sct.extensions);
  EXPECT_EQ(e.certificate, pair_.tbs);  // the TBS without the poison
  EXPECT_EQ(e.issuer_key_hash, factory().intermediate_key_hash());
  EXPECT_EQ(e.precertificate, pair_.precert_der);
  EXPECT_EQ(e.chain, (std::vector<Bytes>{factory().intermediate_der(), factory().root_der()}));

  // The signed head covers it: the root recomputes from every leaf.
  Fetched sth_body = Get(server_->port(), "/rfc6962/ct/v1/get-sth");
  auto sth = ParseGetSth(sth_body.body);
  ASSERT_THAT(sth, IsOk());
  EXPECT_EQ(sth->tree_size, before + 1);
  std::vector<Sha256Hash> leaves;
  for (uint64_t i = 0; i <= before; ++i) leaves.push_back(EntryAt(i).leaf_hash);
  EXPECT_EQ(RootFromLeafHashes(leaves), sth->root);
}

TEST_F(AddChainTest, CertificateGetsAVerifyingSctAndResubmissionReturnsTheSameOne) {
  const uint64_t before = server_->corpus().size();
  const Sct sct = Submit("/rfc6962/ct/v1/add-chain", Chain(pair_.cert_der));
  ExpectSctVerifies(sct, 0, pair_.cert_der);
  const LogEntry e = EntryAt(before);
  EXPECT_EQ(e.type, EntryType::kCert);
  EXPECT_EQ(e.certificate, pair_.cert_der);
  EXPECT_EQ(e.timestamp_ms, sct.timestamp_ms);
  const Sct again = Submit("/rfc6962/ct/v1/add-chain", Chain(pair_.cert_der));
  EXPECT_EQ(again.timestamp_ms, sct.timestamp_ms);
  EXPECT_EQ(server_->corpus().size(), before + 1);
  // Its chain certificates are issuers of the static-ct-api log too.
  Fetched issuer =
      Get(server_->port(), "/static/issuer/" + HexEncode(Sha256(factory().intermediate_der())));
  EXPECT_EQ(issuer.status, 200);
}

TEST_F(AddChainTest, BadSubmissionsAreRefused) {
  const uint64_t before = server_->corpus().size();
  auto status = [&](const std::string& path, const std::string& body) {
    return Post(server_->port(), path, body, "application/json").status;
  };
  const std::string pre = "/rfc6962/ct/v1/add-pre-chain", cert = "/rfc6962/ct/v1/add-chain";
  EXPECT_EQ(status(pre, ChainBody(Chain(pair_.cert_der))), 400);      // no poison
  EXPECT_EQ(status(cert, ChainBody(Chain(pair_.precert_der))), 400);  // a precertificate
  EXPECT_EQ(status(cert, ChainBody({pair_.cert_der})), 400);          // no issuer
  EXPECT_EQ(status(cert, ChainBody({pair_.cert_der, {0x30, 0x03, 1, 2, 3}})), 400);
  EXPECT_EQ(status(cert, "{\"chain\": \"x\"}"), 400);
  EXPECT_EQ(status(cert, "not json"), 400);
  EXPECT_EQ(status(cert, "{\"chain\": [\"!!\"]}"), 400);
  EXPECT_EQ(server_->corpus().size(), before);
}

}  // namespace
}  // namespace ctwatch::testlog
