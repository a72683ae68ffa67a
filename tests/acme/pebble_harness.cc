#include "pebble_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/subprocess.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/http.h"

extern char** environ;

namespace ctwatch::testing {
namespace {

// Free TCP ports on 127.0.0.1: all sockets stay bound until every port is chosen, so the ports
// are distinct (another process may still grab one before pebble binds it; unlikely).
std::vector<int> FreePorts(int n) {
  std::vector<int> fds, ports;
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

Status Openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramRun run;
  run.argv = argv;
  run.timeout_ms = 30'000;
  return RunProgramOk(run, "openssl " + args[0]);
}

// The throwaway CA and the localhost certificate pebble serves (REFERENCE.md §8).
Status MakeServerCertificate(const std::string& dir) {
  CTW_RETURN_IF_ERROR(Openssl(
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
       dir + "/ca.key", "-out", dir + "/ca.pem", "-days", "2", "-subj", "/CN=ctwatch test CA"}));
  CTW_RETURN_IF_ERROR(
      Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
               dir + "/localhost.key", "-out", dir + "/localhost.csr", "-subj", "/CN=localhost"}));
  CTW_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/san.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"));
  return Openssl({"x509", "-req", "-in", dir + "/localhost.csr", "-CA", dir + "/ca.pem", "-CAkey",
                  dir + "/ca.key", "-CAcreateserial", "-out", dir + "/localhost.pem", "-days", "2",
                  "-extfile", dir + "/san.ext"});
}

Status WaitForHttp(const std::string& url, const std::string& ca_file, bool need_200) {
  CurlHttpClient client(CurlOptions{.ca_file = ca_file});
  const int64_t deadline = MonotonicMs() + 15'000;
  std::string last;
  while (MonotonicMs() < deadline) {
    auto r = client.Send({.url = url, .timeout_ms = 1000, .connect_timeout_ms = 500});
    if (r.has_value() && (!need_200 || r->status == 200)) return OkStatus();
    last = r.has_value() ? "HTTP " + std::to_string(r->status) : r.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return MakeError(ErrorCode::kTimeout, url + " did not come up: " + last);
}

}  // namespace

int UnusedPort() { return FreePorts(1)[0]; }

namespace {

// Removes the temporary directories at the end of a run in which every test passed (they are
// kept for inspection otherwise; the failure messages name them).
class TempDirCleaner final : public ::testing::Environment {
 public:
  void TearDown() override {
    if (::testing::UnitTest::GetInstance()->Failed()) return;
    for (const std::string& dir : dirs) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
  std::vector<std::string> dirs;
};

TempDirCleaner* Cleaner() {
  static TempDirCleaner* cleaner = [] {
    auto* c = new TempDirCleaner();
    ::testing::AddGlobalTestEnvironment(c);  // gtest owns it
    return c;
  }();
  return cleaner;
}

}  // namespace

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/ctwatch-" + prefix + "-XXXXXX";
  std::string dir = ::mkdtemp(tmpl.data());
  Cleaner()->dirs.push_back(dir);
  return dir;
}

Result<pid_t> Spawn(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& log_file) {
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& [k, v] : env) overridden |= entry.rfind(k + "=", 0) == 0;
    if (!overridden) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return MakeError(ErrorCode::kIo, "cannot open " + log_file);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return MakeError(ErrorCode::kIo, "fork failed");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::execvpe(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

int WaitExit(pid_t pid, int64_t timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (MonotonicMs() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<std::unique_ptr<PebbleServer>> PebbleServer::Start(const PebbleOptions& options) {
  std::unique_ptr<PebbleServer> p(new PebbleServer());
  p->dir_ = MakeTempDir("pebble");
  CTW_RETURN_IF_ERROR(MakeServerCertificate(p->dir_));
  p->ca_file_ = p->dir_ + "/ca.pem";
  const std::vector<int> ports = FreePorts(6);
  p->acme_port_ = ports[0];
  p->management_port_ = ports[1];
  p->http_port_ = options.http_port > 0 ? options.http_port : ports[2];
  p->tls_port_ = ports[3];
  p->dns_port_ = ports[4];
  p->challtestsrv_port_ = ports[5];

  std::string eab_json;
  if (options.eab_required) {
    p->eab_keys_ = {{"kid-1", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"},
                    {"kid-2", "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH"}};
    eab_json = R"(, "externalAccountMACKeys": {)";
    bool first = true;
    for (const auto& [kid, key] : p->eab_keys_) {
      eab_json += std::string(first ? "" : ",") + "\"" + kid + "\": \"" + key + "\"";
      first = false;
    }
    eab_json += "}";
  }
  const std::string config =
      std::string(R"({"pebble": {)") +
      "\"listenAddress\": \"127.0.0.1:" + std::to_string(p->acme_port_) +
      "\", \"managementListenAddress\": \"127.0.0.1:" + std::to_string(p->management_port_) +
      "\", \"certificate\": \"" + p->dir_ + "/localhost.pem\", \"privateKey\": \"" + p->dir_ +
      "/localhost.key\", \"httpPort\": " + std::to_string(p->http_port_) +
      ", \"tlsPort\": " + std::to_string(p->tls_port_) +
      R"(, "ocspResponderURL": "", "externalAccountBindingRequired": )" +
      (options.eab_required ? "true" : "false") + eab_json +
      (options.validity_seconds > 0
           ? ", \"certificateValidityPeriod\": " + std::to_string(options.validity_seconds)
           : std::string()) +
      "}}\n";
  CTW_RETURN_IF_ERROR(WriteFileAtomic(p->dir_ + "/pebble.json", config));

  // The DNS-01 hook, lego exec-provider style: `hook present|cleanup FQDN VALUE`.
  p->hook_ = p->dir_ + "/dns-hook.sh";
  p->hook_log_ = p->dir_ + "/dns-hook.log";
  const std::string cts = "http://127.0.0.1:" + std::to_string(p->challtestsrv_port_);
  CTW_RETURN_IF_ERROR(WriteFileAtomic(
      p->hook_,
      "#!/bin/sh\n"
      "# DNS-01 hook in lego's exec-provider form, driving pebble-challtestsrv.\n"
      "set -e\n"
      "echo \"$1 $2 $3\" >> " +
          p->hook_log_ +
          "\n"
          "case \"$1\" in\n"
          "  present) curl -sf -X POST -d \"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\" " +
          cts +
          "/set-txt ;;\n"
          "  cleanup) curl -sf -X POST -d \"{\\\"host\\\":\\\"$2\\\"}\" " +
          cts +
          "/clear-txt ;;\n"
          "  *) exit 2 ;;\n"
          "esac\n",
      0755));

  CTW_ASSIGN_OR_RETURN(
      p->challtestsrv_pid_,
      Spawn({"pebble-challtestsrv", "-management",
             "127.0.0.1:" + std::to_string(p->challtestsrv_port_), "-dns01",
             "127.0.0.1:" + std::to_string(p->dns_port_), "-http01", "", "-https01", "",
             "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""},
            {}, p->dir_ + "/challtestsrv.log"));
  std::vector<std::pair<std::string, std::string>> env = {{"PEBBLE_VA_NOSLEEP", "1"}};
  if (options.nonce_reject >= 0)
    env.emplace_back("PEBBLE_WFE_NONCEREJECT", std::to_string(options.nonce_reject));
  if (options.alternate_roots > 0) {
    env.emplace_back("PEBBLE_ALTERNATE_ROOTS", std::to_string(options.alternate_roots));
  }
  CTW_ASSIGN_OR_RETURN(p->pebble_pid_,
                       Spawn({"pebble", "-config", p->dir_ + "/pebble.json", "-dnsserver",
                              options.dns_server.empty()
                                  ? "127.0.0.1:" + std::to_string(p->dns_port_)
                                  : options.dns_server},
                             env, p->dir_ + "/pebble.log"));
  CTW_RETURN_IF_ERROR(WaitForHttp(cts + "/", "", false));
  CTW_RETURN_IF_ERROR(WaitForHttp(p->directory_url(), p->ca_file_, true));
  return p;
}

PebbleServer::~PebbleServer() {
  for (pid_t pid : {pebble_pid_, challtestsrv_pid_}) {
    if (pid <= 0) continue;
    ::kill(pid, SIGTERM);
    if (WaitExit(pid, 2000) == -1) ::kill(pid, SIGKILL);
  }
}

std::string PebbleServer::directory_url() const {
  return "https://127.0.0.1:" + std::to_string(acme_port_) + "/dir";
}

Result<std::string> PebbleServer::Management(const std::string& path) const {
  CurlHttpClient client(CurlOptions{.ca_file = ca_file_});
  const std::string url = "https://127.0.0.1:" + std::to_string(management_port_) + path;
  CTW_ASSIGN_OR_RETURN(HttpResponse r, client.Send({.url = url}));
  if (r.status != 200) {
    return MakeError(ErrorCode::kHttpStatus, url + ": HTTP " + std::to_string(r.status));
  }
  return r.body;
}

PebbleServer* SharedPebble(const PebbleOptions& options) {
  static std::map<PebbleOptions, std::unique_ptr<PebbleServer>> servers;
  auto it = servers.find(options);
  if (it != servers.end()) return it->second.get();
  auto started = PebbleServer::Start(options);
  if (!started.has_value()) {
    ADD_FAILURE() << "cannot start pebble: " << started.error().ToString();
    return nullptr;
  }
  PebbleServer* raw = started->get();
  servers.emplace(options, std::move(*started));
  return raw;
}

AcmeConfig PebbleAcmeConfig(const PebbleServer& pebble, const std::string& dir) {
  AcmeConfig c;
  AcmeCaConfig ca;
  ca.name = "pebble";
  ca.directory_url = pebble.directory_url();
  ca.ca_file = pebble.ca_file();
  c.cas.push_back(ca);
  c.contact = {"mailto:ops@example.test"};
  c.storage = dir + "/acme";
  c.http01.listen_address = "127.0.0.1";
  c.http01.port = pebble.http_port();
  c.tls_alpn01.listen_address = "127.0.0.1";
  c.tls_alpn01.port = pebble.tls_port();
  c.dns01.exec = pebble.dns_hook();
  c.dns01.timeout_ms = 20'000;
  c.validation_timeout_ms = 30'000;
  c.issuance_timeout_ms = 30'000;
  return c;
}

}  // namespace ctwatch::testing
