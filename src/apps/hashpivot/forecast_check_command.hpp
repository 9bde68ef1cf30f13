#pragma once
// `hashpivot forecast-check HISTORY.csv`: rolling-origin scores of the market and network forecasts against
// what happened next (study/forecast_check.hpp, docs/forecast_check.md).

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_forecast_check_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
