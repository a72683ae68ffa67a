// Tests for ctlog/log_list: real Chrome v3 log lists (2022..2026) and their signatures, upstream
// test variants (truncated, no operator name, bogus key), and the checks on each field.
#include "ctlog/log_list.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/encoding.h"
#include "core/sha256.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsError;
using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;
using ::ctwatch::testing::ReadTestData;
using Json = nlohmann::json;

std::string SigningKey() { return ReadTestData("loglist/google-log-list-signing-key.pem"); }

const LogInfo* FindLog(const LogList& list, std::string_view description) {
  for (const LogInfo& log : list.logs) {
    if (log.description == description) return &log;
  }
  return nullptr;
}

size_t CountApi(const LogList& list, LogApi api) {
  size_t n = 0;
  for (const LogInfo& log : list.logs) n += log.api == api ? 1 : 0;
  return n;
}

// Properties every parsed log must have, whatever the list.
void ExpectWellFormed(const LogList& list) {
  for (const LogInfo& log : list.logs) {
    SCOPED_TRACE(log.description);
    EXPECT_EQ(Sha256(log.key), log.log_id);
    EXPECT_TRUE(log.url.starts_with("https://") || log.url.starts_with("http://"));
    EXPECT_TRUE(log.url.ends_with("/"));
    EXPECT_FALSE(log.operator_name.empty());
    EXPECT_GT(log.mmd_seconds, 0);
    EXPECT_EQ(log.final_tree_head.has_value(), log.state == LogState::kReadOnly);
    if (log.api == LogApi::kStatic) {
      EXPECT_TRUE(log.submission_url.ends_with("/"));
      EXPECT_FALSE(log.CheckpointOrigin().empty());
    } else {
      EXPECT_TRUE(log.submission_url.empty());
    }
  }
}

// ---- Real signed lists -----------------------------------------------------------------------

struct SignedList {
  const char* json;
  const char* sig;
  const char* version;
  size_t rfc6962_logs;
  size_t tiled_logs;
};

const SignedList kSignedLists[] = {
    {"loglist/v3/google-log_list-2026-01-03.json", "loglist/v3/google-log_list-2026-01-03.sig",
     "80.14", 49, 26},
    {"loglist/v3/google-log_list-2024-06-30.json", "loglist/v3/google-log_list-2024-06-30.sig",
     "37.10", 37, 0},
    {"loglist/v3/google-log_list-2023-03-09.json", "loglist/v3/google-log_list-2023-03-09.sig",
     "20.2", 23, 0},
    {"loglist/v3/appmattus-testdata-log_list.json", "loglist/v3/appmattus-testdata-log_list.sig",
     "12.6", 29, 0},
};

void PrintTo(const SignedList& list, std::ostream* os) { *os << list.json; }

class SignedListTest : public ::testing::TestWithParam<SignedList> {};

TEST_P(SignedListTest, ParsesWithTheRightCounts) {
  auto list = ParseLogList(ReadTestData(GetParam().json));
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->version, GetParam().version);
  EXPECT_GT(list->timestamp_ms, 1'600'000'000'000);
  EXPECT_EQ(CountApi(*list, LogApi::kRfc6962), GetParam().rfc6962_logs);
  EXPECT_EQ(CountApi(*list, LogApi::kStatic), GetParam().tiled_logs);
  ExpectWellFormed(*list);
}

TEST_P(SignedListTest, SignatureVerifies) {
  const std::string json = ReadTestData(GetParam().json);
  const std::string sig = ReadTestData(GetParam().sig);
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig), SigningKey()), IsOk());
}

TEST_P(SignedListTest, FlippedByteFailsTheSignature) {
  std::string json = ReadTestData(GetParam().json);
  const std::string sig = ReadTestData(GetParam().sig);
  std::string flipped_json = json;
  flipped_json[flipped_json.size() / 2] ^= 0x01;
  EXPECT_THAT(VerifyLogListSignature(AsBytes(flipped_json), AsBytes(sig), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
  std::string flipped_sig = sig;
  flipped_sig[100] ^= 0x80;
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(flipped_sig), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
  json.push_back('\n');  // the exact bytes are signed, whitespace included
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
}

INSTANTIATE_TEST_SUITE_P(Lists, SignedListTest, ::testing::ValuesIn(kSignedLists),
                         [](const auto& param_info) {
                           std::string name = param_info.param.json;
                           name = name.substr(name.rfind('/') + 1);
                           name = name.substr(0, name.rfind('.'));
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(LogListTest, List2026TiledLogs) {
  auto list = ParseLogList(ReadTestData("loglist/v3/google-log_list-2026-01-03.json"));
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->logs.size(), 75u);
  const LogInfo* tuscolo = FindLog(*list, "Geomys 'Tuscolo2026h1'");
  ASSERT_NE(tuscolo, nullptr);
  EXPECT_EQ(tuscolo->api, LogApi::kStatic);
  EXPECT_EQ(tuscolo->operator_name, "Geomys");
  EXPECT_EQ(tuscolo->url, "https://tuscolo2026h1.skylight.geomys.org/");
  EXPECT_EQ(tuscolo->submission_url, "https://tuscolo2026h1.sunlight.geomys.org/");
  EXPECT_EQ(tuscolo->CheckpointOrigin(), "tuscolo2026h1.sunlight.geomys.org");
  EXPECT_EQ(tuscolo->state, LogState::kUsable);
  ASSERT_TRUE(tuscolo->temporal_start_ms.has_value());
  EXPECT_EQ(*tuscolo->temporal_start_ms, 1767225600000);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(*tuscolo->temporal_end_ms, 1782864000000);    // 2026-07-01T00:00:00Z

  const LogInfo* sycamore = FindLog(*list, "Let's Encrypt 'Sycamore2026h1'");
  ASSERT_NE(sycamore, nullptr);
  EXPECT_EQ(sycamore->CheckpointOrigin(), "log.sycamore.ct.letsencrypt.org/2026h1");
  EXPECT_EQ(sycamore->url, "https://mon.sycamore.ct.letsencrypt.org/2026h1/");

  const LogInfo* luoshu = FindLog(*list, "TrustAsia Luoshu2027");
  ASSERT_NE(luoshu, nullptr);
  EXPECT_EQ(luoshu->state, LogState::kQualified);
  EXPECT_EQ(luoshu->CheckpointOrigin(), "luoshu2027.trustasia.com/luoshu2027");

  const LogInfo* argon = FindLog(*list, "Google 'Argon2026h1' log");
  ASSERT_NE(argon, nullptr);
  EXPECT_EQ(argon->api, LogApi::kRfc6962);
  EXPECT_EQ(argon->url, "https://ct.googleapis.com/logs/us1/argon2026h1/");
  EXPECT_EQ(Base64Encode(argon->log_id), "DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=");
  EXPECT_EQ(argon->mmd_seconds, 86400);
  EXPECT_EQ(argon->CheckpointOrigin(), "");
}

TEST(LogListTest, ReadonlyLogsHaveTheirFinalTreeHead) {
  auto list = ParseLogList(ReadTestData("loglist/v3/google-log_list-2026-01-03.json"));
  ASSERT_THAT(list, IsOk());
  size_t readonly = 0;
  for (const LogInfo& log : list->logs) readonly += log.state == LogState::kReadOnly ? 1 : 0;
  EXPECT_EQ(readonly, 9u);
  const LogInfo* oak = FindLog(*list, "Let's Encrypt 'Oak2025h2'");
  ASSERT_NE(oak, nullptr);
  EXPECT_EQ(oak->state, LogState::kReadOnly);
  ASSERT_TRUE(oak->final_tree_head.has_value());
  EXPECT_EQ(oak->final_tree_head->tree_size, 1958525022u);
  EXPECT_EQ(Base64Encode(oak->final_tree_head->root),
            "fn06m+bnTrDRl01hT1F1TdZPYfxciFZZn7NAayeGOVQ=");
}

TEST(LogListTest, MonitorableLogsPicksQualifiedUsableAndReadonly) {
  auto list = ParseLogList(ReadTestData("loglist/v3/google-log_list-2026-01-03.json"));
  ASSERT_THAT(list, IsOk());
  std::map<LogState, size_t> all;
  for (const LogInfo& log : list->logs) ++all[log.state];
  EXPECT_EQ(all[LogState::kUsable], 57u);
  EXPECT_EQ(all[LogState::kQualified], 5u);
  EXPECT_EQ(all[LogState::kReadOnly], 9u);
  EXPECT_EQ(all[LogState::kRetired], 4u);

  const std::vector<LogInfo> monitored = MonitorableLogs(*list);
  EXPECT_EQ(monitored.size(), 57u + 5u + 9u);
  size_t tiled = 0;
  for (const LogInfo& log : monitored) {
    EXPECT_TRUE(log.state == LogState::kUsable || log.state == LogState::kQualified ||
                log.state == LogState::kReadOnly)
        << log.description;
    tiled += log.api == LogApi::kStatic ? 1 : 0;
  }
  EXPECT_EQ(tiled, 26u);
}

TEST(LogListTest, MonitorableLogsExcludesEveryOtherState) {
  LogList list;
  for (LogState s : {LogState::kPending, LogState::kQualified, LogState::kUsable,
                     LogState::kReadOnly, LogState::kRetired, LogState::kRejected}) {
    LogInfo log;
    log.description = LogStateName(s);
    log.state = s;
    list.logs.push_back(log);
  }
  std::vector<std::string> names;
  for (const LogInfo& log : MonitorableLogs(list)) names.push_back(log.description);
  EXPECT_THAT(names, ::testing::ElementsAre("qualified", "usable", "readonly"));
}

TEST(LogListTest, AppmattusTiledVariantParses) {
  auto list = ParseLogList(ReadTestData("loglist/v3/appmattus-testdata-log_list_tiled_logs.json"));
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(CountApi(*list, LogApi::kStatic), 3u);
  EXPECT_EQ(CountApi(*list, LogApi::kRfc6962), 41u);
  ExpectWellFormed(*list);
}

// ---- Lists that must fail, and why -----------------------------------------------------------

TEST(LogListTest, TruncatedListFailsClearly) {
  const std::string json = ReadTestData("loglist/v3/appmattus-testdata-log_list_incomplete.json");
  EXPECT_THAT(ParseLogList(json), IsError(ErrorCode::kParse, "invalid JSON"));
  EXPECT_THAT(ParseLogList(json), IsError(ErrorCode::kParse, "unexpected end of input"));
}

TEST(LogListTest, EmptyOperatorNameFails) {
  auto list =
      ParseLogList(ReadTestData("loglist/v3/appmattus-testdata-log_list_no_operator_name.json"));
  EXPECT_THAT(list, IsError(ErrorCode::kParse, "operator #0: empty name"));
}

// Decision: the ctgo sample's 'Racketeer' log has a key that is not a SubjectPublicKeyInfo (and
// no state). One bad log fails the whole list with an error naming it: the list is signed and
// authoritative, a log we cannot verify must not be dropped silently, and the caller keeps its
// previous list.
TEST(LogListTest, CtGoSampleWithBogusKeyFailsNamingTheLog) {
  const std::string json = ReadTestData("loglist/v3/ctgo-testdata-loglist3-sample.json");
  EXPECT_THAT(ParseLogList(json),
              IsError(ErrorCode::kParse,
                      "log list: operator 'Google', log 'Google 'Racketeer' log': no state"));
  // With a state, the key itself is what fails (its log_id does match SHA-256 of the bytes).
  Json doc = Json::parse(json);
  Json& racketeer = doc["operators"][0]["logs"][2];
  racketeer["state"] = Json{{"usable", {{"timestamp", "2018-02-27T00:00:00Z"}}}};
  EXPECT_THAT(ParseLogList(doc.dump()),
              IsError(ErrorCode::kParse,
                      "operator 'Google', log 'Google 'Racketeer' log': key is not a "
                      "SubjectPublicKeyInfo"));
}

TEST(LogListTest, CtGoSampleWithoutTheBogusLogParses) {
  Json doc = Json::parse(ReadTestData("loglist/v3/ctgo-testdata-loglist3-sample.json"));
  Json& google_logs = doc["operators"][0]["logs"];
  ASSERT_EQ(google_logs[2]["description"], "Google 'Racketeer' log");
  google_logs.erase(2);
  auto list = ParseLogList(doc.dump());
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->logs.size(), 5u);
  ExpectWellFormed(*list);

  const LogInfo* aviator = FindLog(*list, "Google 'Aviator' log");
  ASSERT_NE(aviator, nullptr);
  EXPECT_EQ(aviator->state, LogState::kReadOnly);
  EXPECT_EQ(aviator->state_timestamp_ms, 1480512258330);  // 2016-11-30T13:24:18.33Z
  ASSERT_TRUE(aviator->final_tree_head.has_value());
  EXPECT_EQ(aviator->final_tree_head->tree_size, 46466472u);
  EXPECT_EQ(Base64Encode(aviator->final_tree_head->root),
            "LcGcZRsm+LGYmrlyC5LXhV1T6OD8iH5dNlb0sEJl9bA=");

  const LogInfo* bob = FindLog(*list, "Bob's Dubious Log");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->url, "https://log.bob.io/");  // trailing slash added
  EXPECT_EQ(bob->operator_name, "Bob's CT Log Shop");
  EXPECT_EQ(bob->state, LogState::kRetired);

  std::vector<std::string> monitored;
  for (const LogInfo& log : MonitorableLogs(*list)) monitored.push_back(log.description);
  EXPECT_THAT(monitored,
              ::testing::ElementsAre("Google 'Aviator' log", "Google 'Icarus' log",
                                     "Google 'Rocketeer' log", "Google 'Argon2020' log"));
}

// all_logs_list.json (unsigned) also lists logs that never had a state; the v3 list we monitor
// from always has one, so a log without a state is an error.
TEST(LogListTest, LogWithoutStateFails) {
  EXPECT_THAT(ParseLogList(ReadTestData("loglist/v3/all_logs_list-2024-11-26.json")),
              IsError(ErrorCode::kParse, "no state"));
}

// ---- Field checks on a small list ------------------------------------------------------------

Json SmallList() {
  Json doc = Json::parse(ReadTestData("loglist/v3/google-log_list-2026-01-03.json"));
  Json small = doc;
  small["operators"] = Json::array();
  for (const auto& op : doc["operators"]) {
    if (op["name"] == "Google" || op["name"] == "Geomys") small["operators"].push_back(op);
  }
  return small;
}

Json& FirstLog(Json& doc) { return doc["operators"][0]["logs"][0]; }
Json& FirstTiledLog(Json& doc) { return doc["operators"][1]["tiled_logs"][0]; }

TEST(LogListFieldTest, SmallListParses) {
  const Json doc = SmallList();
  ASSERT_EQ(doc["operators"][1]["name"], "Geomys");
  EXPECT_THAT(ParseLogList(doc.dump()), IsOk());
}

TEST(LogListFieldTest, StateMustBeExactlyOneKnownStateWithATimestamp) {
  const std::pair<Json, const char*> bad[] = {
      {Json::object(), "needs exactly 1"},
      {Json{{"usable", {{"timestamp", "2024-01-01T00:00:00Z"}}},
            {"retired", {{"timestamp", "2024-01-01T00:00:00Z"}}}},
       "needs exactly 1"},
      {Json{{"frozen", {{"timestamp", "2024-01-01T00:00:00Z"}}}}, "unknown state 'frozen'"},
      {Json{{"usable", Json::object()}}, "no timestamp"},
      {Json{{"usable", {{"timestamp", "yesterday"}}}}, "not an RFC 3339 time"},
      {Json{{"usable", {{"timestamp", 1700000000}}}}, "timestamp is not a string"},
      {Json{{"readonly", {{"timestamp", "2024-01-01T00:00:00Z"}}}}, "without final_tree_head"},
      {Json{{"readonly",
             {{"timestamp", "2024-01-01T00:00:00Z"},
              {"final_tree_head", {{"sha256_root_hash", "AAAA"}, {"tree_size", 5}}}}}},
       "final_tree_head root has 3 bytes"},
      {Json{{"readonly",
             {{"timestamp", "2024-01-01T00:00:00Z"},
              {"final_tree_head",
               {{"sha256_root_hash", Base64Encode(Bytes(32, 1))}, {"tree_size", -5}}}}}},
       "tree_size"},
      {Json{{"usable",
             {{"timestamp", "2024-01-01T00:00:00Z"},
              {"final_tree_head",
               {{"sha256_root_hash", Base64Encode(Bytes(32, 1))}, {"tree_size", 5}}}}}},
       "final_tree_head in a state other than readonly"},
      {Json("usable"), "state is not an object"},
  };
  for (const auto& [state, message] : bad) {
    Json doc = SmallList();
    FirstLog(doc)["state"] = state;
    EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, message)) << state.dump();
  }
  Json ok = SmallList();
  for (const char* s : {"pending", "qualified", "usable", "retired", "rejected"}) {
    FirstLog(ok)["state"] = Json{{s, {{"timestamp", "2024-01-01T00:00:00.5+01:00"}}}};
    auto list = ParseLogList(ok.dump());
    ASSERT_THAT(list, IsOk()) << s;
    EXPECT_STREQ(LogStateName(list->logs[0].state), s);
    EXPECT_EQ(list->logs[0].state_timestamp_ms, 1704063600500);
  }
}

TEST(LogListFieldTest, ErrorsNameOperatorAndLog) {
  Json doc = SmallList();
  FirstTiledLog(doc)["log_id"] = Base64Encode(Bytes(32, 0));
  EXPECT_THAT(ParseLogList(doc.dump()),
              IsError(ErrorCode::kParse,
                      "operator 'Geomys', log 'Geomys 'Tuscolo2025h2'': log_id is not SHA-256"));
}

TEST(LogListFieldTest, KeysAndIds) {
  Json doc = SmallList();
  FirstLog(doc)["log_id"] = "not base64!";
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "log_id is not base64"));
  doc = SmallList();
  FirstLog(doc)["key"] = "";
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "key is not base64"));
  doc = SmallList();
  doc["operators"][0]["logs"][1] = FirstLog(doc);
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "duplicate log_id"));
}

TEST(LogListFieldTest, Urls) {
  const std::pair<const char*, const char*> bad[] = {
      {"ftp://example.com/", "not an http(s) URL"},
      {"example.com/log/", "not an http(s) URL"},
      {"https://", "no host"},
      {"https:///path/", "no host"},
      {"https://exa mple.com/", "disallowed character"},
      {"https://example.com/?x=1", "disallowed character"},
      {"https://example.com/#f", "disallowed character"},
  };
  for (const auto& [url, message] : bad) {
    Json doc = SmallList();
    FirstLog(doc)["url"] = url;
    EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, message)) << url;
  }
  Json doc = SmallList();
  FirstLog(doc)["url"] = "http://example.com/ct";
  auto list = ParseLogList(doc.dump());
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->logs[0].url, "http://example.com/ct/");

  doc = SmallList();
  FirstTiledLog(doc).erase("monitoring_url");
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "no monitoring_url"));
  doc = SmallList();
  FirstTiledLog(doc)["submission_url"] = "https://tuscolo2025h2.sunlight.geomys.org";
  list = ParseLogList(doc.dump());
  ASSERT_THAT(list, IsOk());
  const LogInfo* tuscolo = FindLog(*list, "Geomys 'Tuscolo2025h2'");
  ASSERT_NE(tuscolo, nullptr);
  EXPECT_EQ(tuscolo->submission_url, "https://tuscolo2025h2.sunlight.geomys.org/");
  EXPECT_EQ(tuscolo->CheckpointOrigin(), "tuscolo2025h2.sunlight.geomys.org");
  doc = SmallList();
  FirstLog(doc).erase("url");
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "no url"));
}

TEST(LogListFieldTest, MmdAndTemporalInterval) {
  Json doc = SmallList();
  FirstLog(doc)["mmd"] = 0;
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "mmd 0"));
  doc = SmallList();
  FirstLog(doc)["mmd"] = "86400";
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "mmd is not"));
  doc = SmallList();
  FirstLog(doc)["temporal_interval"]["end_exclusive"] =
      FirstLog(doc)["temporal_interval"]["start_inclusive"];
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "temporal_interval is empty"));
  doc = SmallList();
  FirstLog(doc)["temporal_interval"].erase("start_inclusive");
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "no start_inclusive"));
  doc = SmallList();
  FirstLog(doc).erase("temporal_interval");
  auto list = ParseLogList(doc.dump());
  ASSERT_THAT(list, IsOk());
  EXPECT_FALSE(list->logs[0].temporal_start_ms.has_value());
}

TEST(LogListFieldTest, TopLevel) {
  EXPECT_THAT(ParseLogList("[]"), IsError(ErrorCode::kParse, "not a JSON object"));
  EXPECT_THAT(ParseLogList(""), IsError(ErrorCode::kParse, "invalid JSON"));
  Json doc = SmallList();
  doc.erase("operators");
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "no operators"));
  doc = SmallList();
  doc["log_list_timestamp"] = "soon";
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "log_list_timestamp"));
  doc = SmallList();
  doc["operators"][0]["logs"] = Json::object();
  EXPECT_THAT(ParseLogList(doc.dump()),
              IsError(ErrorCode::kParse, "operator 'Google': logs is not an array"));
  doc = SmallList();
  doc["operators"][0]["logs"][0]["description"] = "";
  EXPECT_THAT(ParseLogList(doc.dump()), IsError(ErrorCode::kParse, "log '#0': no description"));
}

TEST(LogListFieldTest, SizeCaps) {
  std::string big = SmallList().dump();
  big.append((8u << 20) - big.size() + 1, ' ');
  EXPECT_THAT(ParseLogList(big), IsErrorCode(ErrorCode::kResourceExhausted));

  Json doc = SmallList();
  Json& logs = doc["operators"][0]["logs"];
  const Json one = logs[0];
  logs = Json::array();
  for (int i = 0; i < 10'001; ++i) logs.push_back(one);
  EXPECT_THAT(ParseLogList(doc.dump()), IsErrorCode(ErrorCode::kResourceExhausted));
}

TEST(LogListSignatureTest, RejectsNonRsaKeyAndBadSignatureSizes) {
  const std::string json = ReadTestData("loglist/v3/google-log_list-2026-01-03.json");
  const std::string sig = ReadTestData("loglist/v3/google-log_list-2026-01-03.sig");
  const std::string ec_key = ReadTestData("sth/keys/google-pilot.pem");
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig), ec_key),
              IsErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig), "garbage"),
              IsErrorCode(ErrorCode::kParse));
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), ByteView(), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig).first(511), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
  // A signature of another list does not verify this one.
  const std::string sig_2024 = ReadTestData("loglist/v3/google-log_list-2024-06-30.sig");
  EXPECT_THAT(VerifyLogListSignature(AsBytes(json), AsBytes(sig_2024), SigningKey()),
              IsErrorCode(ErrorCode::kVerification));
}

}  // namespace
}  // namespace ctwatch
