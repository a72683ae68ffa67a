// The C2SP static-ct-api monitoring endpoints of the test log under a prefix (e.g.
// "/static/"): `checkpoint` (a signed note with an RFC6962NoteSignature line for the log and
// a foreign cosignature line that clients must ignore), hash tiles `tile/<L>/<N>[.p/<W>]`,
// data tiles `tile/data/<N>[.p/<W>]` (gzip with Content-Encoding when the client accepts it,
// or always gzip without the header when ApiContext::gzip_tiles_without_header), and
// `issuer/<hex sha256>`. Tile paths must be canonical (tlog-tiles); others are 404.
// Thread-safety: the handlers only read the ApiContext; safe on httplib's thread pool.
#pragma once

#include <httplib.h>

#include <string>

#include "testlog/api_context.h"
#include "testlog/rfc6962_api.h"

namespace ctwatch::testlog {

void RegisterStaticApi(httplib::Server* server, const ApiContext* ctx, const std::string& prefix,
                       const HandlerWrapper& wrap);

// The checkpoint note text for a head (exposed for tests).
std::string CheckpointNote(const std::string& origin, const SignedHead& head,
                           const Sha256Hash& log_id);

// Tile coordinates of a path below "tile/" ("0/x001/234.p/7", "data/005"); nullopt when the
// path is not canonical.
struct TileRef {
  bool data = false;
  int level = 0;
  uint64_t index = 0;
  unsigned width = 256;
};
std::optional<TileRef> ParseTilePath(const std::string& path_after_tile);

Result<Bytes> GzipCompress(ByteView data);

}  // namespace ctwatch::testlog
