#pragma once
// `hashpivot backtest` (being written).

#include <CLI/CLI.hpp>

namespace hashpivot::cli {

void add_backtest_command(CLI::App& app, int& exit_code);

}  // namespace hashpivot::cli
