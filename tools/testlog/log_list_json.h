// Chrome v3 log lists (REFERENCE.md §3) naming the test log's two logs: the RFC 6962 one in
// `logs` (url = <base>rfc6962/) and the static-ct-api one in `tiled_logs` (submission and
// monitoring url = <base>static/), both usable, mmd 86400, log_id = base64 SHA-256 of the key.
// certspotter 0.16 reads v3 lists but knows only RFC 6962: give it the list without tiled logs.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "testlog/log_signer.h"

namespace ctwatch::testlog {

// `base_url` is "http://127.0.0.1:PORT/".
std::string MakeLogListJson(const LogSigner& rfc6962, const LogSigner& static_log,
                            const std::string& base_url, bool include_static);

}  // namespace ctwatch::testlog
