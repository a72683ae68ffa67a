// ctwatch: Certificate Transparency monitor. main only parses the command line and hands over
// to the subcommands in commands.h.
#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "core/http.h"

int main(int argc, char** argv) {
  using namespace ctwatch;
  CLI::App app{"ctwatch: tails Certificate Transparency logs with full verification and reports "
               "the certificates that concern your domains."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ctwatch 0.1.0");

  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Tail every configured CT log (until stopped)");
  run_cmd->add_option("-c,--config", run.config, "Configuration file (TOML)")->required();
  run_cmd->add_flag("--once", run.once,
                    "Read every log up to its current signed head, verify, and exit "
                    "(0 when every log was read and verified)");

  ListArgs logs, certs, findings;
  CLI::App* logs_cmd = app.add_subcommand("logs", "Show per log how far it is and whether it is healthy");
  logs_cmd->add_option("-c,--config", logs.config, "Configuration file (TOML)")->required();
  logs_cmd->add_flag("--json", logs.json, "One JSON object per line");

  CLI::App* certs_cmd = app.add_subcommand("certs", "List the stored certificates");
  certs_cmd->add_option("-c,--config", certs.config, "Configuration file (TOML)")->required();
  certs_cmd->add_option("--name", certs.name,
                        "Only certificates for this name: exact, *.domain (names below) or "
                        ".domain (the domain and all below)");
  certs_cmd->add_option("--limit", certs.limit, "At most this many certificates")->capture_default_str();
  certs_cmd->add_flag("--json", certs.json, "One JSON object per line");

  CLI::App* findings_cmd = app.add_subcommand("findings", "List findings");
  findings_cmd->add_option("-c,--config", findings.config, "Configuration file (TOML)")->required();
  findings_cmd->add_option("--kind", findings.kind, "Only findings of this kind");
  findings_cmd->add_option("--limit", findings.limit, "At most this many findings")->capture_default_str();
  findings_cmd->add_flag("--json", findings.json, "One JSON object per line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  GlobalHttpInit();
  if (run_cmd->parsed()) return RunCommand(run);
  if (logs_cmd->parsed()) return LogsCommand(logs);
  if (certs_cmd->parsed()) return CertsCommand(certs);
  if (findings_cmd->parsed()) return FindingsCommand(findings);
  return kExitUsage;
}
