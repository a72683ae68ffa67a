// Log list JSON: see log_list_json.h. Thread-safety: pure function.
#include "testlog/log_list_json.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace ctwatch::testlog {
namespace {

std::string Rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json LogJson(const LogSigner& signer, const std::string& description,
                       const std::string& now) {
  nlohmann::json log;
  log["description"] = description;
  log["log_id"] = Base64Encode(signer.log_id());
  log["key"] = Base64Encode(signer.spki());
  log["mmd"] = 86400;
  log["state"] = {{"usable", {{"timestamp", now}}}};
  log["temporal_interval"] = {{"start_inclusive", "2020-01-01T00:00:00Z"},
                              {"end_exclusive", "2100-01-01T00:00:00Z"}};
  return log;
}

}  // namespace

std::string MakeLogListJson(const LogSigner& rfc6962, const LogSigner& static_log,
                            const std::string& base_url, bool include_static) {
  const std::string now = Rfc3339(std::time(nullptr));
  nlohmann::json rfc = LogJson(rfc6962, "ctwatch test log (RFC 6962)", now);
  rfc["url"] = base_url + "rfc6962/";
  nlohmann::json op;
  op["name"] = "ctwatch test operator";
  op["email"] = nlohmann::json::array({"ct-test@example.invalid"});
  op["logs"] = nlohmann::json::array({rfc});
  if (include_static) {
    nlohmann::json tiled = LogJson(static_log, "ctwatch test log (static-ct-api)", now);
    tiled["submission_url"] = base_url + "static/";
    tiled["monitoring_url"] = base_url + "static/";
    op["tiled_logs"] = nlohmann::json::array({tiled});
  } else {
    op["tiled_logs"] = nlohmann::json::array();
  }
  nlohmann::json list;
  list["version"] = "1.0";
  list["log_list_timestamp"] = now;
  list["operators"] = nlohmann::json::array({op});
  return list.dump(2) + "\n";
}

}  // namespace ctwatch::testlog
