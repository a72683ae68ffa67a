// DNS-01 (RFC 8555 §8.4) through RFC 2136 dynamic updates signed with TSIG (RFC 8945,
// HMAC-SHA256) sent to a configured primary server.
//   Present: _acme-challenge.<name> is looked up first; a CNAME there (RFC 8555 §8.4 allows the
//     delegation, lego and certbot follow it) is followed, up to 8 steps, and the record goes to
//     the final name. Its zone is the configured one when the name is inside it, otherwise the
//     owner of the SOA the resolver returns for the name (RFC 2136 §4: the zone is required).
//     Then one UPDATE adds the TXT record (class IN), and the signed answer is verified.
//   Settle: a fixed wait when propagation_wait is set; otherwise every authoritative server of
//     each zone (its NS records, their addresses through the resolver, asked without recursion
//     on nameserver_port; the update server when none resolves) is asked until it serves every
//     value, up to propagation_timeout.
//   CleanUp: one UPDATE deletes exactly that TXT record (class NONE, RFC 2136 §2.5.4), so other
//     values under the same name (a wildcard and its base name, other orders) stay.
// The TSIG secret is never logged.
// Thread-safety: safe from several order threads at once (each exchange has its own socket; the
// per-task cache is locked).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acme/acme_config.h"
#include "acme/challenge_solver.h"
#include "acme/dns_message.h"
#include "acme/dns_transport.h"
#include "acme/tsig.h"

namespace ctwatch {

class Dns01Rfc2136Solver final : public ChallengeSolver {
 public:
  static Result<std::unique_ptr<Dns01Rfc2136Solver>> Create(const Dns01Config& config);

  std::string_view type() const override { return "dns-01"; }
  Status Present(const ChallengeTask& task) override;
  Status Settle(const std::vector<ChallengeTask>& tasks) override;
  Status CleanUp(const ChallengeTask& task) override;

  // Where the TXT record of `record_name` (e.g. "_acme-challenge.example.com") goes: the final
  // name after CNAMEs, and its zone.
  struct Target {
    std::string name;
    std::string zone;
  };
  Result<Target> Locate(const std::string& record_name);

 private:
  Dns01Rfc2136Solver(Dns01Config config, TsigKey key, DnsServerAddress server,
                     DnsServerAddress resolver);
  Result<dns::Message> Query(const DnsServerAddress& server, const std::string& name, uint16_t type,
                             bool recursion_desired);
  Result<std::string> FollowCnames(const std::string& name);
  Result<std::string> FindZone(const std::string& name);
  Status Update(const std::string& zone, const dns::ResourceRecord& rr);
  Result<std::vector<DnsServerAddress>> AuthoritativeServers(const std::string& zone);
  Result<bool> Serves(const DnsServerAddress& server, const std::string& name,
                      const std::string& value);

  Dns01Config config_;
  TsigKey key_;
  DnsServerAddress server_;
  DnsServerAddress resolver_;
  std::mutex mu_;
  std::map<std::string, Target> located_;  // record name → target; GUARDED_BY(mu_)
};

}  // namespace ctwatch
