// Test harness: a real BIND 9 `named` (Debian bind9) on 127.0.0.1 with a free port, started by
// the test with throwaway primary zones that accept RFC 2136 updates signed with a TSIG key
// made by `tsig-keygen` (hmac-sha256). Each zone gets an SOA, one NS (ns1.<zone>, A 127.0.0.1)
// and the extra records given. named runs in the foreground with PR_SET_PDEATHSIG, no control
// channel and no recursion; it is killed when the BindServer goes away.
// Thread-safety: for the test's main thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctwatch::testing {

struct BindZone {
  std::string name;     // "example.test"
  std::string records;  // extra zone-file lines, relative to the zone
};

class BindServer {
 public:
  static Result<std::unique_ptr<BindServer>> Start(const std::vector<BindZone>& zones);
  ~BindServer();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& key_name() const { return key_name_; }
  const std::string& key_file() const { return key_file_; }  // as tsig-keygen wrote it
  const std::string& key_secret() const { return key_secret_; }
  const std::string& dir() const { return dir_; }

 private:
  BindServer() = default;
  std::string dir_, key_name_, key_file_, key_secret_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace ctwatch::testing
