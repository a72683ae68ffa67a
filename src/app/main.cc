// ctwatch: Certificate Transparency monitor and ACME engine. main only builds the command
// line; each command group registers itself (commands.h).
#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "core/http.h"

int main(int argc, char** argv) {
  using namespace ctwatch;
  CLI::App app{"ctwatch: tails Certificate Transparency logs with full verification and reports "
               "the certificates that concern your domains."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ctwatch 0.1.0");
  int exit_code = kExitUsage;
  RegisterIngestCommands(&app, &exit_code);
  RegisterPolicyCommands(&app, &exit_code);
  RegisterAcmeCommands(&app, &exit_code);
  RegisterIssuanceCommands(&app, &exit_code);  // after RegisterPolicyCommands: extends `audit`
  RegisterAlertsCommands(&app, &exit_code);  // after RegisterIngestCommands: extends `findings`
  try {
    GlobalHttpInit();
    app.parse(argc, argv);  // runs the chosen subcommand's callback
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
