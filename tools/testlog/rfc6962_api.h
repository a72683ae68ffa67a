// The RFC 6962 §4 API of the test log under <prefix>ct/v1/: get-sth, get-entries (end
// inclusive, capped at max_get_entries like real logs), get-sth-consistency,
// get-proof-by-hash, get-entry-and-proof and get-roots. Errors are 400 (bad or impossible
// parameters) or 404 (unknown leaf hash) with a JSON {"error": ...} body.
// Thread-safety: the handlers only read the ApiContext; safe on httplib's thread pool.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>

#include "testlog/api_context.h"

namespace ctwatch::testlog {

using HandlerWrapper = std::function<httplib::Server::Handler(httplib::Server::Handler)>;

// Registers the handlers for paths starting with `prefix` (e.g. "/rfc6962/"); `wrap` adds
// the request-level faults around each handler.
void RegisterRfc6962Api(httplib::Server* server, const ApiContext* ctx, const std::string& prefix,
                        const HandlerWrapper& wrap);

}  // namespace ctwatch::testlog
