#pragma once
// `hashpivot peers`: several listed miners on the same simulated markets, ranked on survival and
// value per share, with named stress markets beside the stochastic run (docs/peers.md).

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_peers_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
