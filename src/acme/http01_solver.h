// HTTP-01 (RFC 8555 §8.3): the CA fetches http://<name>/.well-known/acme-challenge/<token> and
// expects the key authorization. Two ways to answer:
// - Http01StandaloneSolver: a built-in cpp-httplib server on a configurable address and port
//   (default 127.0.0.1:80), started on the first Present and stopped when the solver is
//   destroyed; it answers only tokens currently presented, with text/plain.
// - Http01WebrootSolver: writes <webroot>/.well-known/acme-challenge/<token> (mode 0644) for an
//   existing web server to serve, and removes it on CleanUp.
// Thread-safety: both are safe to share between order threads (the token map is locked).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "acme/challenge_solver.h"

namespace httplib {
class Server;
}

namespace ctwatch {

class Http01StandaloneSolver final : public ChallengeSolver {
 public:
  Http01StandaloneSolver(std::string address, int port);
  ~Http01StandaloneSolver() override;
  Http01StandaloneSolver(const Http01StandaloneSolver&) = delete;
  Http01StandaloneSolver& operator=(const Http01StandaloneSolver&) = delete;

  std::string_view type() const override { return "http-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;

  // Binds now (Present does it on demand); fails when the port is taken.
  Status Start();

 private:
  std::string address_;
  int port_;
  std::mutex mu_;
  std::map<std::string, std::string> responses_;  // token → key authorization; GUARDED_BY(mu_)
  std::unique_ptr<httplib::Server> server_;       // GUARDED_BY(mu_) for start/stop
  std::thread thread_;
};

class Http01WebrootSolver final : public ChallengeSolver {
 public:
  explicit Http01WebrootSolver(std::string webroot) : webroot_(std::move(webroot)) {}
  std::string_view type() const override { return "http-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;

 private:
  std::string PathFor(const std::string& token) const;
  std::string webroot_;
};

}  // namespace ctwatch
