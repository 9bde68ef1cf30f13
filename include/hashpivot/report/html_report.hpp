#pragma once
// The HTML report of a run: one self-contained file (the chart library, uPlot from npm, inlined;
// nothing is fetched when it is viewed) with
//   - a header naming the run's id ("not recorded" for a run made with --no-record),
//   - the strategy comparison tables (those `hashpivot run` prints, from the metric table of
//     sim/metrics.hpp: each strategy's metrics, then each later strategy against the first),
//   - the distribution of default times (cumulative probability of default by month), full width,
//   - fan charts (5–95% and 25–75% bands, the median) of equity, cash, BTC held and debt per
//     strategy, and of the BTC price and hashprice (with each strategy's hashcost as a line); a fan
//     whose positive values span two decades or more is drawn on a log scale, values more than four
//     decades under its largest shown at that floor (stated in its title),
//   - each strategy's cash cost per BTC mined, month by month, against the median BTC price,
//   - the monthly accounts (means over paths), a table per strategy,
//   - the inputs summarized (fleet EH/s and J/TH, sites and $/MWh, the debt schedule, each strategy
//     in a sentence; report/inputs_summary.hpp), the market model's description, and the scenario
//     file as run behind a <details>.
// Every chart's y axis is sized to its longest label (at least 72 px), so "$400.0M" is not clipped.
// The page checks itself once drawn: <body data-charts-expected="N" data-charts-drawn="M"
// data-errors="K"> lets a headless browser (the tests use Chromium) verify every chart has data,
// and each chart's box carries data-title, data-scale ("log" or "linear") and data-y-axis-size.

#include <nlohmann/json.hpp>
#include <string>

#include "hashpivot/io/result_store.hpp"

namespace hashpivot::report {

/// The report of `record` as one HTML document (UTF-8).
[[nodiscard]] std::string render_html(const io::RunRecord& record);

/// What the report's charts draw from a run, and the dashboard's run page too: {"run": {"id",
/// "paths"}, "layout" (the charts' axis and log-scale rules), "months": ["YYYY-MM"...],
/// "strategies": [{"strategy", "hashcost_usd_per_ph_day"}], "monthly_quantiles": [{"strategy"
/// (null: market), "month", "series", "p5".."p95"}], "monthly_accounts": [{"strategy", "month",
/// "field", "mean"}], "default_months": [{"strategy", "month", "paths_defaulted"}]}. NaN and
/// infinities are null.
[[nodiscard]] nlohmann::json chart_data_json(const io::RunRecord& record);

/// Writes render_html(record) to `path` through a temporary file and a rename, so a failed write
/// leaves no half-written report. Throws InputError(path, 0, `field`, …) when it cannot be written;
/// `field` names what chose the path (the caller's option or key).
void write_html_report(const io::RunRecord& record, const std::string& path, const std::string& field);

}  // namespace hashpivot::report
