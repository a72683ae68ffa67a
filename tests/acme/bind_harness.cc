#include "bind_harness.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include "acme/dns_message.h"
#include "acme/dns_transport.h"
#include "core/subprocess.h"
#include "acme/tsig.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/file.h"
#include "pebble_harness.h"

namespace ctwatch::testing {

Result<std::unique_ptr<BindServer>> BindServer::Start(const std::vector<BindZone>& zones) {
  std::unique_ptr<BindServer> b(new BindServer());
  b->dir_ = MakeTempDir("named");
  b->port_ = UnusedPort();
  b->key_name_ = "ctwatch-test-key";
  b->key_file_ = b->dir_ + "/tsig.key";
  ProgramRun keygen;
  keygen.argv = {"sh", "-c", "tsig-keygen -a hmac-sha256 " + b->key_name_ + " > " + b->key_file_};
  keygen.timeout_ms = 10'000;
  CTW_RETURN_IF_ERROR(RunProgramOk(keygen, "tsig-keygen"));
  CTW_ASSIGN_OR_RETURN(std::string key_text, ReadFile(b->key_file_));
  CTW_ASSIGN_OR_RETURN(TsigKey key, ParseBindKeyFile(key_text));
  b->key_secret_ = Base64Encode(key.secret);

  std::string conf =
      "options {\n"
      "  directory \"" +
      b->dir_ +
      "\";\n"
      "  listen-on port " +
      std::to_string(b->port_) +
      " { 127.0.0.1; };\n"
      "  listen-on-v6 { none; };\n"
      "  pid-file \"" +
      b->dir_ +
      "/named.pid\";\n"
      "  session-keyfile \"" +
      b->dir_ +
      "/session.key\";\n"
      // Recursion for loopback clients (pebble's resolver needs CNAMEs followed across
      // zones), confined to this machine: the root zone is local, queries leave from 127.0.0.1.
      "  recursion yes;\n"
      "  allow-recursion { 127.0.0.1; };\n"
      "  query-source address 127.0.0.1;\n"
      "  dnssec-validation no;\n"
      "  notify no;\n"
      "  allow-query { any; };\n"
      "};\n"
      "controls { };\n"
      "include \"" +
      b->key_file_ +
      "\";\n"
      "zone \".\" { type primary; file \"" +
      b->dir_ + "/root.zone\"; };\n";
  CTW_RETURN_IF_ERROR(
      WriteFileAtomic(b->dir_ + "/root.zone",
                      "$TTL 60\n. IN SOA ns.root. hostmaster.root. 1 60 60 3600 60\n"
                      ". IN NS ns.root.\nns.root. IN A 127.0.0.1\n"));
  for (const BindZone& zone : zones) {
    const std::string file = b->dir_ + "/" + zone.name + ".zone";
    CTW_RETURN_IF_ERROR(WriteFileAtomic(file, "$TTL 60\n@ IN SOA ns1." + zone.name +
                                                  ". hostmaster." + zone.name +
                                                  ". 1 60 60 3600 60\n@ IN NS ns1." + zone.name +
                                                  ".\nns1 IN A 127.0.0.1\n" + zone.records + "\n"));
    conf += "zone \"" + zone.name + "\" { type primary; file \"" + file +
            "\"; allow-update { key \"" + b->key_name_ + "\"; }; };\n";
  }
  CTW_RETURN_IF_ERROR(WriteFileAtomic(b->dir_ + "/named.conf", conf));
  CTW_ASSIGN_OR_RETURN(
      b->pid_, Spawn({"/usr/sbin/named", "-g", "-n", "1", "-c", b->dir_ + "/named.conf"}, {},
                     b->dir_ + "/named.log"));
  // Up when it answers for the first zone.
  const DnsServerAddress server{"127.0.0.1", b->port_};
  const int64_t deadline = MonotonicMs() + 15'000;
  std::string last;
  while (MonotonicMs() < deadline) {
    const Bytes q = dns::BuildQuery(1, zones.empty() ? "" : zones[0].name, dns::kTypeSoa, false);
    Result<Bytes> a = DnsExchange(server, q, 300);
    if (a.has_value()) {
      Result<dns::Message> m = dns::ParseMessage(*a);
      if (m.has_value() && m->rcode == 0 && !m->answers.empty()) return b;
      last = m.has_value() ? dns::RcodeName(m->rcode) : m.error().message;
    } else {
      last = a.error().message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return MakeError(ErrorCode::kTimeout,
                   "named did not come up (" + last + "); see " + b->dir_ + "/named.log");
}

BindServer::~BindServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (WaitExit(pid_, 3000) == -1) ::kill(pid_, SIGKILL);
}

}  // namespace ctwatch::testing
