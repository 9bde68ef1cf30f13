#pragma once
// `hashpivot backtest SCENARIO.toml --history HISTORY.csv --from DATE --to DATE [--strategy NAME] [--json]`:
// a scenario's firm run on a real daily history (engine/history_backtest.hpp), month by month.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_backtest_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
