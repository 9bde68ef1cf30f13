// hashpivot: what a Bitcoin miner should do when mining economics tighten.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <exception>
#include <optional>
#include <string>

#include "backtest_command.hpp"
#include "bench_command.hpp"
#include "calibrate_command.hpp"
#include "chain_command.hpp"
#include "forecast_check_command.hpp"
#include "network_command.hpp"
#include "optimize_command.hpp"
#include "options_command.hpp"
#include "peers_command.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "runs_command.hpp"
#include "sensitivity_command.hpp"
#include "serve_command.hpp"
#include "cli_support.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/sim/process_group.hpp"

#if defined(HASHPIVOT_WITH_MPI)
#include "hashpivot/mpi/mpi_process_group.hpp"
#endif

namespace {

/// How a command line ended: the exit code, and whether it was a command that failed while it ran
/// (an error that, under MPI, may be this rank's alone, while the others wait in a collective).
struct Outcome {
  int exit_code;
  bool command_failed;
};

/// Parses the command line and runs the command on `group`. Only the root prints help, version and
/// parse errors (every rank parses the same arguments); an error while a command runs is printed
/// by the rank it happened on.
Outcome run_hashpivot(int argc, char** argv, const hashpivot::sim::ProcessGroup& group) {
  using namespace hashpivot::cli;
  CLI::App app{"hashpivot: mining economics, strategies and the AI/HPC pivot, with numbers", "hashpivot"};
  app.set_version_flag("--version", HASHPIVOT_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  // In the order `hashpivot --help` lists them.
  using AddCommand = void (*)(CLI::App&, int&, const hashpivot::sim::ProcessGroup&);
  constexpr std::array<AddCommand, 14> kCommands{
      add_chain_command,   add_network_command,  add_calibrate_command,   add_run_command,
      add_peers_command,   add_runs_command,     add_backtest_command,    add_options_command,
      add_bench_command,   add_report_command,   add_optimize_command,    add_sensitivity_command,
      add_forecast_check_command, add_serve_command};
  for (const AddCommand add : kCommands) add(app, exit_code, group);

  const std::string rank_prefix = group.is_root() ? "" : fmt::format("rank {}: ", group.rank());
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return {group.is_root() ? app.exit(e) : e.get_exit_code(), false};
  } catch (const CLI::CallForAllHelp& e) {
    return {group.is_root() ? app.exit(e) : e.get_exit_code(), false};
  } catch (const CLI::CallForVersion& e) {
    return {group.is_root() ? app.exit(e) : e.get_exit_code(), false};
  } catch (const CLI::ParseError& e) {
    if (group.is_root()) app.exit(e);  // prints the message and a hint to use --help
    return {kExitBadInput, false};
  } catch (const hashpivot::Cancelled& e) {
    // Stopped by SIGINT/SIGTERM before anything was committed: 128 + the signal, as a shell reports it.
    fmt::print(stderr, "hashpivot: {}{}\n", rank_prefix, e.what());
    return {e.exit_code(), true};
  } catch (const hashpivot::InputError& e) {
    fmt::print(stderr, "hashpivot: {}error: {}\n", rank_prefix, e.what());
    return {kExitBadInput, true};
  } catch (const std::exception& e) {
    fmt::print(stderr, "hashpivot: {}internal error: {}\n", rank_prefix, e.what());
    return {kExitInternalError, true};
  }
  return {exit_code, false};
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM: a command that polls for them stops cleanly (exit 130/143), any other ends as before.
  hashpivot::cancellation::install_handlers();
#if defined(HASHPIVOT_WITH_MPI)
  // Started by mpirun: the ranks of MPI_COMM_WORLD share the paths. Otherwise MPI is never initialized.
  if (hashpivot::mpi::launched_by_mpirun()) {
    std::optional<hashpivot::mpi::MpiProcessGroup> group;
    try {
      group.emplace(argc, argv);
    } catch (const std::exception& e) {
      fmt::print(stderr, "hashpivot: internal error: {}\n", e.what());
      return hashpivot::cli::kExitInternalError;
    }
    const Outcome outcome = run_hashpivot(argc, argv, *group);
    // The other ranks may be waiting for this one: end them all, with this exit code.
    if (outcome.command_failed && group->size() > 1) group->abort(outcome.exit_code);
    return outcome.exit_code;
  }
#endif
  // One process.
  const hashpivot::sim::ProcessGroup group;
  return run_hashpivot(argc, argv, group).exit_code;
}
