#pragma once
// `hashpivot options`: real options by least-squares Monte Carlo (engine/lsm.hpp).
//
// Today it values the validation case, an American put, so anyone can rerun the check that the LSM
// engine matches a fine binomial tree:
//   hashpivot options --american-put --spot S --strike K --rate R --vol V --maturity T
//                     [--paths N] [--fit-paths N] [--seed S] [--steps-per-year M] [--degree K]
//                     [--tree-steps N] [--json]
// printing the LSM value ± its standard error, the tree, the European (Black–Scholes) value, the
// early-exercise premium, the value of waiting and the exercise boundary.
//
// Reserved: `hashpivot options SCENARIO.toml --site NAME`, the options of a scenario's site (convert
// its MW to AI/HPC, shut it down); until it exists, a scenario gets a clear error and exit 2.

#include <CLI/CLI.hpp>

#include "hashpivot/engine/process_group.hpp"

namespace hashpivot::cli {

void add_options_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group);

}  // namespace hashpivot::cli
