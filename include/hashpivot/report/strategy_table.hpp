#pragma once
// A run's per-strategy metrics as every output shows them, generated from the metric table
// (sim/metrics.hpp): a strategy's JSON object (`run --json`, `runs show --json`, `runs export
// --json`) and the human tables (`run`, `runs show`, the HTML report).

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "hashpivot/io/result_store.hpp"

namespace hashpivot::report {

/// A strategy as `run --json` writes it: "name", and each row of sim::kMetrics at its JSON pointer
/// (a value that is not finite as null).
[[nodiscard]] nlohmann::json strategy_json(const io::StrategySummary& summary);

/// A table of text cells. The first column holds the row labels; every row is as long as the header.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

/// The strategy comparison: a row per sim::MetricPlace::kStrategyTable metric (its label, then a
/// cell per strategy); the header names the strategies.
[[nodiscard]] TextTable strategy_table(std::span<const io::StrategySummary> strategies);

/// Each strategy after the first against the first on the same paths: a row per strategy, a column
/// per kAgainstFirst metric (with the kSameCell metrics after it: "[a, b]"). No rows with fewer
/// than two strategies.
[[nodiscard]] TextTable against_first_table(std::span<const io::StrategySummary> strategies);

/// The table in fixed-width columns, one line each: labels left-aligned in a column at least
/// `label_width` wide, other cells right-aligned in columns at least `min_width` wide; every column
/// is at least two wider than its widest cell.
[[nodiscard]] std::string table_text(const TextTable& table, std::size_t label_width, std::size_t min_width);

/// The comparison as `run` and `runs show` print it: the strategy table, then, with two strategies
/// or more, the table against the first under a heading that names it.
[[nodiscard]] std::string comparison_text(std::span<const io::StrategySummary> strategies);

}  // namespace hashpivot::report
