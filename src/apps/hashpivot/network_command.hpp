#pragma once
// `hashpivot network ...`: the simulated network (hashrate, blocks, difficulty) against history.

#include <CLI/CLI.hpp>

#include "hashpivot/engine/process_group.hpp"

namespace hashpivot::cli {

/// Registers `network` and its subcommands on `app`; a command that runs writes its exit code
/// to `exit_code` and throws InputError on bad input.
void add_network_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group);

}  // namespace hashpivot::cli
