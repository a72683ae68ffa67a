// The ctwatch subcommands. Each group registers its subcommands on the CLI11 app; the chosen
// subcommand's callback stores the process exit code: 0 success, 1 runtime failure, 2 usage
// or configuration error. Output for programs is JSON lines (--json); docs/cli.md lists the
// fields.
// Thread-safety: called from main only.
#pragma once

#include <CLI/CLI.hpp>

namespace ctwatch {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// run, logs, certs, findings.
void RegisterIngestCommands(CLI::App* app, int* exit_code);

// acme account|issue|renew|revoke|list, inventory list|show (acme_commands.cc, docs/acme.md).
void RegisterAcmeCommands(CLI::App* app, int* exit_code);

// alerts test|status|suppress|suppressions|unsuppress, findings ack|resolve
// (alerts_commands.cc, docs/alerts.md).
void RegisterAlertsCommands(CLI::App* app, int* exit_code);

// policy check|reload, rescan, audit exposure (policy_commands.cc, docs/policy.md).
void RegisterPolicyCommands(CLI::App* app, int* exit_code);

// expect add|list|remove, audit issuance (issuance_commands.cc, docs/issuance.md); after
// RegisterPolicyCommands (extends `audit`).
void RegisterIssuanceCommands(CLI::App* app, int* exit_code);

}  // namespace ctwatch
