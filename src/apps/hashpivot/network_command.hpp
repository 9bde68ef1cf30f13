#pragma once
// `hashpivot network ...`: the simulated network (hashrate, blocks, difficulty) against history.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// Registers `network` and its subcommands on `app`; a command that runs writes its exit code
/// to `exit_code` and throws InputError on bad input.
void add_network_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
