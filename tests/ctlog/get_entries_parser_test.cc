// ParseGetEntries: real bodies, JSON variants the scanner must accept, and everything it must
// reject (truncation, garbage, trailing bytes, too many entries). Also a rough speed figure.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/encoding.h"
#include "ctlog/entry.h"
#include "ctlog/log_client.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;

const char* const kRealBodies[] = {
    "entries/ctgo-logclient/get-entries_precert_then_x509.json",
    "entries/ctgo-scanner/four-entries.get-entries.json",
    "entries/scrape-ct-log/get-entries_wrapped_x509_then_precert.json",
    "entries/ctclient-rs/get-entries_wrapped_x509_then_precert.json",
};

std::string Body(const std::string& entries) { return "{\"entries\":[" + entries + "]}"; }

// leaf "AAEC" = 00 01 02, extra "AwQ=" = 03 04.
const char kEntry[] = R"({"leaf_input":"AAEC","extra_data":"AwQ="})";

void ExpectSimple(const std::string& json) {
  SCOPED_TRACE(json);
  auto r = ParseGetEntries(json);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].leaf_input, (Bytes{0, 1, 2}));
  EXPECT_EQ((*r)[0].extra_data, (Bytes{3, 4}));
}

TEST(ParseGetEntriesTest, RealBodies) {
  const size_t counts[] = {2, 4, 2, 2};
  for (size_t i = 0; i < std::size(kRealBodies); ++i) {
    auto r = ParseGetEntries(ReadTestData(kRealBodies[i]));
    ASSERT_THAT(r, IsOk()) << kRealBodies[i];
    EXPECT_EQ(r->size(), counts[i]);
    for (const RawEntry& e : *r) {
      EXPECT_GT(e.leaf_input.size(), 100u);
      EXPECT_GT(e.extra_data.size(), 100u);
    }
  }
  // The binary files are what the wrapped body carries.
  auto r = ParseGetEntries(ReadTestData(kRealBodies[3]));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ToString((*r)[0].leaf_input), ReadTestData("entries/ctclient-rs/le.x509leaf.bin"));
  EXPECT_EQ(ToString((*r)[1].extra_data), ReadTestData("entries/ctclient-rs/extra.precert.bin"));
}

TEST(ParseGetEntriesTest, WhitespaceAndMemberOrder) {
  ExpectSimple(Body(kEntry));
  ExpectSimple(
      " \t\r\n{ \"entries\" : [ { \"extra_data\" : \"AwQ=\" ,\n \"leaf_input\"\t:"
      "\"AAEC\" } ] } \n");
  ExpectSimple(R"({"entries":[{"extra_data":"AwQ=","leaf_input":"AAEC"}]})");
}

TEST(ParseGetEntriesTest, UnknownMembersAreSkipped) {
  ExpectSimple(
      R"({"x":1,"entries":[{"a":null,"leaf_input":"AAEC","b":[1,{"c":[[]]},"\"]"],)"
      R"("extra_data":"AwQ=","d":{"e":-1.5e+3,"f":true,"g":false,"h":"\u00e9\ud83d\ude00"}}],)"
      R"("y":{"entries":"not these"},"z":[0,-0,1E2,0.25]})");
  ExpectSimple(R"({"entries":[{"leaf_input":"AAEC","extra_data":"AwQ=","ü":"é"}]})");
}

TEST(ParseGetEntriesTest, EscapedStrings) {
  // "\/" is a legal escape of '/', and member names may be escaped too.
  auto r = ParseGetEntries(R"({"entries":[{"leaf_input":"\/\/8=","extra_data":""}]})");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ((*r)[0].leaf_input, (Bytes{0xff, 0xff}));
  EXPECT_TRUE((*r)[0].extra_data.empty());
  ExpectSimple(R"({"entr\u0069es":[{"leaf\u005finput":"AA\u0045C","extra_data":"AwQ\u003d"}]})");
  // Escapes that are not JSON, or that decode to bytes base64 rejects.
  EXPECT_THAT(ParseGetEntries(R"({"entries":[{"leaf_input":"\x41","extra_data":""}]})"),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseGetEntries(R"({"entries":[{"leaf_input":"AA\nC","extra_data":""}]})"),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseGetEntries(R"({"entries":[{"leaf_input":"\ud800AA","extra_data":""}]})"),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseGetEntries(R"({"entries":[],"x":"\udc00"})"), IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(ParseGetEntries(R"({"entries":[],"x":"\u12"})"), IsErrorCode(ErrorCode::kParse));
}

TEST(ParseGetEntriesTest, EmptyEntriesIsValidJson) {
  auto r = ParseGetEntries(R"({"entries":[]})");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->empty());
}

TEST(ParseGetEntriesTest, StructuralErrors) {
  const char* const bad[] = {
      "",
      "null",
      "[]",
      "{}",
      R"({"entries":{}})",
      R"({"entries":null})",
      R"({"entries":[null]})",
      R"({"entries":[{"leaf_input":"AAEC"}]})",
      R"({"entries":[{"extra_data":"AwQ="}]})",
      R"({"entries":[{"leaf_input":"AAEC","leaf_input":"AAEC","extra_data":"AwQ="}]})",
      R"({"entries":[],"entries":[]})",
      R"({"entries":[{"leaf_input":1,"extra_data":"AwQ="}]})",
      R"({"entries":[{"leaf_input":"AAE","extra_data":"AwQ="}]})",   // bad base64 length
      R"({"entries":[{"leaf_input":"AAF=","extra_data":"AwQ="}]})",  // non-canonical bits
      R"({"entries":[{"leaf_input":"AA EC","extra_data":"AwQ="}]})",
      R"({"entries":[{"leaf_input":"AAEC","extra_data":"AwQ="},]})",
      R"({"entries":[{"leaf_input":"AAEC","extra_data":"AwQ=",}]})",
      R"({"entries":[{"leaf_input":"AAEC" "extra_data":"AwQ="}]})",
      R"({"entries":[{"leaf_input":"AAEC","extra_data":"AwQ="}] "x":1})",
      R"({"entries":[],"x":01})",
      R"({"entries":[],"x":1.})",
      R"({"entries":[],"x":-})",
      R"({"entries":[],"x":+1})",
      R"({"entries":[],"x":tru})",
      R"({"entries":[],"x":nul})",
      R"({"entries":[],"x":[1,]})",
      R"({"entries":[],"x":{"a"}})",
      R"({"entries":[],"x":'a'})",
      R"({entries:[]})",
      R"({"entries":[]}})",
      R"({"entries":[]} x)",
      R"({"entries":[]}{})",
      "{\"entries\":[],\"x\":\"\x01\"}",          // control character in a string
      "{\"entries\":[],\"x\":\"\xc3\x28\"}",      // invalid UTF-8
      "{\"entries\":[],\"x\":\"\xed\xa0\x80\"}",  // UTF-8 encoded surrogate
      "{\"entries\":[],\"x\":\"\xc0\xaf\"}",      // overlong
      "\xef\xbb\xbf{\"entries\":[]}",             // BOM
  };
  for (const char* json : bad) {
    EXPECT_THAT(ParseGetEntries(json), IsErrorCode(ErrorCode::kParse)) << json;
  }
  std::string with_nul = "{\"entries\":[]}";
  with_nul.push_back('\0');
  EXPECT_THAT(ParseGetEntries(with_nul), IsError(ErrorCode::kParse, "trailing"));
}

TEST(ParseGetEntriesTest, DeepNestingIsBounded) {
  std::string deep = R"({"entries":[],"x":)" + std::string(100000, '[');
  EXPECT_THAT(ParseGetEntries(deep), IsErrorCode(ErrorCode::kParse));
  std::string ok = R"({"entries":[],"x":)" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_THAT(ParseGetEntries(ok), IsOk());
}

TEST(ParseGetEntriesTest, TruncationAtEveryPointFails) {
  for (const char* path : kRealBodies) {
    const std::string body = ReadTestData(path);
    // Every prefix ends inside the top-level object, so each must fail.
    size_t last = body.find_last_of('}');
    for (size_t n = 0; n < last; n += (n < 400 || n + 400 > last) ? 1 : 37) {
      EXPECT_THAT(ParseGetEntries(std::string_view(body).substr(0, n)),
                  IsErrorCode(ErrorCode::kParse))
          << path << " cut at " << n;
    }
  }
}

TEST(ParseGetEntriesTest, GarbageFails) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(x >> 16));
  }
  for (size_t n = 0; n < garbage.size(); n += 97) {
    EXPECT_FALSE(ParseGetEntries(std::string_view(garbage).substr(n)).has_value());
  }
  // A real body with one byte flipped to a quote, brace or letter in many places.
  const std::string body = ReadTestData(kRealBodies[0]);
  for (size_t i = 0; i < body.size(); i += 13) {
    for (char c : {'"', '}', ']', 'x', '\\'}) {
      if (body[i] == c) continue;
      std::string mutated = body;
      mutated[i] = c;
      auto r = ParseGetEntries(mutated);
      // Inside a base64 string a letter may still decode; structure damage must not.
      if (c != 'x') {
        EXPECT_FALSE(r.has_value()) << "at " << i << " '" << c << "'";
      }
    }
  }
}

TEST(ParseGetEntriesTest, MoreThanTenThousandEntriesIsRejected) {
  std::string entries;
  for (int i = 0; i < 10000; ++i) entries += std::string(i ? "," : "") + kEntry;
  auto r = ParseGetEntries(Body(entries));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 10000u);
  EXPECT_THAT(ParseGetEntries(Body(entries + "," + kEntry)),
              IsErrorCode(ErrorCode::kResourceExhausted));
}

// Not a benchmark gate (Debug builds are slow); prints the per-entry cost for the report:
// parsing alone, and parsing plus decoding (leaf, extra_data, leaf hash).
TEST(ParseGetEntriesTest, SpeedOnRealBodies) {
  std::string entries;
  size_t count = 0;
  for (const char* path : kRealBodies) {
    std::string body = ReadTestData(path);
    const size_t open = body.find('[') + 1, close = body.rfind(']');
    std::string inner = body.substr(open, close - open);
    for (int i = 0; i < 100; ++i) {
      entries += (count ? "," : "") + inner;
      count += path == kRealBodies[1] ? 4 : 2;
    }
  }
  const std::string body = Body(entries);
  const int rounds = 5;
  auto time_us = [&](bool decode) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) {
      auto r = ParseGetEntries(body);
      EXPECT_THAT(r, IsOk());
      if (!r.has_value()) return 0.0;
      EXPECT_EQ(r->size(), count);
      if (!decode) continue;
      for (size_t j = 0; j < r->size(); ++j) {
        auto e = DecodeRfc6962Entry(j, (*r)[j].leaf_input, (*r)[j].extra_data);
        EXPECT_TRUE(e.has_value());
      }
    }
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count() /
           rounds / static_cast<double>(count);
  };
  const double parse = time_us(false), both = time_us(true);
  std::printf(
      "%zu entries, %.0f JSON bytes/entry: ParseGetEntries %.2f us/entry, "
      "+ decode %.2f us/entry\n",
      count, static_cast<double>(body.size()) / static_cast<double>(count), parse, both);
}

}  // namespace
}  // namespace ctwatch
