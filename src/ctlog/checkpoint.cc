// static-ct-api checkpoints: C2SP signed-note + tlog-checkpoint, with the log's signature as a
// RFC6962NoteSignature (C2SP static-ct-api "Checkpoints").
// Thread-safety: pure functions.
#include "ctlog/checkpoint.h"

#include <optional>
#include <vector>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxNoteBytes = size_t{16} * 1024;
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr size_t kMaxSizeDigits = 20;                           // 18446744073709551615

Error Malformed(const std::string& why) {
  return MakeError(ErrorCode::kParse, "checkpoint: " + why);
}

// signed-note: the text is UTF-8 without control characters other than newline.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp >= 0x80 && cp <= 0x9F) return false;  // C1 controls
    i += len;
  }
  return true;
}

// tlog-checkpoint: the size is ASCII decimal without leading zeros.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > kMaxSizeDigits || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

// Splits "a\nb\n" into {"a", "b"}; the caller has checked that the text ends in '\n'.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// signed-note key names are non-empty and contain no spaces or '+'.
bool IsValidKeyName(std::string_view name) {
  return !name.empty() && name.find_first_of(" +") == std::string_view::npos;
}

// The log's line: key_id[4] || uint64 timestamp || DigitallySigned (RFC6962NoteSignature).
Status ParseLogSignature(ByteView blob, SignedTreeHead* head) {
  ByteReader r(blob);
  uint64_t timestamp;
  if (!r.Skip(4) || !r.ReadU64(&timestamp)) return Malformed("log signature is truncated");
  auto ds = ParseDigitallySigned(r.rest());
  if (!ds) return ds.error().WithContext("checkpoint: log signature");
  head->timestamp_ms = timestamp;
  head->signature = ToBytes(r.rest());
  return OkStatus();
}

}  // namespace

std::array<uint8_t, 4> CheckpointKeyId(std::string_view origin, const Sha256Hash& log_id) {
  constexpr uint8_t kSeparator[2] = {0x0A, 0x05};  // newline, then signature type 0x05
  const Sha256Hash h = Sha256({AsBytes(origin), ByteView(kSeparator), ByteView(log_id)});
  return {h[0], h[1], h[2], h[3]};
}

Result<Checkpoint> ParseCheckpoint(std::string_view note, std::string_view origin,
                                   const Sha256Hash& log_id) {
  if (note.size() > kMaxNoteBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "checkpoint: " + std::to_string(note.size()) + " bytes");
  }
  if (note.empty() || note.back() != '\n') return Malformed("does not end in a newline");
  if (!IsCleanUtf8(note)) return Malformed("not UTF-8 text without control characters");
  const std::vector<std::string_view> lines = SplitLines(note);

  // signed-note: non-empty text lines, one blank line, then one or more signature lines.
  size_t blank = 0;
  while (blank < lines.size() && !lines[blank].empty()) ++blank;
  if (blank == lines.size()) return Malformed("no blank line before the signatures");
  if (blank + 1 == lines.size()) return Malformed("no signature lines");

  // tlog-checkpoint body: origin, size, base64 root, then optional extension lines.
  if (blank < 3) return Malformed("body has " + std::to_string(blank) + " lines, needs 3");
  Checkpoint out;
  out.origin = std::string(lines[0]);
  if (out.origin != origin) {
    return MakeError(ErrorCode::kVerification, "checkpoint: origin '" + out.origin + "' is not '" +
                                                   std::string(origin) + "'");
  }
  const std::optional<uint64_t> size = ParseDecimal(lines[1]);
  if (!size) return Malformed("tree size is not canonical decimal");
  out.head.tree_size = *size;
  const std::optional<Bytes> root = Base64Decode(lines[2]);
  if (!root) return Malformed("root hash is not base64");
  if (root->size() != out.head.root.size()) {
    return Malformed("root hash has " + std::to_string(root->size()) + " bytes, not 32");
  }
  std::copy(root->begin(), root->end(), out.head.root.begin());

  // Signature lines: "— <name> <base64>". Only the log's own line (its name is the origin and
  // its key id matches) is decoded; other lines (witness cosignatures, grease) are skipped.
  const std::array<uint8_t, 4> key_id = CheckpointKeyId(origin, log_id);
  bool found = false;
  for (size_t i = blank + 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.starts_with(kSignaturePrefix)) {
      return Malformed("signature line " + std::to_string(i - blank) +
                       " does not start with an em dash");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    if (!IsValidKeyName(name)) {
      return Malformed("signature line " + std::to_string(i - blank) + " has a bad key name");
    }
    if (space == std::string_view::npos) {
      // A name without a signature: tolerated for other signers (certspotter does the same),
      // never for the log itself.
      if (name == origin) return Malformed("the log's signature line has no signature");
      continue;
    }
    const std::optional<Bytes> blob = Base64Decode(line.substr(space + 1));
    if (!blob || blob->size() < 5) {
      return Malformed("signature line " + std::to_string(i - blank) + " has a bad signature");
    }
    if (name != origin || !std::equal(key_id.begin(), key_id.end(), blob->begin())) continue;
    if (found) return Malformed("two signature lines of the log");
    CTW_RETURN_IF_ERROR(ParseLogSignature(*blob, &out.head));
    found = true;
  }
  if (!found) {
    return MakeError(ErrorCode::kVerification, "checkpoint: no signature line of the log");
  }
  return out;
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    const LogVerifier& verifier) {
  CTW_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(note, origin, verifier.log_id()));
  auto status = verifier.VerifyTreeHead(checkpoint.head);
  if (!status) return status.error().WithContext("checkpoint");
  return checkpoint;
}

}  // namespace ctwatch
