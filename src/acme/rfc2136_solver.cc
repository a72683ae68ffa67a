#include "acme/rfc2136_solver.h"

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/log.h"

namespace ctwatch {
namespace {

constexpr int kMaxCnameSteps = 8;

uint16_t RandomId() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<uint16_t>(rng());
}

uint64_t NowSeconds() { return static_cast<uint64_t>(SystemClock::Get()->NowMs() / 1000); }

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

}  // namespace

Result<std::unique_ptr<Dns01Rfc2136Solver>> Dns01Rfc2136Solver::Create(const Dns01Config& config) {
  const Rfc2136Config& c = config.rfc2136;
  CTW_ASSIGN_OR_RETURN(DnsServerAddress server, ParseDnsServer(c.server));
  DnsServerAddress resolver = server;
  if (!c.resolver.empty()) {
    CTW_ASSIGN_OR_RETURN(resolver, ParseDnsServer(c.resolver));
  }
  CTW_ASSIGN_OR_RETURN(TsigKey key, MakeTsigKey(c.key_name, c.key_algorithm, c.key_secret));
  return std::unique_ptr<Dns01Rfc2136Solver>(
      new Dns01Rfc2136Solver(config, std::move(key), std::move(server), std::move(resolver)));
}

Dns01Rfc2136Solver::Dns01Rfc2136Solver(Dns01Config config, TsigKey key, DnsServerAddress server,
                                       DnsServerAddress resolver)
    : config_(std::move(config)),
      key_(std::move(key)),
      server_(std::move(server)),
      resolver_(std::move(resolver)) {
  Result<std::string> zone = dns::CanonicalName(config_.rfc2136.zone);
  if (zone.has_value()) config_.rfc2136.zone = *zone;
}

Result<dns::Message> Dns01Rfc2136Solver::Query(const DnsServerAddress& server,
                                               const std::string& name, uint16_t type,
                                               bool recursion_desired) {
  const Bytes request = dns::BuildQuery(RandomId(), name, type, recursion_desired);
  CTW_ASSIGN_OR_RETURN(Bytes answer, DnsExchange(server, request, config_.rfc2136.timeout_ms));
  CTW_ASSIGN_OR_RETURN(dns::Message m, dns::ParseMessage(answer));
  if (m.questions.size() != 1 || m.questions[0].name != name || m.questions[0].type != type) {
    return MakeError(ErrorCode::kParse,
                     "DNS " + server.ToString() + ": the answer is for another question");
  }
  return m;
}

Result<std::string> Dns01Rfc2136Solver::FollowCnames(const std::string& start) {
  std::string name = start;
  std::set<std::string> seen = {name};
  for (int step = 0; step < kMaxCnameSteps; ++step) {
    CTW_ASSIGN_OR_RETURN(dns::Message m, Query(resolver_, name, dns::kTypeCname, true));
    if (m.rcode != 0 && m.rcode != 3) {  // not NOERROR/NXDOMAIN: nothing known here
      spdlog::debug("dns-01: CNAME lookup of {} at {}: {}", name, resolver_.ToString(),
                    dns::RcodeName(m.rcode));
      return name;
    }
    std::string next;
    for (const dns::ResourceRecord& rr : m.answers) {
      if (rr.type == dns::kTypeCname && rr.name == name) next = rr.target;
    }
    if (next.empty()) return name;
    if (!seen.insert(next).second) {
      return MakeError(ErrorCode::kFailedPrecondition, "dns-01: CNAME loop at " + start);
    }
    spdlog::info("dns-01: {} is a CNAME for {}", name, next);
    name = next;
  }
  return MakeError(ErrorCode::kFailedPrecondition,
                   "dns-01: more than " + std::to_string(kMaxCnameSteps) + " CNAMEs from " + start);
}

Result<std::string> Dns01Rfc2136Solver::FindZone(const std::string& name) {
  const std::string& configured = config_.rfc2136.zone;
  if (!configured.empty() && dns::IsSubdomain(name, configured)) return configured;
  // The SOA for a name sits in the answer (at the apex) or in the authority section (below it,
  // RFC 2308 §3); walk up the labels when the server says nothing about a name.
  std::string candidate = name;
  for (;;) {
    CTW_ASSIGN_OR_RETURN(dns::Message m, Query(resolver_, candidate, dns::kTypeSoa, true));
    if (m.rcode == 0 || m.rcode == 3) {
      for (const auto* section : {&m.answers, &m.authority}) {
        for (const dns::ResourceRecord& rr : *section) {
          if (rr.type == dns::kTypeSoa && dns::IsSubdomain(name, rr.name) && !rr.name.empty()) {
            return rr.name;
          }
        }
      }
    }
    const size_t dot = candidate.find('.');
    if (dot == std::string::npos) break;
    candidate = candidate.substr(dot + 1);
  }
  return MakeError(ErrorCode::kNotFound, "dns-01: no zone found for " + name + " at " +
                                             resolver_.ToString() + " (set rfc2136 zone)");
}

Result<Dns01Rfc2136Solver::Target> Dns01Rfc2136Solver::Locate(const std::string& record_name) {
  CTW_ASSIGN_OR_RETURN(std::string name, dns::CanonicalName(record_name));
  {
    std::lock_guard lock(mu_);
    auto it = located_.find(name);
    if (it != located_.end()) return it->second;
  }
  Target target;
  CTW_ASSIGN_OR_RETURN(target.name, FollowCnames(name));
  CTW_ASSIGN_OR_RETURN(target.zone, FindZone(target.name));
  std::lock_guard lock(mu_);
  located_[name] = target;
  return target;
}

Status Dns01Rfc2136Solver::Update(const std::string& zone, const dns::ResourceRecord& rr) {
  Bytes request = dns::BuildUpdate(RandomId(), zone, {rr});
  CTW_ASSIGN_OR_RETURN(Bytes mac, TsigSign(key_, NowSeconds(), &request));
  CTW_ASSIGN_OR_RETURN(Bytes answer, DnsExchange(server_, request, config_.rfc2136.timeout_ms));
  CTW_ASSIGN_OR_RETURN(dns::Message m, dns::ParseMessage(answer));
  const std::string what = "RFC 2136 update of zone " + zone + " at " + server_.ToString();
  if (m.opcode != dns::kOpcodeUpdate) {
    return MakeError(ErrorCode::kParse, what + ": the answer is not an UPDATE answer");
  }
  Status verified = TsigVerify(key_, mac, answer, m, NowSeconds());
  if (!verified.has_value()) return verified.error().WithContext(what);
  if (m.rcode != 0) {
    return MakeError(
        m.rcode == 5 || m.rcode == 9 ? ErrorCode::kFailedPrecondition : ErrorCode::kHttpStatus,
        what + ": " + dns::RcodeName(m.rcode));
  }
  return OkStatus();
}

Status Dns01Rfc2136Solver::Present(const ChallengeTask& task) {
  if (task.identifier.type != "dns") {
    return MakeError(ErrorCode::kInvalidArgument, "dns-01 cannot validate an IP address");
  }
  CTW_ASSIGN_OR_RETURN(Target target, Locate(Dns01RecordName(task.identifier.value)));
  dns::ResourceRecord rr;
  rr.name = target.name;
  rr.type = dns::kTypeTxt;
  rr.rr_class = dns::kClassIn;
  rr.ttl = static_cast<uint32_t>(config_.rfc2136.ttl_s);
  rr.rdata = dns::TxtRdata(Dns01RecordValue(task.key_authorization));
  CTW_RETURN_IF_ERROR(Update(target.zone, rr));
  spdlog::info("dns-01: added TXT {} in zone {} at {}", target.name, target.zone,
               server_.ToString());
  return OkStatus();
}

Status Dns01Rfc2136Solver::CleanUp(const ChallengeTask& task) {
  if (task.identifier.type != "dns") return OkStatus();
  CTW_ASSIGN_OR_RETURN(Target target, Locate(Dns01RecordName(task.identifier.value)));
  dns::ResourceRecord rr;
  rr.name = target.name;
  rr.type = dns::kTypeTxt;
  rr.rr_class = dns::kClassNone;  // delete this RR from the RRset
  rr.ttl = 0;
  rr.rdata = dns::TxtRdata(Dns01RecordValue(task.key_authorization));
  CTW_RETURN_IF_ERROR(Update(target.zone, rr));
  // The next order looks the name up afresh (a CNAME may have moved in a long-running process).
  std::lock_guard lock(mu_);
  located_.erase(dns::CanonicalName(Dns01RecordName(task.identifier.value)).value());
  return OkStatus();
}

Result<std::vector<DnsServerAddress>> Dns01Rfc2136Solver::AuthoritativeServers(
    const std::string& zone) {
  std::vector<DnsServerAddress> out;
  Result<dns::Message> ns = Query(resolver_, zone, dns::kTypeNs, true);
  if (ns.has_value()) {
    std::set<std::string> addresses;
    for (const dns::ResourceRecord& rr : ns->answers) {
      if (rr.type != dns::kTypeNs || rr.name != zone) continue;
      for (uint16_t type : {dns::kTypeA, dns::kTypeAaaa}) {
        Result<dns::Message> a = Query(resolver_, rr.target, type, true);
        if (!a.has_value()) continue;
        for (const dns::ResourceRecord& ar : a->answers) {
          if (ar.type == type && !ar.address.empty()) addresses.insert(ar.address);
        }
      }
    }
    for (const std::string& address : addresses) {
      out.push_back(DnsServerAddress{address, config_.rfc2136.nameserver_port});
    }
  }
  if (out.empty()) {
    spdlog::info("dns-01: no address for the name servers of {}; checking {} instead", zone,
                 server_.ToString());
    out.push_back(server_);
  }
  return out;
}

Result<bool> Dns01Rfc2136Solver::Serves(const DnsServerAddress& server, const std::string& name,
                                        const std::string& value) {
  CTW_ASSIGN_OR_RETURN(dns::Message m, Query(server, name, dns::kTypeTxt, false));
  for (const dns::ResourceRecord& rr : m.answers) {
    if (rr.type == dns::kTypeTxt && rr.name == name && Joined(rr.txt) == value) return true;
  }
  return false;
}

Status Dns01Rfc2136Solver::Settle(const std::vector<ChallengeTask>& tasks) {
  if (config_.propagation_wait_ms > 0) {
    spdlog::info("dns-01: waiting {} ms for the records to propagate", config_.propagation_wait_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.propagation_wait_ms));
    return OkStatus();
  }
  struct Check {
    DnsServerAddress server;
    std::string name;
    std::string value;
  };
  std::vector<Check> pending;
  std::map<std::string, std::vector<DnsServerAddress>> servers_by_zone;
  for (const ChallengeTask& task : tasks) {
    if (task.identifier.type != "dns") continue;
    CTW_ASSIGN_OR_RETURN(Target target, Locate(Dns01RecordName(task.identifier.value)));
    auto it = servers_by_zone.find(target.zone);
    if (it == servers_by_zone.end()) {
      CTW_ASSIGN_OR_RETURN(std::vector<DnsServerAddress> servers,
                           AuthoritativeServers(target.zone));
      it = servers_by_zone.emplace(target.zone, std::move(servers)).first;
    }
    for (const DnsServerAddress& server : it->second) {
      pending.push_back({server, target.name, Dns01RecordValue(task.key_authorization)});
    }
  }
  const int64_t deadline = MonotonicMs() + config_.propagation_timeout_ms;
  for (;;) {
    std::vector<Check> missing;
    std::string last_error;
    for (Check& c : pending) {
      Result<bool> served = Serves(c.server, c.name, c.value);
      if (served.has_value() && *served) continue;
      if (!served.has_value()) last_error = served.error().message;
      missing.push_back(std::move(c));
    }
    if (missing.empty()) return OkStatus();
    pending = std::move(missing);
    if (MonotonicMs() >= deadline) {
      return MakeError(ErrorCode::kTimeout,
                       "dns-01: TXT " + pending[0].name + " not served by " +
                           pending[0].server.ToString() + " after " +
                           std::to_string(config_.propagation_timeout_ms / 1000) + " s" +
                           (last_error.empty() ? "" : " (" + last_error + ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.propagation_interval_ms));
  }
}

}  // namespace ctwatch
