// How a message reads: the JSON document (webhook body, JSON lines; field names are a contract,
// see docs/alerts.md), a subject line, plain text (e-mail, hook TEXT_FILENAME) and Slack
// mrkdwn. Rendering depends only on the message, so every retry sends the same content.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "alerts/alert_model.h"

namespace ctwatch {

// `link_template` with {cert_sha256} / {identity} replaced; empty without a certificate.
std::string CertificateLink(const std::string& link_template, const AlertFinding& finding);

nlohmann::json FindingJson(const AlertFinding& finding, const std::string& link_template);

// {"type", "idempotency_key", "sink", "created_at", "summary", "count", "findings": [...],
//  "text" (summary and test messages)}.
nlohmann::json MessageJson(const OutgoingMessage& message, const std::string& link_template);

// One line: "high owned_certificate: www.example.com (+2 more)".
std::string FindingHeadline(const AlertFinding& finding);

// A subject line for the whole message.
std::string MessageSubject(const OutgoingMessage& message);

// Readable plain text (LF line ends). Digests list at most `max_listed` findings in full.
std::string MessageText(const OutgoingMessage& message, const std::string& link_template,
                        size_t max_listed = 100);

// Slack mrkdwn text with <link|label> links, escaped as Slack requires.
std::string SlackText(const OutgoingMessage& message, const std::string& link_template,
                      size_t max_listed = 20);

}  // namespace ctwatch
