#pragma once
// The ranking of a recorded run's strategies on survival and value per share: the peer table of
// `hashpivot peers` (each strategy a firm), which the dashboard's run page also shows. One definition,
// computed from the record alone, so the command, its JSON and the dashboard agree.
//
// Rank: lowest P(default) first; ties by the highest mean NPV per share (strategies without shares
// after those with), then by the highest mean NPV.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hashpivot/io/result_store.hpp"

namespace hashpivot::report {

/// What the ranking shows of one strategy beyond its metric row.
struct RankedStrategy {
  std::size_t index = 0;                            // in record.strategies
  std::size_t rank = 0;                             // 1: the first
  std::optional<std::string> median_default_month;  // "YYYY-MM" by which half its defaults happened; none without
  double btc_sold_forced_mean = 0;                  // BTC sold to cover cash shortfalls (the remedies), mean
  double btc_liquidated_mean = 0;                   // BTC its lenders took over the horizon, mean over paths
  double hpc_revenue_share = 0;                     // Σ AI/HPC revenue / Σ (mining + AI/HPC revenue), of the means
  double npv_per_share_ci95_half_usd = 0;           // 1.96 SE of the mean NPV per share (NaN without shares)
};

/// The strategies of `record`, in rank order.
[[nodiscard]] std::vector<RankedStrategy> rank_strategies(const io::RunRecord& record);

/// rank_strategies as JSON, in rank order: each {"strategy", "rank", "p_default", "npv_per_share_usd"
/// {"mean", "ci95"}, "npv_usd" {"mean", "ci95"}, "btc_sold", "btc_sold_forced", "btc_liquidated", "shares_issued",
/// "hashcost_usd_per_ph_day", "hpc_revenue_share", "default_month_median"}; means over paths, CIs ±
/// 1.96 SE; null where unknown (no shares).
[[nodiscard]] nlohmann::json ranking_json(const io::RunRecord& record);

}  // namespace hashpivot::report
