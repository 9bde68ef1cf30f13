#pragma once
// `hashpivot sensitivity SCENARIO.toml`: tornado bumps of the inputs and break-even levels (study/sensitivity.hpp).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hashpivot/study/sensitivity.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// What `hashpivot sensitivity --json` prints (also the Python bindings' sensitivity), given the
/// market's opening BTC price (USD) and the scenario's mean power price (USD/MWh) that it reports.
[[nodiscard]] nlohmann::json sensitivity_json(const study::SensitivityResult& result, double opening_price_usd,
                                              double mean_power_usd_per_mwh);

void add_sensitivity_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
