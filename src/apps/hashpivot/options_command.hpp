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
// The real options of a scenario's site (engine/real_options.hpp, docs/real_options.md):
//   hashpivot options SCENARIO.toml --site NAME [--paths N] [--fit-paths N] [--seed S] [--mw X]
//                     [--shutdown-usd-per-mw C] [--restart-usd-per-mw C] [--idle-cost-usd-per-mw-year C]
//                     [--degree K] [--json]
// prints the option to convert MW to AI/HPC (value ± SE out of sample, in-sample beside it, convert
// now, value of waiting) and the value of shutting down/restarting monthly, with the boundaries by
// month. Under a process group of K > 1 ranks each rank simulates a contiguous share of the paths and
// the root gathers them in path order (identical results to one process); only the root prints.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hashpivot/firm/scenario.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// What `hashpivot options SCENARIO --site NAME --paths P --fit-paths F --seed S --json` prints, for a
/// scenario already read (`scenario_label` its "scenario" key), on this process and the default
/// settings; throws ParameterError "site" for a site the scenario lacks (also `hashpivot serve`'s).
[[nodiscard]] nlohmann::json site_options_json(const firm::Scenario& scenario, const std::string& scenario_label,
                                               const std::string& site, std::size_t paths, std::size_t fit_paths,
                                               std::uint64_t seed);

void add_options_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
