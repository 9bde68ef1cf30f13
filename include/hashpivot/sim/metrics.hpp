#pragma once
// The metric table: every number a run reports per strategy, one row each. From it are generated
// the result store's strategy_summaries columns, the strategy objects of `run --json`,
// `runs show --json` and `runs export --json`, the CSV columns of `runs export --csv`, and the
// strategy tables of `run`, `runs show` and the HTML report.
//
// Adding a metric: accumulate it per path (StrategyStatistics and the path worker's finish_path),
// then add one row here. Its column is added to existing stores by the migration to the row's
// store_version: one more than the store's schema version (io::kResultSchemaVersion, which other
// tables also raise) when the row is added (every row added at once may share that version). Rows keep their order (the CSV's column order); append new ones.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "hashpivot/sim/strategy_statistics.hpp"

namespace hashpivot::sim {

/// What a metric's number is measured in.
enum class MetricUnit : std::uint8_t { kFraction, kUsd, kBtc, kUsdPerBtc, kUsdPerPhDay, kUsdPerYear, kMwh, kCount };

/// How the human tables show a metric (report/format.hpp does the formatting; "-" when not finite).
enum class MetricFormat : std::uint8_t {
  kMillionsUsd,  // USD in $M, one decimal
  kDollars,      // USD, whole dollars
  kPercent,      // a fraction as a percentage, one decimal
  kWhole,        // rounded to a whole number (BTC, counts)
  kFixed2,       // two decimals
};

/// Where a metric shows in the human tables (terminal and HTML).
enum class MetricPlace : std::uint8_t {
  kHidden,         // only in the JSON, the CSV and the store
  kStrategyTable,  // a row of the strategy comparison (a column per strategy)
  kAgainstFirst,   // a column of the table of each later strategy against the first, on the same paths
  kSameCell,       // in the cell of the row above, the two shown as an interval "[a, b]"
};

/// One metric. Every string is ASCII.
struct Metric {
  /// The store's strategy_summaries column: unique. The CSV column is the same name, with
  /// "_fraction" appended for a fraction.
  std::string_view column;
  /// Where the value sits in a strategy's JSON object: a JSON pointer (RFC 6901), e.g. "/npv_usd/mean";
  /// a numeric last token makes an array ("/npv_vs_first_usd/ci95/0"). Unique, none a prefix of another.
  std::string_view json;
  MetricUnit unit;
  /// The row's label in the human tables (the column's header for kAgainstFirst); "" when hidden
  /// or kSameCell. Labels of sub-rows start with two spaces.
  std::string_view label;
  MetricPlace place;
  MetricFormat format;
  /// The value from a strategy's statistics (NaN: unknown, e.g. a standard error from one path).
  double (*value)(const StrategyStatistics&);
  /// The result-store schema version that added the column (io/result_store.hpp).
  int store_version = 1;
  /// A kStrategyTable row the human tables leave out when it is unknown (NaN) for every strategy
  /// (per-share rows of a scenario without shares: a row of "-" tells nothing).
  bool hidden_when_unknown = false;
};

namespace metric_rows {
using S = const StrategyStatistics&;
inline constexpr std::array kRows = std::to_array<Metric>({
    {"p_default", "/p_default", MetricUnit::kFraction, "P(default)", MetricPlace::kStrategyTable,
     MetricFormat::kPercent, [](S s) { return s.defaulted.probability(); }},
    {"p_default_se", "/p_default_se", MetricUnit::kFraction, "", MetricPlace::kHidden, MetricFormat::kPercent,
     [](S s) { return s.defaulted.standard_error(); }},
    {"npv_mean_usd", "/npv_usd/mean", MetricUnit::kUsd, "NPV to equity, mean ($M)", MetricPlace::kStrategyTable,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_mean_usd(); }},
    {"npv_se_usd", "/npv_usd/se", MetricUnit::kUsd, "  standard error ($M)", MetricPlace::kStrategyTable,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_se_usd(); }},
    // Hidden from the tables, kept in the JSON, CSV and store: 0.0 for every strategy once more than 5%
    // of paths default or end under water (NPV is 0 there); the survivors' net worth (schema 7)
    // replaces them in the tables.
    {"npv_p5_usd", "/npv_usd/p5", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.npv_quantiles.quantile(0.05); }},
    {"npv_p25_usd", "/npv_usd/p25", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.npv_quantiles.quantile(0.25); }},
    {"npv_p50_usd", "/npv_usd/p50", MetricUnit::kUsd, "  median ($M)", MetricPlace::kStrategyTable,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_quantiles.quantile(0.50); }},
    {"npv_p75_usd", "/npv_usd/p75", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.npv_quantiles.quantile(0.75); }},
    {"npv_p95_usd", "/npv_usd/p95", MetricUnit::kUsd, "  95th percentile ($M)", MetricPlace::kStrategyTable,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_quantiles.quantile(0.95); }},
    {"cvar5_usd", "/cvar5_usd", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.cvar_usd(); }},
    {"btc_mined_mean_btc", "/btc_mined/mean", MetricUnit::kBtc, "BTC mined", MetricPlace::kStrategyTable,
     MetricFormat::kWhole, [](S s) { return s.btc_mined.mean(); }},
    {"btc_mined_se_btc", "/btc_mined/se", MetricUnit::kBtc, "", MetricPlace::kHidden, MetricFormat::kWhole,
     [](S s) { return s.btc_mined.standard_error(); }},
    {"btc_held_end_mean_btc", "/btc_held_end/mean", MetricUnit::kBtc, "BTC held at the horizon",
     MetricPlace::kStrategyTable, MetricFormat::kWhole, [](S s) { return s.btc_held_end.mean(); }},
    {"btc_held_end_se_btc", "/btc_held_end/se", MetricUnit::kBtc, "", MetricPlace::kHidden, MetricFormat::kWhole,
     [](S s) { return s.btc_held_end.standard_error(); }},
    {"cash_cost_usd_per_btc", "/cost_per_btc_usd/cash", MetricUnit::kUsdPerBtc, "Cash cost per BTC mined ($)",
     MetricPlace::kStrategyTable, MetricFormat::kDollars, [](S s) { return s.cash_cost_usd_per_btc(); }},
    {"all_in_cost_usd_per_btc", "/cost_per_btc_usd/all_in", MetricUnit::kUsdPerBtc, "All-in cost per BTC mined ($)",
     MetricPlace::kStrategyTable, MetricFormat::kDollars, [](S s) { return s.all_in_cost_usd_per_btc(); }},
    {"hashcost_usd_per_ph_day", "/hashcost_usd_per_ph_day", MetricUnit::kUsdPerPhDay, "Hashcost ($/PH/day)",
     MetricPlace::kStrategyTable, MetricFormat::kFixed2, [](S s) { return s.hashcost_usd_per_ph_day(); }},
    {"ebitda_mean_usd_per_year", "/ebitda_usd_per_year/mean", MetricUnit::kUsdPerYear, "EBITDA per year ($M)",
     MetricPlace::kStrategyTable, MetricFormat::kMillionsUsd, [](S s) { return s.ebitda_usd_per_year.mean(); }},
    {"npv_vs_first_mean_usd", "/npv_vs_first_usd/mean", MetricUnit::kUsd, "mean ($M)", MetricPlace::kAgainstFirst,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_vs_first.difference().mean(); }},
    {"npv_vs_first_ci95_low_usd", "/npv_vs_first_usd/ci95/0", MetricUnit::kUsd, "95% CI ($M)",
     MetricPlace::kAgainstFirst, MetricFormat::kMillionsUsd,
     [](S s) { return s.npv_vs_first.confidence_interval_95().lower; }},
    {"npv_vs_first_ci95_high_usd", "/npv_vs_first_usd/ci95/1", MetricUnit::kUsd, "", MetricPlace::kSameCell,
     MetricFormat::kMillionsUsd, [](S s) { return s.npv_vs_first.confidence_interval_95().upper; }},
    {"p_better", "/npv_vs_first_usd/p_better", MetricUnit::kFraction, "P(better)", MetricPlace::kAgainstFirst,
     MetricFormat::kPercent, [](S s) { return s.npv_vs_first.candidate_wins().probability(); }},
    // Schema version 3.
    {"btc_sold_mean_btc", "/btc_sold/mean", MetricUnit::kBtc, "BTC sold over the horizon", MetricPlace::kStrategyTable,
     MetricFormat::kWhole, [](S s) { return s.btc_sold.mean(); }, 3},
    {"btc_sold_se_btc", "/btc_sold/se", MetricUnit::kBtc, "", MetricPlace::kHidden, MetricFormat::kWhole,
     [](S s) { return s.btc_sold.standard_error(); }, 3},
    {"p_margin_call", "/p_margin_call", MetricUnit::kFraction, "P(at least one margin call)",
     MetricPlace::kStrategyTable, MetricFormat::kPercent, [](S s) { return s.margin_called.probability(); }, 3},
    {"p_margin_call_se", "/p_margin_call_se", MetricUnit::kFraction, "", MetricPlace::kHidden, MetricFormat::kPercent,
     [](S s) { return s.margin_called.standard_error(); }, 3},
    // Schema version 4: power contracts and curtailment.
    {"running_fraction", "/running_fraction", MetricUnit::kFraction, "Running fraction (after curtailment)",
     MetricPlace::kStrategyTable, MetricFormat::kPercent, [](S s) { return s.running_fraction(); }, 4},
    {"curtailed_mwh_mean", "/curtailed_mwh/mean", MetricUnit::kMwh, "Curtailed MWh over the horizon",
     MetricPlace::kStrategyTable, MetricFormat::kWhole, [](S s) { return s.curtailed_mwh.mean(); }, 4},
    {"energy_cost_usd_per_btc", "/cost_per_btc_usd/energy", MetricUnit::kUsdPerBtc,
     "Cash cost per BTC: energy, net of credits ($)", MetricPlace::kStrategyTable, MetricFormat::kDollars,
     [](S s) { return s.energy_cost_usd_per_btc(); }, 4},
    {"hosting_fixed_usd_per_btc", "/cost_per_btc_usd/fixed_hosting", MetricUnit::kUsdPerBtc,
     "Cash cost per BTC: fixed hosting ($)", MetricPlace::kStrategyTable, MetricFormat::kDollars,
     [](S s) { return s.hosting_fixed_usd_per_btc(); }, 4},
    {"other_cash_cost_usd_per_btc", "/cost_per_btc_usd/other", MetricUnit::kUsdPerBtc,
     "Cash cost per BTC: other, site opex ($)", MetricPlace::kStrategyTable, MetricFormat::kDollars,
     [](S s) { return s.other_cash_cost_usd_per_btc(); }, 4},
    // Schema version 5: market impact and refreshes.
    {"slippage_mean_usd", "/slippage_usd/mean", MetricUnit::kUsd, "Slippage on BTC sales ($M)",
     MetricPlace::kStrategyTable, MetricFormat::kMillionsUsd, [](S s) { return s.slippage_usd.mean(); }, 5},
    {"machines_bought_mean", "/machines_bought/mean", MetricUnit::kCount, "Machines bought (refresh)",
     MetricPlace::kStrategyTable, MetricFormat::kWhole, [](S s) { return s.machines_bought.mean(); }, 5},
    {"machines_sold_mean", "/machines_sold/mean", MetricUnit::kCount, "Machines sold (replaced)",
     MetricPlace::kStrategyTable, MetricFormat::kWhole, [](S s) { return s.machines_sold.mean(); }, 5},
    // Schema version 7: the tail that still tells strategies apart when NPV's 5% tail is 0 (NPV is 0
    // on a default and floored at 0 under water): the survivors' net worth (docs/model.md §6).
    {"net_worth_survivors_p5_usd", "/net_worth_survivors_usd/p5", MetricUnit::kUsd,
     "Net worth if it survives: 5th percentile ($M)", MetricPlace::kStrategyTable, MetricFormat::kMillionsUsd,
     [](S s) { return s.survivor_net_worth_quantiles.quantile(0.05); }, 7},
    {"net_worth_survivors_cvar5_usd", "/net_worth_survivors_usd/cvar5", MetricUnit::kUsd,
     "  CVaR 5%: mean of the worst 5% ($M)", MetricPlace::kStrategyTable, MetricFormat::kMillionsUsd,
     [](S s) { return s.survivor_net_worth_cvar_usd(); }, 7},
    // Schema version 8: hedges (issue 14). Net of premiums, undiscounted, over the horizon. Hidden from
    // the tables until the bundled scenarios hold hedges (a row of zeros in every run table otherwise).
    {"hedge_pnl_mean_usd", "/hedge_pnl_usd/mean", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kMillionsUsd, [](S s) { return s.hedge_pnl_usd.mean(); }, 8},
    {"hedge_pnl_se_usd", "/hedge_pnl_usd/se", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.hedge_pnl_usd.standard_error(); }, 8},
    // Schema version 8: shares (issue 14). NaN (JSON null) when the scenario has no
    // shares_outstanding; the strategy table leaves out a row unknown for every strategy.
    {"npv_per_share_mean_usd", "/npv_per_share_usd/mean", MetricUnit::kUsd, "NPV per share, mean ($)",
     MetricPlace::kStrategyTable, MetricFormat::kFixed2, [](S s) { return s.npv_per_share_usd.mean(); }, 8, true},
    {"npv_per_share_se_usd", "/npv_per_share_usd/se", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_usd.standard_error(); }, 8},
    {"npv_per_share_p5_usd", "/npv_per_share_usd/p5", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_quantiles.quantile(0.05); }, 8},
    {"npv_per_share_p25_usd", "/npv_per_share_usd/p25", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_quantiles.quantile(0.25); }, 8},
    {"npv_per_share_p50_usd", "/npv_per_share_usd/p50", MetricUnit::kUsd, "  median ($)", MetricPlace::kStrategyTable,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_quantiles.quantile(0.50); }, 8, true},
    {"npv_per_share_p75_usd", "/npv_per_share_usd/p75", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_quantiles.quantile(0.75); }, 8},
    {"npv_per_share_p95_usd", "/npv_per_share_usd/p95", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kFixed2, [](S s) { return s.npv_per_share_quantiles.quantile(0.95); }, 8},
    {"shares_issued_mean", "/shares_issued/mean", MetricUnit::kCount, "Shares issued, mean", MetricPlace::kStrategyTable,
     MetricFormat::kWhole, [](S s) { return s.shares_issued.mean(); }, 8, true},
    {"shares_issued_p50", "/shares_issued/p50", MetricUnit::kCount, "", MetricPlace::kHidden, MetricFormat::kWhole,
     [](S s) { return s.shares_issued_quantiles.quantile(0.50); }, 8},
    {"shares_issued_p95", "/shares_issued/p95", MetricUnit::kCount, "", MetricPlace::kHidden, MetricFormat::kWhole,
     [](S s) { return s.shares_issued_quantiles.quantile(0.95); }, 8},
    // The peak margin posted on a path's hashprice forwards (initial + variation), USD.
    {"margin_posted_mean_usd", "/margin_posted_usd/mean", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kMillionsUsd, [](S s) { return s.margin_posted_usd.mean(); }, 8},
    {"margin_posted_p95_usd", "/margin_posted_usd/p95", MetricUnit::kUsd, "", MetricPlace::kHidden,
     MetricFormat::kMillionsUsd, [](S s) { return s.margin_posted_quantiles.quantile(0.95); }, 8},
    // Debts rolled at maturity ([debt.refinance]), mean count per path.
    {"refinancings_mean", "/refinancings/mean", MetricUnit::kCount, "", MetricPlace::kHidden, MetricFormat::kFixed2,
     [](S s) { return s.refinancings.mean(); }, 8},
    // The SE of the mean NPV over independent paths, without variance reduction: equal to npv_se_usd
    // when the run had none; with it, what the same paths would have given plain.
    {"npv_se_plain_usd", "/npv_usd/se_plain", MetricUnit::kUsd, "", MetricPlace::kHidden, MetricFormat::kMillionsUsd,
     [](S s) { return s.npv_usd.standard_error(); }, 9},
});
}  // namespace metric_rows

/// The table, in the CSV's column order.
inline constexpr const auto& kMetrics = metric_rows::kRows;

inline constexpr std::size_t kMetricCount = kMetrics.size();

/// The latest store_version of any row.
inline constexpr int kMetricsStoreVersion =
    std::ranges::max_element(kMetrics, {}, &Metric::store_version)->store_version;

/// A strategy's metrics, in kMetrics order.
using MetricValues = std::array<double, kMetricCount>;

/// The index in kMetrics of the row whose store column is `column`; a name not in the table does
/// not compile.
consteval std::size_t metric_index(std::string_view column) {
  for (std::size_t i = 0; i < kMetricCount; ++i)
    if (kMetrics[i].column == column) return i;
  throw "no metric has this column";
}

/// Every metric of `statistics`, in kMetrics order.
[[nodiscard]] inline MetricValues metric_values(const StrategyStatistics& statistics) {
  MetricValues values{};
  for (std::size_t i = 0; i < kMetricCount; ++i) values[i] = kMetrics[i].value(statistics);
  return values;
}

/// Every metric unknown (NaN): a summary read from a store older than some of its columns.
[[nodiscard]] constexpr MetricValues unknown_metric_values() {
  MetricValues values{};
  values.fill(std::numeric_limits<double>::quiet_NaN());
  return values;
}

/// The unit spelled out: "fraction", "USD", "BTC", "USD per BTC", "USD per PH/s per day", "USD per year",
/// "MWh", "count".
[[nodiscard]] constexpr std::string_view unit_name(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::kFraction: return "fraction";
    case MetricUnit::kUsd: return "USD";
    case MetricUnit::kBtc: return "BTC";
    case MetricUnit::kUsdPerBtc: return "USD per BTC";
    case MetricUnit::kUsdPerPhDay: return "USD per PH/s per day";
    case MetricUnit::kUsdPerYear: return "USD per year";
    case MetricUnit::kMwh: return "MWh";
    case MetricUnit::kCount: return "count";
  }
  return "";
}

}  // namespace hashpivot::sim
