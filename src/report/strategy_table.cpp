#include "hashpivot/report/strategy_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hashpivot/report/format.hpp"

namespace hashpivot::report {
namespace {

constexpr std::size_t kLabelWidth = 34;
constexpr std::size_t kStrategyColumnWidth = 12;
constexpr std::size_t kAgainstColumnWidth = 14;

/// The cell of metric `i`, joined with the kSameCell metrics after it into "[a, b]".
std::string cell(const io::StrategySummary& s, std::size_t i) {
  std::string text = metric_text(sim::kMetrics[i].format, s.values[i]);
  std::size_t end = i + 1;
  while (end < sim::kMetricCount && sim::kMetrics[end].place == sim::MetricPlace::kSameCell) ++end;
  if (end == i + 1) return text;
  for (std::size_t j = i + 1; j < end; ++j) text += ", " + metric_text(sim::kMetrics[j].format, s.values[j]);
  return "[" + text + "]";
}

}  // namespace

nlohmann::json strategy_json(const io::StrategySummary& summary) {
  nlohmann::json out = {{"name", summary.strategy}};
  for (std::size_t i = 0; i < sim::kMetricCount; ++i)
    out[nlohmann::json::json_pointer(std::string(sim::kMetrics[i].json))] = number_or_null(summary.values[i]);
  return out;
}

TextTable strategy_table(std::span<const io::StrategySummary> strategies) {
  TextTable table;
  table.header.emplace_back();
  for (const io::StrategySummary& s : strategies) table.header.push_back(s.strategy);
  for (std::size_t i = 0; i < sim::kMetricCount; ++i) {
    if (sim::kMetrics[i].place != sim::MetricPlace::kStrategyTable) continue;
    if (sim::kMetrics[i].hidden_when_unknown &&
        std::ranges::none_of(strategies, [&](const io::StrategySummary& s) { return std::isfinite(s.values[i]); }))
      continue;
    std::vector<std::string> row = {std::string(sim::kMetrics[i].label)};
    for (const io::StrategySummary& s : strategies) row.push_back(cell(s, i));
    table.rows.push_back(std::move(row));
  }
  return table;
}

TextTable against_first_table(std::span<const io::StrategySummary> strategies) {
  TextTable table;
  table.header.emplace_back();
  for (const sim::Metric& m : sim::kMetrics)
    if (m.place == sim::MetricPlace::kAgainstFirst) table.header.emplace_back(m.label);
  for (std::size_t k = 1; k < strategies.size(); ++k) {
    std::vector<std::string> row = {strategies[k].strategy};
    for (std::size_t i = 0; i < sim::kMetricCount; ++i)
      if (sim::kMetrics[i].place == sim::MetricPlace::kAgainstFirst) row.push_back(cell(strategies[k], i));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string table_text(const TextTable& table, std::size_t label_width, std::size_t min_width) {
  std::vector<std::size_t> widths(table.header.size(), min_width);
  widths.front() = label_width;
  const auto widen = [&](const std::vector<std::string>& line) {
    widths.front() = std::max(widths.front(), line.front().size() + 2);
    for (std::size_t c = 1; c < line.size(); ++c) widths[c] = std::max(widths[c], line[c].size() + 2);
  };
  widen(table.header);
  for (const auto& row : table.rows) widen(row);
  std::string text;
  const auto print = [&](const std::vector<std::string>& line) {
    text += fmt::format("{:<{}}", line.front(), widths.front());
    for (std::size_t c = 1; c < line.size(); ++c) text += fmt::format("{:>{}}", line[c], widths[c]);
    text += '\n';
  };
  print(table.header);
  for (const auto& row : table.rows) print(row);
  return text;
}

std::string comparison_text(std::span<const io::StrategySummary> strategies) {
  std::string text = table_text(strategy_table(strategies), kLabelWidth, kStrategyColumnWidth);
  if (strategies.size() > 1) {
    text += fmt::format("\nAgainst \"{}\" on the same paths (NPV difference):\n", strategies.front().strategy);
    text += table_text(against_first_table(strategies), kLabelWidth, kAgainstColumnWidth);
  }
  return text;
}

}  // namespace hashpivot::report
