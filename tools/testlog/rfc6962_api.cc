// RFC 6962 §4 handlers: see rfc6962_api.h. Thread-safety: read-only use of the context.
#include "testlog/rfc6962_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace ctwatch::testlog {
namespace {

using httplib::Request;
using httplib::Response;

// A required decimal query parameter; sets a 400 and returns nullopt when it is missing or bad.
std::optional<uint64_t> RequireParam(const Request& req, Response* res, const char* name) {
  if (!req.has_param(name)) {
    SetJsonError(res, 400, std::string("missing parameter ") + name);
    return std::nullopt;
  }
  auto value = ParseDecimal(req.get_param_value(name));
  if (!value) SetJsonError(res, 400, std::string("bad parameter ") + name);
  return value;
}

nlohmann::json HashArray(const std::vector<Sha256Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Sha256Hash& h : hashes) out.push_back(Base64Encode(h));
  return out;
}

void AppendEntryJson(std::string* out, const EntryView& view) {
  out->append("{\"leaf_input\":\"");
  out->append(Base64Encode(view.MerkleTreeLeaf()));
  out->append("\",\"extra_data\":\"");
  out->append(view.content->extra_data_b64);
  out->append("\"}");
}

void GetSth(const ApiContext& ctx, const Request& req, Response& res) {
  auto head = MakeSignedHead(ctx, ctx.corpus->rfc6962_signer(), req.path);
  if (!head) return SetJsonError(&res, 500, head.error().ToString());
  nlohmann::json j;
  j["tree_size"] = head->tree_size;
  j["timestamp"] = head->timestamp_ms;
  j["sha256_root_hash"] = Base64Encode(head->root);
  j["tree_head_signature"] = Base64Encode(head->signature);
  res.set_content(j.dump(), "application/json");
}

void GetEntries(const ApiContext& ctx, const Request& req, Response& res) {
  auto start = RequireParam(req, &res, "start");
  if (!start) return;
  auto end = RequireParam(req, &res, "end");
  if (!end) return;
  const uint64_t size = ctx.corpus->size();
  if (*start > *end) return SetJsonError(&res, 400, "start > end");
  if (*start >= size) return SetJsonError(&res, 400, "start beyond the tree size");
  uint64_t cap = ctx.max_get_entries;
  if (auto fault = ctx.faults->Take(FaultKind::kCapEntries, req.path)) {
    cap = std::min(cap, fault->max_entries);
  }
  const uint64_t last = std::min({*end, size - 1, *start + cap - 1});
  std::vector<EntryView> views = ctx.corpus->Entries(*start, last + 1);
  for (uint64_t index : ctx.faults->TakeCorruptLeaves(req.path, *start, last + 1)) {
    views[index - *start] = CorruptedView(views[index - *start]);
  }
  std::string body;
  body.reserve(views.size() * 2048);
  body.append("{\"entries\":[");
  for (size_t i = 0; i < views.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendEntryJson(&body, views[i]);
  }
  body.append("]}");
  res.set_content(std::move(body), "application/json");
}

void GetSthConsistency(const ApiContext& ctx, const Request& req, Response& res) {
  auto first = RequireParam(req, &res, "first");
  if (!first) return;
  auto second = RequireParam(req, &res, "second");
  if (!second) return;
  if (*first > *second) return SetJsonError(&res, 400, "first > second");
  if (*second > ctx.corpus->size()) return SetJsonError(&res, 400, "second beyond the tree");
  std::vector<Sha256Hash> proof;
  if (*first > 0 && *first < *second) proof = ctx.corpus->ConsistencyProof(*first, *second);
  res.set_content(nlohmann::json{{"consistency", HashArray(proof)}}.dump(), "application/json");
}

void GetProofByHash(const ApiContext& ctx, const Request& req, Response& res) {
  if (!req.has_param("hash")) return SetJsonError(&res, 400, "missing parameter hash");
  auto hash = Base64Decode(req.get_param_value("hash"));
  if (!hash || hash->size() != 32) return SetJsonError(&res, 400, "bad parameter hash");
  auto tree_size = RequireParam(req, &res, "tree_size");
  if (!tree_size) return;
  if (*tree_size == 0 || *tree_size > ctx.corpus->size()) {
    return SetJsonError(&res, 400, "tree_size out of range");
  }
  Sha256Hash leaf_hash;
  std::copy(hash->begin(), hash->end(), leaf_hash.begin());
  auto index = ctx.corpus->FindLeaf(leaf_hash, *tree_size);
  if (!index) return SetJsonError(&res, 404, "no leaf with this hash in the tree");
  nlohmann::json j;
  j["leaf_index"] = *index;
  j["audit_path"] = HashArray(ctx.corpus->InclusionProof(*index, *tree_size));
  res.set_content(j.dump(), "application/json");
}

void GetEntryAndProof(const ApiContext& ctx, const Request& req, Response& res) {
  auto index = RequireParam(req, &res, "leaf_index");
  if (!index) return;
  auto tree_size = RequireParam(req, &res, "tree_size");
  if (!tree_size) return;
  if (*tree_size > ctx.corpus->size() || *index >= *tree_size) {
    return SetJsonError(&res, 400, "leaf_index or tree_size out of range");
  }
  EntryView view = ctx.corpus->Entry(*index);
  if (!ctx.faults->TakeCorruptLeaves(req.path, *index, *index + 1).empty()) {
    view = CorruptedView(view);
  }
  nlohmann::json j;
  j["leaf_input"] = Base64Encode(view.MerkleTreeLeaf());
  j["extra_data"] = view.content->extra_data_b64;
  j["audit_path"] = HashArray(ctx.corpus->InclusionProof(*index, *tree_size));
  res.set_content(j.dump(), "application/json");
}

void GetRoots(const ApiContext& ctx, const Request&, Response& res) {
  nlohmann::json certs = nlohmann::json::array();
  certs.push_back(Base64Encode(ctx.corpus->factory().root_der()));
  res.set_content(nlohmann::json{{"certificates", certs}}.dump(), "application/json");
}

// POST add-chain / add-pre-chain (RFC 6962 §4.1, §4.2): {"chain": [base64 DER, ...]}, the
// submitted certificate first. Answers with the SCT as §4.1 describes it.
void AddChain(const ApiContext& ctx, const Request& req, Response& res, EntryType type) {
  constexpr size_t kMaxBody = 1 << 20;
  constexpr size_t kMaxChain = 10;
  if (req.body.size() > kMaxBody) return SetJsonError(&res, 413, "body larger than 1 MiB");
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("chain") ||
      !body["chain"].is_array()) {
    return SetJsonError(&res, 400, "expected {\"chain\": [base64 DER certificates]}");
  }
  if (body["chain"].size() > kMaxChain) return SetJsonError(&res, 400, "chain too long");
  std::vector<Bytes> chain;
  for (const nlohmann::json& item : body["chain"]) {
    std::optional<Bytes> der = item.is_string() ? Base64Decode(item.get<std::string>())
                                                : std::nullopt;
    if (!der.has_value() || der->empty()) {
      return SetJsonError(&res, 400, "chain entries must be base64 DER certificates");
    }
    chain.push_back(std::move(*der));
  }
  Result<SubmittedEntry> entry = ctx.corpus->Submit(type, chain);
  if (!entry.has_value()) return SetJsonError(&res, 400, entry.error().message);
  nlohmann::json j;
  j["sct_version"] = 0;
  j["id"] = Base64Encode(ctx.corpus->rfc6962_signer().log_id());
  j["timestamp"] = entry->timestamp_ms;
  j["extensions"] = Base64Encode(entry->extensions);
  j["signature"] = Base64Encode(entry->sct_signature);
  res.set_content(j.dump(), "application/json");
}

}  // namespace

void RegisterRfc6962Api(httplib::Server* server, const ApiContext* ctx, const std::string& prefix,
                        const HandlerWrapper& wrap) {
  using Fn = void (*)(const ApiContext&, const Request&, Response&);
  const std::pair<const char*, Fn> routes[] = {
      {"get-sth", GetSth},
      {"get-entries", GetEntries},
      {"get-sth-consistency", GetSthConsistency},
      {"get-proof-by-hash", GetProofByHash},
      {"get-entry-and-proof", GetEntryAndProof},
      {"get-roots", GetRoots},
  };
  for (const auto& [name, fn] : routes) {
    server->Get(prefix + "ct/v1/" + name,
                wrap([ctx, fn = fn](const Request& req, Response& res) { fn(*ctx, req, res); }));
  }
  for (const auto& [name, type] : {std::pair{"add-chain", EntryType::kCert},
                                   std::pair{"add-pre-chain", EntryType::kPrecert}}) {
    server->Post(prefix + "ct/v1/" + name, wrap([ctx, type = type](const Request& req,
                                                                  Response& res) {
                   AddChain(*ctx, req, res, type);
                 }));
  }
}

}  // namespace ctwatch::testlog
