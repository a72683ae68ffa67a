// FaultInjector: the misbehaviour the test log shows on request, so that a monitor's error
// paths can be tested against a real server. A fault applies to requests whose path starts
// with its path_prefix (every log path when empty; /admin/ is never affected) and to its next
// `count` uses (0 = until reset-faults). Kinds and what one use is:
//   status        a request answered with `status` (429/500/503...) and optional Retry-After
//   delay         a request delayed by delay_ms before it is answered (timeouts)
//   truncate      a body cut in half (Content-Length consistent), or with abort=true the full
//                 length announced and the connection dropped half way
//   cap_entries   a get-entries response capped at max_entries
//   bad_signature a tree head (get-sth or checkpoint) whose signature does not verify
//   split_view    a tree head correctly signed for tree_size (0 = current) with another root
//   corrupt_leaf  a response (get-entries, get-entry-and-proof, data tile) carrying leaf
//                 `index` with a changed timestamp, so its hash no longer fits the tree
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ctwatch::testlog {

enum class FaultKind {
  kStatus,
  kDelay,
  kTruncate,
  kCapEntries,
  kBadSignature,
  kSplitView,
  kCorruptLeaf,
};
constexpr size_t kFaultKindCount = 7;
const char* FaultKindName(FaultKind kind);

struct FaultSpec {
  FaultKind kind = FaultKind::kStatus;
  std::string path_prefix;
  uint64_t count = 1;
  int status = 503;
  int64_t retry_after_s = -1;  // no Retry-After header when negative
  int64_t delay_ms = 0;
  bool abort_connection = false;
  uint64_t max_entries = 0;
  uint64_t tree_size = 0;
  uint64_t leaf_index = 0;
};

// {"type": "status", "status": 503, "count": 2, "retry_after": 1, "path_prefix": "/rfc6962/"}
// Other fields: delay_ms, abort, max_entries, tree_size, index. Unknown fields are errors.
Result<FaultSpec> ParseFaultSpec(std::string_view json);

class FaultInjector {
 public:
  void Add(const FaultSpec& spec);
  void Reset();

  // Consumes one use of the first active fault of `kind` that matches `path`.
  std::optional<FaultSpec> Take(FaultKind kind, std::string_view path);
  // Consumes one use of every corrupt_leaf fault for an index in [begin, end) on `path`;
  // returns those indices.
  std::vector<uint64_t> TakeCorruptLeaves(std::string_view path, uint64_t begin, uint64_t end);

  // How many times faults of `kind` fired since the last reset.
  uint64_t fired(FaultKind kind) const;
  // {"active": [{type, path_prefix, remaining (null = unlimited), fired, ...}],
  //  "fired": {type: n}}
  nlohmann::json StateJson() const;

 private:
  struct Active {
    FaultSpec spec;
    uint64_t used = 0;
  };
  static bool Matches(const FaultSpec& spec, std::string_view path);
  void RetireExhaustedLocked();

  mutable std::mutex mu_;
  std::vector<Active> active_;                     // GUARDED_BY(mu_)
  std::array<uint64_t, kFaultKindCount> fired_{};  // GUARDED_BY(mu_)
};

}  // namespace ctwatch::testlog
