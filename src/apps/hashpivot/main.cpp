// hashpivot: what a Bitcoin miner should do when mining economics tighten.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>

#include "backtest_command.hpp"
#include "bench_command.hpp"
#include "calibrate_command.hpp"
#include "chain_command.hpp"
#include "network_command.hpp"
#include "options_command.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "runs_command.hpp"
#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"

int main(int argc, char** argv) {
  using namespace hashpivot::cli;
  CLI::App app{"hashpivot: mining economics, strategies and the AI/HPC pivot, with numbers", "hashpivot"};
  app.set_version_flag("--version", HASHPIVOT_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  add_chain_command(app, exit_code);
  add_network_command(app, exit_code);
  add_calibrate_command(app, exit_code);
  add_run_command(app, exit_code);
  add_runs_command(app, exit_code);
  add_backtest_command(app, exit_code);
  add_options_command(app, exit_code);
  add_bench_command(app, exit_code);
  add_report_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint to use --help
    return kExitBadInput;
  } catch (const hashpivot::InputError& e) {
    fmt::print(stderr, "hashpivot: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hashpivot: internal error: {}\n", e.what());
    return kExitInternalError;
  }
  return exit_code;
}
