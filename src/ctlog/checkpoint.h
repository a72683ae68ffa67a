// static-ct-api checkpoints: a C2SP signed-note whose body is a tlog-checkpoint
// ("origin\nsize\nbase64 root\n[extension lines]") and whose signature lines are
// "— <name> base64(key_id[4] || timestamp u64 || DigitallySigned)" (C2SP static-ct-api
// §checkpoints, RFC6962NoteSignature). key_id = SHA-256(name || 0x0A || 0x05 || log_id)[:4].
// Signature lines with another name or key id are ignored (witness cosignatures, grease).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "ctlog/tree_head.h"

namespace ctwatch {

struct Checkpoint {
  std::string origin;
  SignedTreeHead head;  // tree_size, root, timestamp and signature from the log's own line
};

// Parses the note and extracts the log's signature line (chosen by `origin` and the key id
// derived from `log_id`), without verifying the signature. Fails when the note is malformed
// or carries no line of the log.
Result<Checkpoint> ParseCheckpoint(std::string_view note, std::string_view origin,
                                   const Sha256Hash& log_id);

// ParseCheckpoint, then verification of the log's signature over the tree head.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    const LogVerifier& verifier);

// The key id a log's signature line must carry.
std::array<uint8_t, 4> CheckpointKeyId(std::string_view origin, const Sha256Hash& log_id);

}  // namespace ctwatch
