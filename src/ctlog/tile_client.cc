// TileClient: the read side of C2SP static-ct-api (checkpoint, tile/<L>/<N>, tile/data/<N>,
// issuer/<fingerprint>) and tlog-tiles partial tiles (.p/<W>, with a fallback to the full
// tile when the partial one is gone). Tiles may be gzip-compressed: libcurl decodes them
// when the server sends Content-Encoding; otherwise the gzip magic is detected here and the
// body inflated under the same size cap.
// Thread-safety: one instance per thread (see log_client.h).
#include <algorithm>
#include <string>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/gzip.h"
#include "core/sha256.h"
#include "ctlog/log_client.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxCheckpointBytes = 1u << 20;  // a note with many cosignatures is < 10 KB
constexpr size_t kMaxIssuerBytes = 1u << 20;      // one certificate
constexpr long kHttpNotFound = 404;

std::string EnsureSlash(std::string url) {
  if (url.empty() || url.back() != '/') url.push_back('/');
  return url;
}

}  // namespace

TileClient::TileClient(HttpClient* http, std::string monitoring_url, ClientLimits limits)
    : http_(http), monitoring_url_(EnsureSlash(std::move(monitoring_url))), limits_(limits) {}

Result<Bytes> TileClient::GetBytes(const std::string& path, size_t max_bytes, bool allow_not_found,
                                   bool* not_found) {
  HttpRequest request;
  request.url = monitoring_url_ + path;
  request.timeout_ms = limits_.timeout_ms;
  request.max_body_bytes = max_bytes;
  CTW_ASSIGN_OR_RETURN(HttpResponse response, http_->Send(request));
  if (not_found != nullptr) *not_found = false;
  if (allow_not_found && response.status == kHttpNotFound) {
    *not_found = true;
    return Bytes();
  }
  CTW_RETURN_IF_ERROR(CheckHttpStatus(response, request.url, SystemClock::Get()->NowMs()));
  if (response.body.size() > max_bytes) {
    return MakeError(ErrorCode::kResourceExhausted, request.url + ": response over the size cap");
  }
  const ByteView body = AsBytes(response.body);
  if (LooksGzipped(body)) {
    // Served compressed without Content-Encoding (a static bucket): inflate under the cap.
    Result<Bytes> inflated = Gunzip(body, max_bytes);
    if (!inflated) return std::move(inflated).error().WithContext(request.url);
    return inflated;
  }
  return ToBytes(body);
}

Result<std::string> TileClient::GetCheckpoint() {
  CTW_ASSIGN_OR_RETURN(
      Bytes body, GetBytes("checkpoint", std::min(limits_.max_response_bytes, kMaxCheckpointBytes),
                           false, nullptr));
  return ToString(body);
}

Result<Bytes> TileClient::GetTileWithFallback(const std::string& partial_path,
                                              const std::string& full_path, unsigned width,
                                              unsigned* served_width) {
  if (width == 0 || width > kTileWidth) {
    return MakeError(ErrorCode::kInvalidArgument, "tile width out of range");
  }
  bool not_found = false;
  const bool partial = width < kTileWidth;
  CTW_ASSIGN_OR_RETURN(Bytes tile, GetBytes(partial ? partial_path : full_path,
                                            limits_.max_response_bytes, partial, &not_found));
  if (not_found) {
    // tlog-tiles: a partial tile may be deleted once the full tile exists.
    width = kTileWidth;
    CTW_ASSIGN_OR_RETURN(tile, GetBytes(full_path, limits_.max_response_bytes, false, nullptr));
  }
  if (served_width != nullptr) *served_width = width;
  return tile;
}

Result<Bytes> TileClient::GetDataTile(uint64_t tile_index, unsigned width, unsigned* served_width) {
  if (width == 0 || width > kTileWidth) {
    return MakeError(ErrorCode::kInvalidArgument, "tile width out of range");
  }
  return GetTileWithFallback(DataTilePath(tile_index, width), DataTilePath(tile_index, kTileWidth),
                             width, served_width);
}

Result<Bytes> TileClient::GetHashTile(int level, uint64_t tile_index, unsigned width,
                                      unsigned* served_width) {
  if (width == 0 || width > kTileWidth || level < 0 || level > 63) {
    return MakeError(ErrorCode::kInvalidArgument, "hash tile level or width out of range");
  }
  unsigned got = 0;
  CTW_ASSIGN_OR_RETURN(Bytes tile,
                       GetTileWithFallback(TilePath(level, tile_index, width),
                                           TilePath(level, tile_index, kTileWidth), width, &got));
  if (tile.size() != size_t{got} * 32) {
    return MakeError(ErrorCode::kParse, TilePath(level, tile_index, got) + ": " +
                                            std::to_string(tile.size()) + " bytes, not a tile of " +
                                            std::to_string(got) + " hashes");
  }
  if (served_width != nullptr) *served_width = got;
  return tile;
}

Result<Bytes> TileClient::GetIssuer(const Sha256Hash& fingerprint) {
  const std::string path = "issuer/" + HexEncode(fingerprint);
  CTW_ASSIGN_OR_RETURN(
      Bytes cert,
      GetBytes(path, std::min(limits_.max_response_bytes, kMaxIssuerBytes), false, nullptr));
  if (Sha256(cert) != fingerprint) {
    return MakeError(ErrorCode::kVerification,
                     monitoring_url_ + path + ": certificate does not hash to its fingerprint");
  }
  return cert;
}

}  // namespace ctwatch
