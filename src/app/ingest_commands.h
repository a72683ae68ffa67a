// The ingestion commands behind RegisterIngestCommands.
#pragma once

#include <cstddef>
#include <string>

namespace ctwatch {

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
