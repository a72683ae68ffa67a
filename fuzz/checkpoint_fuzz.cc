// libFuzzer target for ctlog/checkpoint (C2SP signed-note + tlog-checkpoint +
// RFC6962NoteSignature). The origin is taken from the input's first line so that mutations get
// past the origin check. Properties checked on every input that parses:
//  1. origin, size and root re-serialise to the first three lines of the note;
//  2. the log's signature line, re-encoded from the parsed fields, is a line of the note;
//  3. the head's signature is a well-formed DigitallySigned;
//  4. VerifyCheckpoint succeeds only where ParseCheckpoint does, with the same head.
// Seeds: fuzz/corpus/checkpoint/, copies of tests/data/sth (provenance in its NOTICE.md).
// Thread-safety: libFuzzer calls it from one thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/encoding.h"
#include "ctlog/checkpoint.h"

namespace {

using namespace ctwatch;  // NOLINT(google-build-using-namespace): a fuzz driver

constexpr std::string_view kRomeOrigin = "rome2026h1.example.org";
// The key of the synthetic Sunlight log rome2026h1 (tests/data/sth/static-ct-api).
constexpr std::string_view kRomeKey =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPIcer7RB32jt4bTEbhgUKLKvOctFD+I2hoDItFxUBlJiGFvftBuRk3fO"
    "7e1T7gC2ekyfL7XoO2oN/ObcZyc4EA==";
// Let's Encrypt Sycamore 2024h2, whose key is not public: parsing only.
constexpr std::string_view kSycamoreLogId = "SU2QSbivPlrKupk+TB8wVnN6qfltAPewubJRBve+Go8=";

const LogVerifier& RomeVerifier() {
  static const LogVerifier verifier = LogVerifier::FromSpki(*Base64Decode(kRomeKey)).value();
  return verifier;
}

const Sha256Hash& SycamoreLogId() {
  static const Sha256Hash id = [] {
    Sha256Hash h{};
    const Bytes b = *Base64Decode(kSycamoreLogId);
    std::copy(b.begin(), b.end(), h.begin());
    return h;
  }();
  return id;
}

void Check(bool property) {
  if (!property) __builtin_trap();
}

bool SameHead(const SignedTreeHead& a, const SignedTreeHead& b) {
  return a.tree_size == b.tree_size && a.timestamp_ms == b.timestamp_ms && a.root == b.root &&
         a.signature == b.signature;
}

void CheckParsed(std::string_view note, const Checkpoint& cp, const Sha256Hash& log_id) {
  // 1. The body's first three lines.
  const std::string body = cp.origin + "\n" + std::to_string(cp.head.tree_size) + "\n" +
                           Base64Encode(cp.head.root) + "\n";
  Check(note.substr(0, body.size()) == body);
  // 2. The log's own signature line.
  Bytes blob;
  const auto key_id = CheckpointKeyId(cp.origin, log_id);
  blob.insert(blob.end(), key_id.begin(), key_id.end());
  AppendUint(&blob, cp.head.timestamp_ms, 8);
  blob.insert(blob.end(), cp.head.signature.begin(), cp.head.signature.end());
  const std::string line = "\n\xE2\x80\x94 " + cp.origin + " " + Base64Encode(blob) + "\n";
  Check(note.find(line) != std::string_view::npos);
  // 3. The signature struct.
  Check(ParseDigitallySigned(cp.head.signature).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view note(reinterpret_cast<const char*>(data), size);
  const std::string_view origin = note.substr(0, note.find('\n'));
  const bool rome = origin == kRomeOrigin;
  const Sha256Hash& log_id = rome ? RomeVerifier().log_id() : SycamoreLogId();

  const Result<Checkpoint> parsed = ParseCheckpoint(note, origin, log_id);
  if (parsed.has_value()) CheckParsed(note, parsed.value(), log_id);

  // 4. Verification implies parsing, with identical fields.
  const Result<Checkpoint> verified = VerifyCheckpoint(note, origin, RomeVerifier());
  if (verified.has_value()) {
    Check(rome && parsed.has_value());
    Check(SameHead(verified->head, parsed->head) && verified->origin == parsed->origin);
  }
  return 0;
}
