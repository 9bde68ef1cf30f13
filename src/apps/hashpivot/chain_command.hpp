#pragma once
// `hashpivot chain ...`: Bitcoin's exact rules from the command line.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// Registers `chain` and its subcommands on `app`. When one runs, it writes its exit code to
/// `exit_code`; bad input is thrown as InputError for main() to report.
void add_chain_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
