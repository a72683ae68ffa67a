// Loads the CT log list named by the config: from a file or an https URL, with its signature
// (log_list.sig, RSA with Google's log-list key) checked when one is configured. When the list
// cannot be read or verified, the bundled snapshot (fallback_list) is used with a warning.
// Thread-safety: pure function over its arguments.
#pragma once

#include <string>

#include "core/http.h"
#include "ctlog/log_list.h"

namespace ctwatch {

struct LoadedLogList {
  LogList list;
  std::string source;          // where it came from
  bool signature_verified = false;
  bool fallback = false;       // the bundled snapshot was used
};

struct LogListLocation {
  std::string list;       // file or URL
  std::string signature;  // file or URL of log_list.sig; empty = not checked
  std::string key;        // PEM file of the signing key
  std::string fallback;   // bundled snapshot (its signature, if shipped, is fallback + ".sig")
};

Result<LoadedLogList> LoadLogList(const LogListLocation& where, HttpClient* http);

}  // namespace ctwatch
