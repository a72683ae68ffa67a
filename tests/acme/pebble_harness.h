// Test harness: the real pebble 2.4.0 and pebble-challtestsrv (Debian package) on 127.0.0.1 with
// free ports, set up as REFERENCE.md §8 says: a throwaway CA and a localhost certificate made
// with openssl at start, -dnsserver pointing at challtestsrv, PEBBLE_VA_NOSLEEP=1,
// -defaultIPv6 "". Children get PR_SET_PDEATHSIG so a crashed test leaves no server behind.
// SharedPebble() keeps one instance per option set for the whole test binary; options choose
// short certificate lifetimes (certificateValidityPeriod) and another DNS server (bind9).
// Also: a DNS-01 hook script in lego's exec-provider form that drives challtestsrv, helpers to
// spawn the ctwatch binary, and an engine configuration pointing at a pebble.
// Thread-safety: for the test's main thread.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "acme/acme_config.h"
#include "core/result.h"

namespace ctwatch::testing {

struct PebbleOptions {
  bool eab_required = false;
  int nonce_reject = -1;    // PEBBLE_WFE_NONCEREJECT; -1 keeps pebble's default (5%)
  int alternate_roots = 0;  // PEBBLE_ALTERNATE_ROOTS
  int validity_seconds = 0;  // certificateValidityPeriod; 0 keeps pebble's default
  std::string dns_server;    // -dnsserver; empty: the harness's pebble-challtestsrv
  int instance = 0;          // distinct SharedPebble instances with otherwise equal options
  int http_port = 0;         // where HTTP-01 is checked; 0: a free port (share one between CAs)
  bool operator<(const PebbleOptions& o) const {
    return std::tie(eab_required, nonce_reject, alternate_roots, validity_seconds, dns_server,
                    instance, http_port) < std::tie(o.eab_required, o.nonce_reject,
                                                    o.alternate_roots, o.validity_seconds,
                                                    o.dns_server, o.instance, o.http_port);
  }
};

class PebbleServer {
 public:
  static Result<std::unique_ptr<PebbleServer>> Start(const PebbleOptions& options);
  ~PebbleServer();

  const std::string& dir() const { return dir_; }
  std::string directory_url() const;
  const std::string& ca_file() const { return ca_file_; }    // trust anchor for pebble's HTTPS
  int http_port() const { return http_port_; }               // where pebble checks HTTP-01
  int tls_port() const { return tls_port_; }                 // where pebble checks TLS-ALPN-01
  const std::string& dns_hook() const { return hook_; }      // `hook present|cleanup FQDN VALUE`
  const std::string& hook_log() const { return hook_log_; }  // one line per hook call
  // EAB key ids → base64url MAC keys configured in pebble.
  const std::map<std::string, std::string>& eab_keys() const { return eab_keys_; }

  // GET on the management interface (https), e.g. "/roots/0", "/cert-status-by-serial/<hex>".
  Result<std::string> Management(const std::string& path) const;

 private:
  PebbleServer() = default;
  std::string dir_, ca_file_, hook_, hook_log_;
  std::map<std::string, std::string> eab_keys_;
  int acme_port_ = 0, management_port_ = 0, http_port_ = 0, tls_port_ = 0, dns_port_ = 0,
      challtestsrv_port_ = 0;
  pid_t pebble_pid_ = -1, challtestsrv_pid_ = -1;
};

// One pebble per option set, started on first use and stopped at exit.
PebbleServer* SharedPebble(const PebbleOptions& options = {});

// An [acme] configuration for `pebble` with storage under `dir`: CA "pebble", every challenge
// pointing at the ports pebble validates on, DNS-01 through the challtestsrv hook.
AcmeConfig PebbleAcmeConfig(const PebbleServer& pebble, const std::string& dir);

std::string MakeTempDir(const std::string& prefix);
// A TCP port on 127.0.0.1 that nothing listens on (at the time of the call).
int UnusedPort();

// Spawns a program (fork/exec, own stdout/stderr into `log_file`, PR_SET_PDEATHSIG) with extra
// environment variables; returns its pid.
Result<pid_t> Spawn(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& log_file);
// Waits for `pid` to exit for up to timeout_ms; its exit status, or -1 on timeout (the process is
// then killed).
int WaitExit(pid_t pid, int64_t timeout_ms);

}  // namespace ctwatch::testing
