// TestLogServer: see test_log_server.h. Thread-safety: handlers share only thread-safe state.
#include "testlog/test_log_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "testlog/log_list_json.h"
#include "testlog/name_generator.h"
#include "testlog/rfc6962_api.h"
#include "testlog/static_api.h"

namespace ctwatch::testlog {
namespace {

using httplib::Request;
using httplib::Response;

constexpr uint64_t kMaxGrowPerRequest = 50'000'000;
constexpr uint64_t kMaxPlantPerRequest = 10'000;

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string ManifestText(const std::vector<ManifestRecord>& records) {
  std::string out;
  for (const ManifestRecord& record : records) out += record.ToJsonLine() + "\n";
  return out;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Result<std::unique_ptr<TestLogServer>> TestLogServer::Create(const ServerOptions& options) {
  if (!options.allow_non_loopback && !IsLoopbackHost(options.listen_host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "refusing to listen on " + options.listen_host +
                         ": not a loopback address (use --allow-non-loopback)");
  }
  if (options.max_get_entries == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "max_get_entries must be >= 1");
  }
  std::unique_ptr<TestLogServer> server(new TestLogServer(options));
  CTW_ASSIGN_OR_RETURN(server->corpus_, Corpus::Create(options.corpus));
  server->ctx_.corpus = server->corpus_.get();
  server->ctx_.faults = &server->faults_;
  server->ctx_.max_get_entries = options.max_get_entries;
  server->ctx_.gzip_tiles_without_header = options.gzip_tiles_without_header;
  return server;
}

TestLogServer::~TestLogServer() { Stop(); }

std::string TestLogServer::base_url() const {
  return "http://" + HostForUrl(options_.listen_host) + ":" + std::to_string(port_) + "/";
}

std::string TestLogServer::LogListJson(bool rfc6962_only) const {
  return MakeLogListJson(corpus_->rfc6962_signer(), corpus_->static_signer(), base_url(),
                         !rfc6962_only);
}

httplib::Server::Handler TestLogServer::WithFaults(httplib::Server::Handler handler) {
  return [this, handler = std::move(handler)](const Request& req, Response& res) {
    if (auto delay = faults_.Take(FaultKind::kDelay, req.path)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay->delay_ms));
    }
    if (auto status = faults_.Take(FaultKind::kStatus, req.path)) {
      SetJsonError(&res, status->status, "injected fault");
      if (status->retry_after_s >= 0) {
        res.set_header("Retry-After", std::to_string(status->retry_after_s));
      }
      return;
    }
    handler(req, res);
    if (auto truncate = faults_.Take(FaultKind::kTruncate, req.path)) {
      if (!truncate->abort_connection) {
        res.body.resize(res.body.size() / 2);
        return;
      }
      // Announce the whole length, send half, then drop the connection.
      auto body = std::make_shared<std::string>(std::move(res.body));
      res.body.clear();
      const std::string content_type = res.get_header_value("Content-Type");
      res.headers.erase("Content-Type");
      res.set_content_provider(body->size(), content_type,
                               [body](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset == 0) sink.write(body->data(), body->size() / 2);
                                 return false;
                               });
    }
  };
}

void TestLogServer::RegisterRoutes() {
  const HandlerWrapper wrap = [this](httplib::Server::Handler h) {
    return WithFaults(std::move(h));
  };
  RegisterRfc6962Api(&server_, &ctx_, "/rfc6962/", wrap);
  RegisterStaticApi(&server_, &ctx_, "/static/", wrap);
  server_.Get(R"(/loglist\.json)", [this](const Request&, Response& res) {
    res.set_content(LogListJson(false), "application/json");
  });
  server_.Get(R"(/loglist-rfc6962\.json)", [this](const Request&, Response& res) {
    res.set_content(LogListJson(true), "application/json");
  });
  RegisterAdminRoutes();
}

void TestLogServer::RegisterAdminRoutes() {
  server_.Get("/admin/state", [this](const Request&, Response& res) {
    const auto [size, root] = corpus_->Head();
    nlohmann::json j;
    j["size"] = size;
    j["root"] = HexEncode(root);
    j["planted"] = corpus_->Manifest().size();
    j["rfc6962_log_id"] = Base64Encode(corpus_->rfc6962_signer().log_id());
    j["static_log_id"] = Base64Encode(corpus_->static_signer().log_id());
    j["static_origin"] = ctx_.static_origin;
    j["faults"] = faults_.StateJson();
    res.set_content(j.dump(), "application/json");
  });
  server_.Get("/admin/manifest", [this](const Request&, Response& res) {
    res.set_content(ManifestText(corpus_->Manifest()), "application/x-ndjson");
  });
  server_.Post("/admin/grow", [this](const Request& req, Response& res) {
    auto count = ParseDecimal(req.get_param_value("count"));
    if (!count || *count > kMaxGrowPerRequest) {
      return SetJsonError(&res, 400, "count must be 0.." + std::to_string(kMaxGrowPerRequest));
    }
    auto size = corpus_->Grow(*count);
    if (!size) return SetJsonError(&res, 500, size.error().ToString());
    res.set_content(nlohmann::json{{"size", *size}}.dump(), "application/json");
  });
  server_.Post("/admin/plant", [this](const Request& req, Response& res) {
    uint64_t malformed = 0;
    if (req.has_param("malformed")) {
      auto n = ParseDecimal(req.get_param_value("malformed"));
      if (!n || *n > kMaxPlantPerRequest) return SetJsonError(&res, 400, "bad malformed count");
      malformed = *n;
    }
    const auto sets = ParseNameLines(req.body);
    if (sets.size() > kMaxPlantPerRequest) return SetJsonError(&res, 400, "too many name sets");
    std::vector<ManifestRecord> records;
    if (!sets.empty()) {
      auto planted = corpus_->Plant(sets);
      if (!planted) return SetJsonError(&res, 400, planted.error().ToString());
      records = std::move(planted).value();
    }
    if (malformed > 0) {
      auto planted = corpus_->PlantMalformed(malformed);
      if (!planted) return SetJsonError(&res, 500, planted.error().ToString());
      records.insert(records.end(), planted->begin(), planted->end());
    }
    res.set_content(ManifestText(records), "application/x-ndjson");
  });
  server_.Post("/admin/fault", [this](const Request& req, Response& res) {
    auto spec = ParseFaultSpec(req.body);
    if (!spec) return SetJsonError(&res, 400, spec.error().message);
    faults_.Add(*spec);
    res.set_content(faults_.StateJson().dump(), "application/json");
  });
  server_.Post("/admin/reset-faults", [this](const Request&, Response& res) {
    faults_.Reset();
    res.set_content(faults_.StateJson().dump(), "application/json");
  });
}

Status TestLogServer::Start() {
  if (started_) return MakeError(ErrorCode::kFailedPrecondition, "already started");
  const size_t threads = static_cast<size_t>(std::max(options_.threads, 2));
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_payload_max_length(4u << 20);
  RegisterRoutes();
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.listen_host);
  } else {
    port_ = server_.bind_to_port(options_.listen_host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return MakeError(ErrorCode::kNetwork,
                     "cannot bind " + options_.listen_host + ":" + std::to_string(options_.port));
  }
  ctx_.static_origin = HostForUrl(options_.listen_host) + ":" + std::to_string(port_) + "/static";
  started_ = true;
  listen_thread_ = std::thread([this] { server_.listen_after_bind(); });
  // Stop() only works once the server runs: wait for it (bounded).
  for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (options_.grow_every_ms > 0 && options_.grow_count > 0) {
    grow_thread_ = std::thread([this] { GrowLoop(); });
  }
  return OkStatus();
}

void TestLogServer::GrowLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    if (stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.grow_every_ms),
                          [this] { return stopping_; })) {
      break;
    }
    lock.unlock();
    auto size = corpus_->Grow(options_.grow_count);
    if (!size) spdlog::warn("grow failed: {}", size.error().ToString());
    lock.lock();
  }
}

void TestLogServer::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (started_) server_.stop();
  if (listen_thread_.joinable()) listen_thread_.join();
  if (grow_thread_.joinable()) grow_thread_.join();
}

}  // namespace ctwatch::testlog
