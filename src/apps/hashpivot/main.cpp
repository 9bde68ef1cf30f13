// hashpivot: what a Bitcoin miner should do when mining economics tighten.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>

#include "backtest_command.hpp"
#include "bench_command.hpp"
#include "calibrate_command.hpp"
#include "chain_command.hpp"
#include "network_command.hpp"
#include "optimize_command.hpp"
#include "options_command.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "runs_command.hpp"
#include "sensitivity_command.hpp"
#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/engine/process_group.hpp"

int main(int argc, char** argv) {
  using namespace hashpivot::cli;
  CLI::App app{"hashpivot: mining economics, strategies and the AI/HPC pivot, with numbers", "hashpivot"};
  app.set_version_flag("--version", HASHPIVOT_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  // One process; an MPI build replaces it with the ranks of MPI_COMM_WORLD when started by mpirun.
  const hashpivot::engine::ProcessGroup group;
  add_chain_command(app, exit_code, group);
  add_network_command(app, exit_code, group);
  add_calibrate_command(app, exit_code, group);
  add_run_command(app, exit_code, group);
  add_runs_command(app, exit_code, group);
  add_backtest_command(app, exit_code, group);
  add_options_command(app, exit_code, group);
  add_bench_command(app, exit_code, group);
  add_report_command(app, exit_code, group);
  add_optimize_command(app, exit_code, group);
  add_sensitivity_command(app, exit_code, group);

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
