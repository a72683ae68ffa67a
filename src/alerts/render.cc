// Message rendering; see render.h. Thread-safety: pure functions.
#include "alerts/render.h"

#include <map>

#include "core/clock.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

using nlohmann::json;

json HashOrNull(const std::optional<Sha256Hash>& h) {
  return h.has_value() ? json(HexEncode(*h)) : json(nullptr);
}

std::string ReplaceAll(std::string text, std::string_view from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string JoinNames(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > max) out += " (+" + std::to_string(names.size() - max) + " more)";
  return out;
}

// Counts per severity, most severe first: "2 critical, 5 high".
std::string SeverityCounts(const std::vector<AlertFinding>& findings) {
  std::map<int, size_t, std::greater<>> counts;
  for (const AlertFinding& f : findings) ++counts[static_cast<int>(f.stored.finding.severity)];
  std::string out;
  for (const auto& [severity, n] : counts) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " +
           SeverityName(static_cast<Severity>(severity));
  }
  return out;
}

void AppendFindingText(const AlertFinding& f, const std::string& link_template, std::string* out) {
  const StoredFinding& s = f.stored;
  *out += "#" + std::to_string(s.id) + " " + SeverityName(s.finding.severity) + " " +
          s.finding.kind + "\n";
  *out += "  " + s.finding.detail + "\n";
  for (const std::string& n : s.finding.names) *out += "  name:        " + n + "\n";
  if (!f.log_description.empty()) {
    *out += "  log:         " + f.log_description;
    if (s.index.has_value()) *out += " entry " + std::to_string(*s.index);
    *out += "\n";
  }
  if (f.certificate.has_value()) {
    const CertificateDetails& c = *f.certificate;
    *out += "  subject:     " + c.subject_dn + "\n";
    *out += "  issuer:      " + c.issuer_dn + "\n";
    *out += "  serial:      " + c.serial_hex + "\n";
    *out += "  valid:       " + FormatTimeMs(c.not_before_ms) + " .. " +
            FormatTimeMs(c.not_after_ms) + "\n";
    *out += "  tbs sha256:  " + HexEncode(c.identity) + "\n";
    if (c.cert_sha256) *out += "  cert sha256: " + HexEncode(*c.cert_sha256) + "\n";
    *out += "  key sha256:  " + HexEncode(c.spki_sha256) + "\n";
    const std::string link = CertificateLink(link_template, f);
    if (!link.empty()) *out += "  link:        " + link + "\n";
  }
  *out += "  found:       " + FormatTimeMs(s.created_ms) + " (state " + s.state + ")\n";
}

// Slack asks for &, < and > to be escaped in text.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

const char* SeverityEmoji(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return ":rotating_light:";
    case Severity::kHigh:
      return ":red_circle:";
    case Severity::kMedium:
      return ":large_orange_circle:";
    case Severity::kLow:
      return ":large_yellow_circle:";
    case Severity::kInfo:
      return ":information_source:";
  }
  return "";
}

void AppendSlackFinding(const AlertFinding& f, const std::string& link_template, std::string* out) {
  const StoredFinding& s = f.stored;
  *out += std::string(SeverityEmoji(s.finding.severity)) + " *" + SeverityName(s.finding.severity) +
          "* `" + SlackEscape(s.finding.kind) + "` #" + std::to_string(s.id);
  if (!s.finding.names.empty()) *out += ": " + SlackEscape(JoinNames(s.finding.names, 5));
  *out += "\n>" + SlackEscape(s.finding.detail) + "\n";
  if (f.certificate.has_value()) {
    *out += ">Issuer: " + SlackEscape(f.certificate->issuer_dn) + "\n";
    const std::string link = CertificateLink(link_template, f);
    if (!link.empty()) *out += "><" + link + "|View certificate>\n";
  }
  if (!f.log_description.empty()) {
    *out += ">Log: " + SlackEscape(f.log_description);
    if (s.index) *out += " entry " + std::to_string(*s.index);
    *out += "\n";
  }
}

}  // namespace

std::string CertificateLink(const std::string& link_template, const AlertFinding& finding) {
  if (!finding.certificate.has_value() || link_template.empty()) return "";
  const CertificateDetails& c = *finding.certificate;
  if (link_template.find("{cert_sha256}") != std::string::npos && !c.cert_sha256.has_value()) {
    return "";
  }
  std::string link = ReplaceAll(link_template, "{identity}", HexEncode(c.identity));
  if (c.cert_sha256) link = ReplaceAll(link, "{cert_sha256}", HexEncode(*c.cert_sha256));
  return link;
}

json FindingJson(const AlertFinding& f, const std::string& link_template) {
  const StoredFinding& s = f.stored;
  json j = {{"id", s.id},
            {"kind", s.finding.kind},
            {"severity", SeverityName(s.finding.severity)},
            {"state", s.state},
            {"names", s.finding.names},
            {"detail", s.finding.detail},
            {"dedup_key", s.finding.dedup_key},
            {"identity", HashOrNull(s.finding.identity)},
            {"created_at", FormatTimeMs(s.created_ms)},
            {"log", nullptr},
            {"index", s.index ? json(*s.index) : json(nullptr)},
            {"certificate", nullptr}};
  if (s.log_id.has_value()) {
    j["log"] = {{"id", Base64Encode(*s.log_id)}, {"name", f.log_description}, {"url", f.log_url}};
  }
  if (f.certificate.has_value()) {
    const CertificateDetails& c = *f.certificate;
    const std::string link = CertificateLink(link_template, f);
    j["certificate"] = {{"tbs_sha256", HexEncode(c.identity)},
                        {"cert_sha256", HashOrNull(c.cert_sha256)},
                        {"entry_type", c.entry_type},
                        {"subject", c.subject_dn},
                        {"issuer", c.issuer_dn},
                        {"serial", c.serial_hex},
                        {"not_before", FormatTimeMs(c.not_before_ms)},
                        {"not_after", FormatTimeMs(c.not_after_ms)},
                        {"pubkey_sha256", HexEncode(c.spki_sha256)},
                        {"issuer_key_sha256", HashOrNull(c.issuer_key_hash)},
                        {"names", c.names},
                        {"link", link.empty() ? json(nullptr) : json(link)}};
  }
  return j;
}

json MessageJson(const OutgoingMessage& m, const std::string& link_template) {
  json findings = json::array();
  for (const AlertFinding& f : m.findings) findings.push_back(FindingJson(f, link_template));
  json j = {{"type", MessageKindName(m.kind)},
            {"idempotency_key", m.idempotency_key},
            {"sink", m.sink},
            {"created_at", FormatTimeMs(m.created_ms)},
            {"summary", MessageSubject(m)},
            {"count", m.findings.size()},
            {"findings", std::move(findings)}};
  if (!m.payload.empty()) j["text"] = m.payload;
  return j;
}

std::string FindingHeadline(const AlertFinding& f) {
  const FindingDraft& d = f.stored.finding;
  std::string about = !d.names.empty() ? JoinNames(d.names, 3) : d.detail;
  if (about.size() > 160) about = about.substr(0, 157) + "...";
  return std::string(SeverityName(d.severity)) + " " + d.kind + ": " + about;
}

std::string MessageSubject(const OutgoingMessage& m) {
  switch (m.kind) {
    case MessageKind::kSummary:
      return "ctwatch daily health summary";
    case MessageKind::kTest:
      return "ctwatch test alert for sink " + m.sink;
    case MessageKind::kFinding:
      if (m.findings.size() == 1) return FindingHeadline(m.findings[0]);
      break;
    case MessageKind::kDigest:
      break;
  }
  return std::to_string(m.findings.size()) + " findings (" + SeverityCounts(m.findings) + ")";
}

std::string MessageText(const OutgoingMessage& m, const std::string& link_template,
                        size_t max_listed) {
  std::string out = MessageSubject(m) + "\n\n";
  if (!m.payload.empty()) out += m.payload + (m.payload.back() == '\n' ? "" : "\n") + "\n";
  for (size_t i = 0; i < m.findings.size() && i < max_listed; ++i) {
    AppendFindingText(m.findings[i], link_template, &out);
    out += "\n";
  }
  if (m.findings.size() > max_listed) {
    out += "... and " + std::to_string(m.findings.size() - max_listed) + " more:\n";
    for (size_t i = max_listed; i < m.findings.size(); ++i) {
      out += "  " + FindingHeadline(m.findings[i]) + "\n";
    }
    out += "\n";
  }
  out += "Idempotency key: " + m.idempotency_key + "\n";
  out += "Acknowledge with: ctwatch findings ack ID --config FILE\n";
  return out;
}

std::string SlackText(const OutgoingMessage& m, const std::string& link_template,
                      size_t max_listed) {
  std::string out = "*" + SlackEscape(MessageSubject(m)) + "*\n";
  if (!m.payload.empty()) out += "```" + SlackEscape(m.payload) + "```\n";
  for (size_t i = 0; i < m.findings.size() && i < max_listed; ++i) {
    AppendSlackFinding(m.findings[i], link_template, &out);
  }
  if (m.findings.size() > max_listed) {
    out += "_... and " + std::to_string(m.findings.size() - max_listed) + " more findings_\n";
  }
  out += "_ctwatch · key " + m.idempotency_key + "_";
  return out;
}

}  // namespace ctwatch
