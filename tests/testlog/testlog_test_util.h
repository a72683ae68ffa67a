// Helpers for the test log server tests: start a TestLogServer in process on 127.0.0.1 with
// port 0, and small blocking HTTP calls against it.
// Thread-safety: test-only helpers; each call uses its own client.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "subprocess.h"
#include "test_util.h"
#include "testlog/test_log_server.h"

namespace ctwatch::testlog::testing {

struct Fetched {
  int status = -1;  // -1: transport error (connection dropped, timeout)
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline ServerOptions SmallOptions(uint64_t size = 1000) {
  ServerOptions options;
  options.corpus.initial_size = size;
  options.corpus.pool_size = 48;
  options.corpus.seed = 7;
  options.corpus.planted = {{"login.planted-bank.example", "www.planted-bank.example"},
                            {"vpn.planted-bank.example"}};
  options.corpus.planted_malformed = 1;
  options.threads = 8;
  return options;
}

inline std::unique_ptr<TestLogServer> StartServer(const ServerOptions& options) {
  auto server = TestLogServer::Create(options);
  if (!server.has_value()) {
    ADD_FAILURE() << server.error().ToString();
    return nullptr;
  }
  auto st = (*server)->Start();
  if (!st.has_value()) {
    ADD_FAILURE() << st.error().ToString();
    return nullptr;
  }
  return std::move(server).value();
}

inline Fetched Get(int port, const std::string& path, const httplib::Headers& headers = {},
                   int read_timeout_ms = 10000) {
  httplib::Client client("127.0.0.1", port);
  client.set_decompress(false);
  client.set_read_timeout(read_timeout_ms / 1000, (read_timeout_ms % 1000) * 1000);
  httplib::Headers h = headers;
  if (h.find("Accept-Encoding") == h.end()) h.emplace("Accept-Encoding", "identity");
  Fetched out;
  auto res = client.Get(path.c_str(), h);
  if (!res) return out;
  out.status = res->status;
  out.body = res->body;
  out.headers = res->headers;
  return out;
}

inline Fetched Post(int port, const std::string& path, const std::string& body,
                    const std::string& content_type = "text/plain") {
  httplib::Client client("127.0.0.1", port);
  Fetched out;
  auto res = client.Post(path.c_str(), body, content_type.c_str());
  if (!res) return out;
  out.status = res->status;
  out.body = res->body;
  out.headers = res->headers;
  return out;
}

using ::ctwatch::testing::Lines;

}  // namespace ctwatch::testlog::testing
