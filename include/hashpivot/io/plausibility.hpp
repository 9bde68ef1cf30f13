#pragma once
// The plausibility checks of a scenario and of the files its market names (core/plausibility.hpp
// holds the ranges): values the readers accept but the world has not seen, each a located warning.
// A command prints them before it starts, or with --strict refuses the input (exit 2).

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "hashpivot/core/plausibility.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::io {

/// The warnings of scenario `s` as read from `document` (its TOML, for the lines): the BTC price,
/// fees, network hashrate, the difficulty of `bits` against that hashrate, the start height against
/// the start date's 10-minute schedule (another halving era is the clear case), the machines'
/// efficiency, the sites' power price and capacity, the horizon, the paths, and each strategy's
/// sales against all the BTC the firm can have by then.
[[nodiscard]] std::vector<InputWarning> scenario_warnings(const firm::Scenario& s, const toml::table& document);

/// The warnings of the files scenario `s`'s market names: its calibration's parameters and, for the
/// block bootstrap, its history's prices and returns before the start date and a window that
/// reaches into an earlier halving era than the start date's. Throws InputError as the readers do.
[[nodiscard]] std::vector<InputWarning> market_input_warnings(const firm::Scenario& s);

/// A scenario as read, with every warning of it and of the files its market names.
struct ScenarioInput {
  firm::Scenario scenario;
  std::vector<InputWarning> warnings;
};

/// read_scenario(path) with scenario_warnings and market_input_warnings.
[[nodiscard]] ScenarioInput read_scenario_input(const std::string& path);

}  // namespace hashpivot::io
