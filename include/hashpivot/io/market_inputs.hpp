#pragma once
// The files a scenario's market names, read once: its calibration and, for the block bootstrap, its
// history's BTC returns before the start date. Paths in the scenario are relative to the scenario
// file. The model layer builds the market from these values (model::build_market_model).

#include <string>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/model/market_model.hpp"

namespace hashpivot::io {

/// `relative` resolved against the directory of the scenario file (absolute paths unchanged).
[[nodiscard]] std::string resolve_scenario_path(const firm::Scenario& scenario, const std::string& relative);

/// The file `relative` that the scenario's `key` ("market.calibration") names, resolved as
/// resolve_scenario_path does; throws InputError at the key's line in the scenario when there is no
/// such file or it is a directory (the file's own reader would name only the resolved path).
[[nodiscard]] std::string existing_scenario_file(const firm::Scenario& scenario, const std::string& key,
                                                 const std::string& relative);

/// Reads the scenario's calibration and (block_bootstrap only) the daily BTC log returns of its
/// history before the start date. Throws InputError naming the file, line and key of a file that
/// cannot be read or parsed.
[[nodiscard]] model::MarketInputs read_market_inputs(const firm::Scenario& scenario);

/// build_market_model(scenario, read_market_inputs(scenario)): for callers that need the model only.
[[nodiscard]] model::MarketModel load_market_model(const firm::Scenario& scenario);

}  // namespace hashpivot::io
