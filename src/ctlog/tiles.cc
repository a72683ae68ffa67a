// tlog-tiles paths (C2SP tlog-tiles §"Merkle Tree", static-ct-api §"Log entries"):
// "tile/<L>/<N>[.p/<W>]" and "tile/data/<N>[.p/<W>]", where N is written in groups of three
// decimal digits, all but the last prefixed with 'x' (1234067 -> x001/x234/067).
// Thread-safety: pure functions.
#include <cassert>
#include <string>

#include "ctlog/entry.h"

namespace ctwatch {
namespace {

void AppendGroup(std::string* out, unsigned group) {
  out->push_back(static_cast<char>('0' + group / 100));
  out->push_back(static_cast<char>('0' + group / 10 % 10));
  out->push_back(static_cast<char>('0' + group % 10));
}

std::string TileSuffix(uint64_t tile_index, unsigned width) {
  assert(width >= 1 && width <= kTileWidth);
  unsigned groups[7];  // 2^64 has 20 decimal digits: at most 7 groups
  int count = 0;
  do {
    groups[count++] = static_cast<unsigned>(tile_index % 1000);
    tile_index /= 1000;
  } while (tile_index != 0);
  std::string out;
  for (int i = count - 1; i > 0; --i) {
    out.push_back('x');
    AppendGroup(&out, groups[i]);
    out.push_back('/');
  }
  AppendGroup(&out, groups[0]);
  if (width < kTileWidth) out += ".p/" + std::to_string(width);
  return out;
}

}  // namespace

std::string TilePath(int level, uint64_t tile_index, unsigned width) {
  assert(level >= 0 && level < 64);
  return "tile/" + std::to_string(level) + "/" + TileSuffix(tile_index, width);
}

std::string DataTilePath(uint64_t tile_index, unsigned width) {
  return "tile/data/" + TileSuffix(tile_index, width);
}

}  // namespace ctwatch
