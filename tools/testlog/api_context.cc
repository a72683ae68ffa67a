// ApiContext helpers: see api_context.h. Thread-safety: stateless functions.
#include "testlog/api_context.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/byte_reader.h"
#include "core/sha256.h"

namespace ctwatch::testlog {

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

void SetJsonError(httplib::Response* res, int status, const std::string& message) {
  res->status = status;
  res->set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

EntryView CorruptedView(EntryView view) {
  view.timestamp_ms += 1;
  return view;
}

Result<SignedHead> MakeSignedHead(const ApiContext& ctx, const LogSigner& signer,
                                  std::string_view path) {
  SignedHead head;
  std::tie(head.tree_size, head.root) = ctx.corpus->Head();
  head.timestamp_ms = NowMs();
  if (auto split = ctx.faults->Take(FaultKind::kSplitView, path)) {
    // A head for a size the log has (had), correctly signed, over a root that is not the
    // log's: what a log showing different views to different clients would hand out.
    if (split->tree_size != 0 && split->tree_size <= head.tree_size) {
      head.tree_size = split->tree_size;
    }
    const Sha256Hash real = ctx.corpus->RootAt(head.tree_size);
    Bytes size_bytes;
    AppendUint(&size_bytes, head.tree_size, 8);
    head.root = Sha256({AsBytes("ctwatch-testlog split view"), size_bytes, real});
  }
  CTW_ASSIGN_OR_RETURN(head.signature,
                       signer.SignTreeHead(head.timestamp_ms, head.tree_size, head.root));
  if (ctx.faults->Take(FaultKind::kBadSignature, path)) CorruptDigitallySigned(&head.signature);
  return head;
}

}  // namespace ctwatch::testlog
