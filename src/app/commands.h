// The ctwatch subcommands. Each returns the process exit code: 0 success, 1 runtime failure,
// 2 usage or configuration error. Output for machines is JSON lines (--json).
// Thread-safety: called once from main.
#pragma once

#include <string>

namespace ctwatch {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct RunArgs {
  std::string config;
  bool once = false;
};
int RunCommand(const RunArgs& args);

struct ListArgs {
  std::string config;
  bool json = false;
  std::string name;   // certs --name
  std::string kind;   // findings --kind
  size_t limit = 1000;
};
int LogsCommand(const ListArgs& args);
int CertsCommand(const ListArgs& args);
int FindingsCommand(const ListArgs& args);

}  // namespace ctwatch
