// static-ct-api handlers: see static_api.h. Thread-safety: read-only use of the context.
#include "testlog/static_api.h"

#include <zlib.h>

#include <sstream>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/sha256.h"
#include "ctlog/checkpoint.h"
#include "ctlog/entry.h"

namespace ctwatch::testlog {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kEmDash = "\xe2\x80\x94";
constexpr const char* kForeignWitness = "witness.ctwatch-testlog.invalid";

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) out.push_back(part);
  if (!text.empty() && text.back() == sep) out.emplace_back();
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void GetCheckpoint(const ApiContext& ctx, const Request& req, Response& res) {
  auto head = MakeSignedHead(ctx, ctx.corpus->static_signer(), req.path);
  if (!head) return SetJsonError(&res, 500, head.error().ToString());
  res.set_content(CheckpointNote(ctx.static_origin, *head, ctx.corpus->static_signer().log_id()),
                  "text/plain; charset=utf-8");
}

void SendTile(const ApiContext& ctx, const Request& req, Response& res, Bytes tile) {
  const bool accepts_gzip =
      req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
  if (ctx.gzip_tiles_without_header || accepts_gzip) {
    auto gz = GzipCompress(tile);
    if (!gz) return SetJsonError(&res, 500, gz.error().ToString());
    if (!ctx.gzip_tiles_without_header) res.set_header("Content-Encoding", "gzip");
    tile = std::move(gz).value();
  }
  res.set_content(std::string(AsChars(tile)), "application/octet-stream");
}

void GetTile(const ApiContext& ctx, const Request& req, Response& res) {
  auto ref = ParseTilePath(req.matches[1].str());
  if (!ref || ref->index > (UINT64_MAX >> 8)) {
    return SetJsonError(&res, 404, "not a canonical tile path");
  }
  const uint64_t first = ref->index * kTileWidth;
  if (ref->data) {
    const uint64_t end = first + ref->width;
    if (end > ctx.corpus->size()) return SetJsonError(&res, 404, "tile does not exist (yet)");
    std::vector<EntryView> views = ctx.corpus->Entries(first, end);
    for (uint64_t index : ctx.faults->TakeCorruptLeaves(req.path, first, end)) {
      views[index - first] = CorruptedView(views[index - first]);
    }
    Bytes tile;
    tile.reserve(views.size() * 1200);
    for (const EntryView& view : views) view.AppendTileLeaf(&tile);
    // Data tiles are served compressed the way real logs (and their CDNs) do.
    return SendTile(ctx, req, res, std::move(tile));
  }
  std::vector<Sha256Hash> nodes = ctx.corpus->Nodes(8 * ref->level, first, first + ref->width);
  if (nodes.empty()) return SetJsonError(&res, 404, "tile does not exist (yet)");
  Bytes tile;
  tile.reserve(nodes.size() * 32);
  for (const Sha256Hash& h : nodes) tile.insert(tile.end(), h.begin(), h.end());
  res.set_content(std::string(AsChars(tile)), "application/octet-stream");
}

void GetIssuer(const ApiContext& ctx, const Request& req, Response& res) {
  const std::string hex = req.matches[1].str();
  for (const Bytes* cert : ctx.corpus->Issuers()) {
    if (HexEncode(Sha256(*cert)) == hex) {
      res.set_content(std::string(AsChars(*cert)), "application/pkix-cert");
      return;
    }
  }
  SetJsonError(&res, 404, "unknown issuer");
}

}  // namespace

std::optional<TileRef> ParseTilePath(const std::string& path_after_tile) {
  std::vector<std::string> segs = Split(path_after_tile, '/');
  if (segs.size() < 2) return std::nullopt;
  TileRef ref;
  if (segs[0] == "data") {
    ref.data = true;
  } else if (segs[0].size() == 1 && AllDigits(segs[0])) {
    ref.level = segs[0][0] - '0';
    if (ref.level > 7) return std::nullopt;
  } else {
    return std::nullopt;
  }
  size_t n_end = segs.size();
  if (segs.size() >= 3 && segs[segs.size() - 2].ends_with(".p")) {
    auto width = ParseDecimal(segs.back());
    if (!width || *width == 0 || *width >= kTileWidth) return std::nullopt;
    ref.width = static_cast<unsigned>(*width);
    segs[segs.size() - 2].resize(segs[segs.size() - 2].size() - 2);
    n_end = segs.size() - 1;
  }
  uint64_t index = 0;
  for (size_t i = 1; i < n_end; ++i) {
    std::string_view seg = segs[i];
    if (i + 1 < n_end) {
      if (!seg.starts_with('x')) return std::nullopt;
      seg.remove_prefix(1);
    }
    if (seg.size() != 3 || !AllDigits(seg)) return std::nullopt;
    if (index > UINT64_MAX / 1000) return std::nullopt;
    index = index * 1000 + static_cast<uint64_t>(std::stoi(std::string(seg)));
  }
  ref.index = index;
  const std::string canonical =
      ref.data ? DataTilePath(ref.index, ref.width) : TilePath(ref.level, ref.index, ref.width);
  if (canonical != "tile/" + path_after_tile) return std::nullopt;
  return ref;
}

std::string CheckpointNote(const std::string& origin, const SignedHead& head,
                           const Sha256Hash& log_id) {
  std::string note =
      origin + "\n" + std::to_string(head.tree_size) + "\n" + Base64Encode(head.root) + "\n\n";
  // A witness cosignature (cosignature/v1 shape: key id, timestamp, Ed25519 signature) that
  // is not the log's: clients must skip it. It comes first on purpose.
  Bytes foreign;
  const Sha256Hash seed = Sha256(AsBytes(origin + "|" + std::to_string(head.tree_size)));
  foreign.insert(foreign.end(), seed.begin(), seed.begin() + 4);
  AppendUint(&foreign, head.timestamp_ms / 1000, 8);
  for (int i = 0; i < 2; ++i) foreign.insert(foreign.end(), seed.begin(), seed.end());
  note += std::string(kEmDash) + " " + kForeignWitness + " " + Base64Encode(foreign) + "\n";
  // RFC6962NoteSignature: key_id[4] || timestamp u64 || TreeHeadSignature (DigitallySigned).
  Bytes sig;
  const auto key_id = CheckpointKeyId(origin, log_id);
  sig.insert(sig.end(), key_id.begin(), key_id.end());
  AppendUint(&sig, head.timestamp_ms, 8);
  sig.insert(sig.end(), head.signature.begin(), head.signature.end());
  note += std::string(kEmDash) + " " + origin + " " + Base64Encode(sig) + "\n";
  return note;
}

Result<Bytes> GzipCompress(ByteView data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return MakeError(ErrorCode::kInternal, "deflateInit2 failed");
  }
  Bytes out(deflateBound(&zs, data.size()) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return MakeError(ErrorCode::kInternal, "deflate failed");
  out.resize(produced);
  return out;
}

void RegisterStaticApi(httplib::Server* server, const ApiContext* ctx, const std::string& prefix,
                       const HandlerWrapper& wrap) {
  server->Get(prefix + "checkpoint",
              wrap([ctx](const Request& req, Response& res) { GetCheckpoint(*ctx, req, res); }));
  server->Get(prefix + "tile/(.+)",
              wrap([ctx](const Request& req, Response& res) { GetTile(*ctx, req, res); }));
  server->Get(prefix + "issuer/([0-9a-f]{64})",
              wrap([ctx](const Request& req, Response& res) { GetIssuer(*ctx, req, res); }));
}

}  // namespace ctwatch::testlog
