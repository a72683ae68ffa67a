// ApiContext: what the RFC 6962 and static-ct-api handlers of the test log share (the
// corpus, the faults, limits) and the tree heads both APIs sign, with the bad_signature and
// split_view faults applied where a head is made.
// Thread-safety: ApiContext is read-only after the server starts (its pointees are
// thread-safe); the functions are safe from any handler thread.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "testlog/corpus.h"
#include "testlog/faults.h"

namespace ctwatch::testlog {

struct ApiContext {
  Corpus* corpus = nullptr;
  FaultInjector* faults = nullptr;
  uint64_t max_get_entries = 256;
  bool gzip_tiles_without_header = false;
  std::string static_origin;  // "127.0.0.1:PORT/static", set once the port is known
};

struct SignedHead {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  Sha256Hash root{};
  Bytes signature;  // DigitallySigned
};

// The current head signed by `signer` at now, or a faulty one when a bad_signature or
// split_view fault for `path` fires.
Result<SignedHead> MakeSignedHead(const ApiContext& ctx, const LogSigner& signer,
                                  std::string_view path);

uint64_t NowMs();
// A decimal uint64 with nothing else around it.
std::optional<uint64_t> ParseDecimal(std::string_view text);
// Sets a JSON error body {"error": message} with `status`.
void SetJsonError(httplib::Response* res, int status, const std::string& message);
// A leaf changed the way the corrupt_leaf fault does it.
EntryView CorruptedView(EntryView view);

}  // namespace ctwatch::testlog
