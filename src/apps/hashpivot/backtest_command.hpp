#pragma once
// `hashpivot backtest SCENARIO.toml --history HISTORY.csv --from DATE --to DATE [--strategy NAME] [--json]`:
// a scenario's firm run on a real daily history (engine/history_backtest.hpp), month by month.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hashpivot/study/history_backtest.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// The files a backtest names in its JSON, as given (the compare file empty when none).
struct BacktestFiles {
  std::string scenario;
  std::string history;
  std::string compare;
};

/// What `hashpivot backtest --json` prints (also the Python bindings' backtest): the totals, the
/// months, the filled days and, with a compare file, `comparison` month by month.
[[nodiscard]] nlohmann::json backtest_json(const study::HistoryBacktest& result, const BacktestFiles& files,
                                           const std::vector<study::MonthComparison>& comparison);

void add_backtest_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
