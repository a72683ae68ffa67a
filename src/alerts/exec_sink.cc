// The exec sink: runs a hook program once per finding with the environment of certspotter's
// hook interface (certspotter-script(8)), so existing certspotter scripts work unchanged, and
// the finding as JSON on standard input. Events: discovered_cert (a finding about a stored
// certificate), malformed_cert (an entry that could not be parsed), error (any other finding),
// plus ctwatch's own health_summary and test. CERT_FILENAME (PEM), JSON_FILENAME (certspotter's
// JSON fields) and TEXT_FILENAME are written under files_dir/<2 hex>/<cert sha256>.* and kept,
// as certspotter keeps them; per-event files go to files_dir/events/ and are removed after the
// hook ran. Extra variables: CTWATCH_IDEMPOTENCY_KEY, CTWATCH_FINDING_ID, CTWATCH_KIND,
// CTWATCH_SEVERITY, CTWATCH_MESSAGE_TYPE.
// Thread-safety: one sink per worker thread.
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "alerts/filter.h"
#include "core/subprocess.h"
#include "alerts/render.h"
#include "alerts/sink.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "core/openssl_util.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

using nlohmann::json;
using Env = std::vector<std::pair<std::string, std::string>>;

// Hook files need no durability (a crash re-runs the hook, which rewrites them), only that a
// reader never sees half a file: written to a temporary name and renamed, without fsync.
Status WriteHookFile(const std::string& path, std::string_view data, unsigned mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return MakeError(ErrorCode::kIo, "open " + tmp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return MakeError(ErrorCode::kIo, "write " + tmp + ": " + error);
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeError(ErrorCode::kIo, "write " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

// Go's time.Time.String() for a UTC time, as certspotter prints NOT_BEFORE / NOT_AFTER:
// "2023-01-31 03:47:26 +0000 UTC".
std::string GoTimeString(int64_t unix_ms) {
  std::string iso = FormatTimeMs(unix_ms - unix_ms % 1000);  // 2023-01-31T03:47:26Z
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + " +0000 UTC";
}

std::string Rfc3339Seconds(int64_t unix_ms) { return FormatTimeMs(unix_ms - unix_ms % 1000); }

// certspotter prints the serial with %x of a big integer: no leading zeros.
std::string SerialForHook(const std::string& hex) {
  const size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

bool IsIpAddress(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

std::string Pem(ByteView der) {
  std::string b64 = Base64Encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END CERTIFICATE-----\n";
}

// DER of the subject and issuer Name when `der` parses as a certificate.
std::optional<std::pair<Bytes, Bytes>> NameDers(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    OpenSslErrors();
    return std::nullopt;
  }
  auto encode = [](const X509_NAME* name) {
    unsigned char* out = nullptr;
    const int n = i2d_X509_NAME(name, &out);
    Bytes b;
    if (n > 0) b.assign(out, out + n);
    OPENSSL_free(out);
    return b;
  };
  return std::make_pair(encode(X509_get_subject_name(cert.get())),
                        encode(X509_get_issuer_name(cert.get())));
}

class ExecSink final : public Sink {
 public:
  ExecSink(const SinkConfig& config, SinkContext context)
      : config_(config), context_(std::move(context)) {}

  Status Deliver(const OutgoingMessage& message) override {
    CTW_RETURN_IF_ERROR(MakeDirs(config_.exec.files_dir + "/events"));
    if (message.findings.empty()) return RunEvent(message, nullptr, message.idempotency_key);
    for (const AlertFinding& f : message.findings) {
      const std::string key = message.findings.size() == 1
                                  ? message.idempotency_key
                                  : message.idempotency_key + "." + std::to_string(f.stored.id);
      CTW_RETURN_IF_ERROR(RunEvent(message, &f, key));
    }
    return OkStatus();
  }

 private:
  // Runs the hook for one finding (or, for summaries and tests without findings, none).
  Status RunEvent(const OutgoingMessage& message, const AlertFinding* f, const std::string& key) {
    Env env = {{"CTWATCH_IDEMPOTENCY_KEY", key},
               {"CTWATCH_MESSAGE_TYPE", MessageKindName(message.kind)}};
    std::vector<std::string> temporary;
    OutgoingMessage single = message;
    json input;
    if (f != nullptr) {
      single.findings = {*f};
      single.idempotency_key = key;
      input = FindingJson(*f, config_.certificate_link);
      env.insert(env.end(), {{"CTWATCH_FINDING_ID", std::to_string(f->stored.id)},
                             {"CTWATCH_KIND", f->stored.finding.kind},
                             {"CTWATCH_SEVERITY", SeverityName(f->stored.finding.severity)}});
    } else {
      input = MessageJson(message, config_.certificate_link);
    }
    input["idempotency_key"] = key;
    input["message_type"] = MessageKindName(message.kind);
    const std::string text = MessageText(single, config_.certificate_link);

    std::string event;
    if (message.kind == MessageKind::kSummary) {
      event = "health_summary";
    } else if (message.kind == MessageKind::kTest) {
      event = "test";
    } else if (f != nullptr && f->certificate.has_value()) {
      event = "discovered_cert";
    } else if (f != nullptr && f->stored.finding.kind == "malformed_entry" && f->stored.log_id &&
               f->stored.index) {
      event = "malformed_cert";
    } else {
      event = "error";
    }
    env.emplace_back("EVENT", event);
    if (f != nullptr && f->certificate.has_value()) {
      CTW_RETURN_IF_ERROR(CertificateEnv(*f, text, &env));
    } else if (event == "malformed_cert") {
      CTW_RETURN_IF_ERROR(MalformedEnv(*f, key, &env, &temporary));
    } else {
      env.emplace_back("SUMMARY", f != nullptr ? FindingHeadline(*f) : MessageSubject(message));
    }
    if (event != "discovered_cert") {
      const std::string text_path = config_.exec.files_dir + "/events/" + key + ".txt";
      CTW_RETURN_IF_ERROR(WriteHookFile(text_path, text, 0644));
      temporary.push_back(text_path);
      env.emplace_back("TEXT_FILENAME", text_path);
    }
    const std::string stdin_path = config_.exec.files_dir + "/events/" + key + ".stdin.json";
    CTW_RETURN_IF_ERROR(WriteHookFile(
        stdin_path, input.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", 0600));
    temporary.push_back(stdin_path);
    Status status = RunProgramOk({.argv = config_.exec.command,
                                  .env = std::move(env),
                                  .stdin_path = stdin_path,
                                  .timeout_ms = config_.timeout_ms},
                                 config_.exec.command[0]);
    for (const std::string& path : temporary) std::remove(path.c_str());
    return status;
  }

  Status CertificateEnv(const AlertFinding& f, const std::string& text, Env* env) {
    const CertificateDetails& c = *f.certificate;
    const std::string tbs = HexEncode(c.identity);
    const std::string cert_sha = c.cert_sha256 ? HexEncode(*c.cert_sha256) : tbs;
    const std::string pubkey = HexEncode(c.spki_sha256);
    const std::string watch_item = WatchItem(f.stored.finding.names);
    env->insert(env->end(), {{"SUMMARY", "certificate discovered for " + watch_item},
                             {"WATCH_ITEM", watch_item},
                             {"LOG_URI", f.log_url},
                             {"ENTRY_INDEX", f.stored.index ? std::to_string(*f.stored.index) : ""},
                             {"TBS_SHA256", tbs},
                             {"CERT_SHA256", cert_sha},
                             {"FINGERPRINT", cert_sha},
                             {"PUBKEY_SHA256", pubkey},
                             {"PUBKEY_HASH", pubkey},
                             {"CERT_PARSEABLE", "yes"},
                             {"NOT_BEFORE", GoTimeString(c.not_before_ms)},
                             {"NOT_BEFORE_UNIXTIME", std::to_string(c.not_before_ms / 1000)},
                             {"NOT_BEFORE_RFC3339", Rfc3339Seconds(c.not_before_ms)},
                             {"NOT_AFTER", GoTimeString(c.not_after_ms)},
                             {"NOT_AFTER_UNIXTIME", std::to_string(c.not_after_ms / 1000)},
                             {"NOT_AFTER_RFC3339", Rfc3339Seconds(c.not_after_ms)},
                             {"SUBJECT_DN", c.subject_dn},
                             {"ISSUER_DN", c.issuer_dn},
                             {"SERIAL", SerialForHook(c.serial_hex)}});

    const std::string base = config_.exec.files_dir + "/" + cert_sha.substr(0, 2) + "/" + cert_sha;
    CTW_RETURN_IF_ERROR(MakeDirs(config_.exec.files_dir + "/" + cert_sha.substr(0, 2)));
    std::optional<Bytes> der;
    if (context_.certificate_der) der = context_.certificate_der(c.identity);
    json j = {{"tbs_sha256", tbs},
              {"cert_sha256", cert_sha},
              {"pubkey_sha256", pubkey},
              {"dns_names", json::array()},
              {"ip_addresses", json::array()},
              {"not_before", Rfc3339Seconds(c.not_before_ms)},
              {"not_after", Rfc3339Seconds(c.not_after_ms)},
              {"serial_number", SerialForHook(c.serial_hex)}};
    for (const std::string& n : c.names)
      j[IsIpAddress(n) ? "ip_addresses" : "dns_names"].push_back(n);
    if (der.has_value() && !der->empty()) {
      CTW_RETURN_IF_ERROR(WriteHookFile(base + ".pem", Pem(*der), 0644));
      env->emplace_back("CERT_FILENAME", base + ".pem");
      if (auto names = NameDers(*der)) {
        j["subject_der"] = Base64Encode(names->first);
        j["issuer_der"] = Base64Encode(names->second);
      }
    }
    CTW_RETURN_IF_ERROR(WriteHookFile(base + ".v1.json", j.dump() + "\n", 0644));
    CTW_RETURN_IF_ERROR(WriteHookFile(base + ".txt", text, 0644));
    env->emplace_back("JSON_FILENAME", base + ".v1.json");
    env->emplace_back("TEXT_FILENAME", base + ".txt");
    return OkStatus();
  }

  Status MalformedEnv(const AlertFinding& f, const std::string& key, Env* env,
                      std::vector<std::string>* temporary) {
    env->insert(env->end(), {{"SUMMARY", "unable to parse certificate"},
                             {"LOG_URI", f.log_url},
                             {"ENTRY_INDEX", std::to_string(*f.stored.index)},
                             {"PARSE_ERROR", f.stored.finding.detail}});
    std::optional<std::pair<Bytes, Bytes>> entry;
    if (context_.malformed_entry)
      entry = context_.malformed_entry(*f.stored.log_id, *f.stored.index);
    if (entry.has_value()) {
      // RFC 6962 §2.1: leaf hash = SHA-256(0x00 || MerkleTreeLeaf).
      const uint8_t prefix = 0;
      env->emplace_back("LEAF_HASH",
                        Base64Encode(Sha256({ByteView(&prefix, 1), ByteView(entry->first)})));
      const std::string path = config_.exec.files_dir + "/events/" + key + ".entry.json";
      const json j = {{"leaf_input", Base64Encode(entry->first)},
                      {"extra_data", Base64Encode(entry->second)}};
      CTW_RETURN_IF_ERROR(WriteHookFile(path, j.dump() + "\n", 0644));
      temporary->push_back(path);
      env->emplace_back("ENTRY_FILENAME", path);
    }
    return OkStatus();
  }

  // certspotter's WATCH_ITEM: the watch-list entry that matched, ".domain" for a domain and
  // everything below it. A name outside the watch list (a lookalike) stands for itself.
  std::string WatchItem(const std::vector<std::string>& names) const {
    for (const std::string& d : context_.watch_domains) {
      for (const std::string& n : names) {
        if (NameAtOrBelow(n, d)) return "." + d;
      }
    }
    return names.empty() ? "" : names.front();
  }

  const SinkConfig config_;
  const SinkContext context_;
};

}  // namespace

std::unique_ptr<Sink> MakeExecSink(const SinkConfig& config, const SinkContext& context) {
  return std::make_unique<ExecSink>(config, context);
}

}  // namespace ctwatch
