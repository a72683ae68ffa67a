#include "acme/http01_solver.h"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "core/file.h"
#include "core/log.h"

namespace ctwatch {

constexpr std::string_view kChallengePath = "/.well-known/acme-challenge/";

Http01StandaloneSolver::Http01StandaloneSolver(std::string address, int port)
    : address_(std::move(address)), port_(port) {}

Http01StandaloneSolver::~Http01StandaloneSolver() {
  std::unique_ptr<httplib::Server> server;
  {
    std::lock_guard lock(mu_);
    server = std::move(server_);
  }
  if (server) server->stop();
  if (thread_.joinable()) thread_.join();
}

Status Http01StandaloneSolver::Start() {
  std::lock_guard lock(mu_);
  if (server_) return OkStatus();
  auto server = std::make_unique<httplib::Server>();
  server->set_keep_alive_max_count(4);
  server->set_tcp_nodelay(true);  // small answers: no Nagle delay against delayed ACKs
  server->set_read_timeout(5, 0);
  server->set_write_timeout(5, 0);
  server->set_payload_max_length(4096);
  server->Get(R"(/\.well-known/acme-challenge/([A-Za-z0-9_-]{1,256}))",
              [this](const httplib::Request& req, httplib::Response& res) {
                const std::string token = req.matches[1];
                std::string body;
                {
                  std::lock_guard inner(mu_);
                  auto it = responses_.find(token);
                  if (it == responses_.end()) {
                    res.status = 404;
                    return;
                  }
                  body = it->second;
                }
                res.set_content(body, "text/plain");
              });
  if (!server->bind_to_port(address_.c_str(), port_)) {
    return MakeError(ErrorCode::kIo, "http-01: cannot listen on " + address_ + ":" +
                                         std::to_string(port_) + ": " + std::strerror(errno));
  }
  httplib::Server* raw = server.get();
  thread_ = std::thread([raw] { raw->listen_after_bind(); });
  for (int i = 0; i < 2000 && !server->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_ = std::move(server);
  spdlog::info("http-01 responder listening on {}:{}", address_, port_);
  return OkStatus();
}

Status Http01StandaloneSolver::Present(const ChallengeTask& task) {
  if (!IsAcceptableToken(task.token)) return MakeError(ErrorCode::kInvalidArgument, "bad token");
  CTW_RETURN_IF_ERROR(Start());
  std::lock_guard lock(mu_);
  responses_[task.token] = task.key_authorization;
  return OkStatus();
}

Status Http01StandaloneSolver::CleanUp(const ChallengeTask& task) {
  std::lock_guard lock(mu_);
  responses_.erase(task.token);
  return OkStatus();
}

std::string Http01WebrootSolver::PathFor(const std::string& token) const {
  return (std::filesystem::path(webroot_) / ".well-known" / "acme-challenge" / token).string();
}

Status Http01WebrootSolver::Present(const ChallengeTask& task) {
  // The token becomes a file name: only base64url characters, so no path traversal.
  if (!IsAcceptableToken(task.token)) return MakeError(ErrorCode::kInvalidArgument, "bad token");
  const std::string path = PathFor(task.token);
  CTW_RETURN_IF_ERROR(MakeDirs(std::filesystem::path(path).parent_path().string(), 0755));
  return WriteFileAtomic(path, task.key_authorization, 0644);
}

Status Http01WebrootSolver::CleanUp(const ChallengeTask& task) {
  if (!IsAcceptableToken(task.token)) return MakeError(ErrorCode::kInvalidArgument, "bad token");
  std::error_code ec;
  std::filesystem::remove(PathFor(task.token), ec);
  if (ec)
    return MakeError(ErrorCode::kIo, "cannot remove " + PathFor(task.token) + ": " + ec.message());
  return OkStatus();
}

}  // namespace ctwatch
