// Decoded entries handed to src/cert: the SAN names of the real entries (as listed in
// data/ct-real/verify/output/verify_entries.txt) and of every navigli2025h2 tile leaf (as
// listed in Sunlight's names tiles).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cert/facts.h"
#include "cert/tbs.h"
#include "ctlog/entry.h"
#include "ctlog/log_client.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using Names = std::vector<std::string>;

// The TBS that src/cert reads: the leaf TBS of a precert, the certificate's TBS otherwise.
Result<CertNames> NamesOf(const LogEntry& e) {
  if (e.type == EntryType::kPrecert) return ExtractNames(e.certificate);
  CTW_ASSIGN_OR_RETURN(ByteView tbs, CertificateTbs(e.certificate));
  return ExtractNames(tbs);
}

TEST(EntryNamesTest, RealEntriesCarryTheVerifiedSans) {
  struct Body {
    const char* path;
    std::vector<Names> sans;
  };
  const Body bodies[] = {
      {"entries/ctgo-logclient/get-entries_precert_then_x509.json",
       {{"kjasdhf.trust", "ssdfs.trust", "sdfedsf.trust", "www.sdfedsf.trust"},
        {"csrcn.ssl24.jp"}}},
      {"entries/ctgo-scanner/four-entries.get-entries.json",
       {{"mail.google.com"},
        {"www.struleartscentre.purchase-tickets-online.co.uk"},
        {"www.netkeiba.com"},
        {"www.oxfordplayhouse.com", "oxfordplayhouse.com"}}},
      // The precert leaf of scrape-ct-log is for google.com: verify_entries.txt lists the SAN
      // of the (mismatching) precertificate in extra_data, test7232018-1-1.msitvalidcert.com.
      // The log committed to the leaf, so the leaf TBS is what ctwatch matches on.
      {"entries/scrape-ct-log/get-entries_wrapped_x509_then_precert.json",
       {{"crt.sh", "www.crt.sh"}, {"google.com"}}},
      {"entries/ctclient-rs/get-entries_wrapped_x509_then_precert.json",
       {{"sigal.buhle.fr"}, {"itech.social"}}},
  };
  for (const Body& body : bodies) {
    SCOPED_TRACE(body.path);
    auto raw = ParseGetEntries(ReadTestData(body.path));
    ASSERT_THAT(raw, IsOk());
    ASSERT_EQ(raw->size(), body.sans.size());
    for (size_t i = 0; i < raw->size(); ++i) {
      auto entry = DecodeRfc6962Entry(i, (*raw)[i].leaf_input, (*raw)[i].extra_data);
      ASSERT_THAT(entry, IsOk());
      auto names = NamesOf(*entry);
      ASSERT_THAT(names, IsOk());
      EXPECT_EQ(names->dns_names, body.sans[i]) << "entry " << i;
    }
  }
}

TEST(EntryNamesTest, ScrapeCtLogPrecertificateIsTheOtherCertificate) {
  const std::string leaf = ReadTestData("entries/scrape-ct-log/precert_leaf_input.bin");
  const std::string extra = ReadTestData("entries/scrape-ct-log/precert_extra_data.bin");
  auto entry = DecodeRfc6962Entry(0, AsBytes(leaf), AsBytes(extra));
  ASSERT_THAT(entry, IsOk());
  auto tbs = CertificateTbs(entry->precertificate);
  ASSERT_THAT(tbs, IsOk());
  auto names = ExtractNames(*tbs);
  ASSERT_THAT(names, IsOk());
  EXPECT_EQ(names->dns_names, Names{"test7232018-1-1.msitvalidcert.com"});
}

TEST(EntryNamesTest, NavigliTileLeavesMatchTheNamesTiles) {
  const std::string dir = "entries/static-ct-api/navigli2025h2/tile/";
  size_t checked = 0;
  for (const char* name : {"000", "001", "002", "003", "003.p/10"}) {
    SCOPED_TRACE(name);
    const std::string data = ReadTestData(dir + "data/" + name);
    const size_t width = std::string(name) == "003.p/10" ? 10 : 256;
    auto entries = DecodeDataTile(0, AsBytes(data), width);
    ASSERT_THAT(entries, IsOk());
    std::istringstream lines(ReadTestData(dir + "names/" + name));
    std::string line;
    for (const LogEntry& e : *entries) {
      ASSERT_TRUE(std::getline(lines, line));
      const auto json = nlohmann::json::parse(line);
      EXPECT_EQ(json.at("Timestamp").get<uint64_t>(), e.timestamp_ms);
      Names want;
      if (json.contains("DNS")) want = json.at("DNS").get<Names>();
      for (std::string& n : want) std::transform(n.begin(), n.end(), n.begin(), ::tolower);
      auto names = NamesOf(e);
      ASSERT_THAT(names, IsOk()) << e.index;
      Names got = names->dns_names;
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      want.erase(std::unique(want.begin(), want.end()), want.end());
      EXPECT_EQ(got, want) << "leaf " << e.index;
      ++checked;
    }
    EXPECT_FALSE(std::getline(lines, line));
  }
  EXPECT_EQ(checked, 1034u);
}

}  // namespace
}  // namespace ctwatch
