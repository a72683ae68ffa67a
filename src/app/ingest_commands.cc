// Registers `run`, `logs`, `certs` and `findings` (see run_command.cc, list_commands.cc).
#include <memory>

#include "app/commands.h"
#include "app/ingest_commands.h"

namespace ctwatch {

void RegisterIngestCommands(CLI::App* app, int* exit_code) {
  auto run = std::make_shared<RunArgs>();
  CLI::App* run_cmd = app->add_subcommand("run", "Tail every configured CT log (until stopped)");
  run_cmd->add_option("-c,--config", run->config, "Configuration file (TOML)")->required();
  run_cmd->add_flag("--once", run->once,
                    "Read every log up to its current signed head, verify, and exit "
                    "(0 when every log was read and verified)");
  run_cmd->callback([run, exit_code] { *exit_code = RunCommand(*run); });

  auto add_list = [&](const char* name, const char* help, int (*command)(const ListArgs&)) {
    auto args = std::make_shared<ListArgs>();
    CLI::App* cmd = app->add_subcommand(name, help);
    cmd->add_option("-c,--config", args->config, "Configuration file (TOML)")->required();
    cmd->add_flag("--json", args->json, "One JSON object per line");
    cmd->callback([cmd, args, exit_code, command] {
      if (!cmd->get_subcommands().empty()) return;  // e.g. `findings ack` ran instead
      *exit_code = command(*args);
    });
    return std::make_pair(cmd, args);
  };
  add_list("logs", "Show per log how far it is and whether it is healthy", &LogsCommand);
  auto [certs, certs_args] = add_list("certs", "List the stored certificates", &CertsCommand);
  certs->add_option("--name", certs_args->name,
                    "Only certificates for this name: exact, *.domain (names below) or .domain "
                    "(the domain and all below)");
  certs->add_option("--limit", certs_args->limit, "At most this many")->capture_default_str();
  auto [findings, findings_args] = add_list("findings", "List findings", &FindingsCommand);
  findings->add_option("--kind", findings_args->kind, "Only findings of this kind");
  findings->add_option("--limit", findings_args->limit, "At most this many")->capture_default_str();
}

}  // namespace ctwatch
