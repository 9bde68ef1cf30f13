// report/ranking: the peer table's order and its per-firm figures, against a record written by hand.

#include "hashpivot/report/ranking.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

io::StrategySummary row(const std::string& name, double p_default, double per_share, double npv) {
  io::StrategySummary s{name};
  s[sim::metric_index("p_default")] = p_default;
  s[sim::metric_index("npv_per_share_mean_usd")] = per_share;
  s[sim::metric_index("npv_per_share_se_usd")] = std::isnan(per_share) ? kNaN : 0.5;
  s[sim::metric_index("npv_mean_usd")] = npv;
  s[sim::metric_index("npv_se_usd")] = 1e6;
  return s;
}

// Lowest P(default) first; a tie goes to the higher NPV per share, firms without shares after those
// with (by NPV among themselves).
TEST(Ranking, orders_by_default_probability_then_value_per_share_then_npv) {
  io::RunRecord r;
  r.strategies = {row("risky", 0.20, 9.0, 900e6), row("no_shares_big", 0.05, kNaN, 800e6),
                  row("cheap_shares", 0.05, 1.0, 100e6), row("dear_shares", 0.05, 3.0, 50e6),
                  row("no_shares_small", 0.05, kNaN, 10e6)};
  std::vector<std::string> order;
  for (const RankedStrategy& s : rank_strategies(r)) {
    order.push_back(r.strategies[s.index].strategy);
    EXPECT_EQ(s.rank, order.size());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"dear_shares", "cheap_shares", "no_shares_big", "no_shares_small",
                                             "risky"}));
}

// The median default month is where the cumulative count of defaulting paths reaches half of them;
// liquidations and forced sales are the months' sums; the AI/HPC share is of the summed revenues.
TEST(Ranking, sums_the_months_and_finds_the_median_default_month) {
  io::RunRecord r;
  r.strategies = {row("a", 0.1, 2.0, 1e6)};
  r.default_months = {{"a", "2027-01", 1}, {"a", "2027-02", 0}, {"a", "2027-03", 2}, {"a", "2027-04", 1}};
  r.monthly_accounts = {{"a", "2027-01", "btc_liquidated", 3}, {"a", "2027-02", "btc_liquidated", 4},
                        {"a", "2027-01", "btc_sold_forced", 10}, {"a", "2027-01", "mining_revenue_usd", 75},
                        {"a", "2027-02", "hpc_revenue_usd", 25}, {"b", "2027-01", "btc_liquidated", 99}};
  const RankedStrategy s = rank_strategies(r).front();
  EXPECT_EQ(s.median_default_month, "2027-03");  // 1, 1, 3 of 4: half (2) first reached in March
  EXPECT_EQ(s.btc_liquidated_mean, 7.0);
  EXPECT_EQ(s.btc_sold_forced_mean, 10.0);
  EXPECT_DOUBLE_EQ(s.hpc_revenue_share, 0.25);
  EXPECT_DOUBLE_EQ(s.npv_per_share_ci95_half_usd, 1.959963984540054 * 0.5);
  const nlohmann::json j = ranking_json(r);
  EXPECT_DOUBLE_EQ(j[0]["npv_per_share_usd"]["ci95"][1].get<double>(), 2.0 + 1.959963984540054 * 0.5);
  // Without defaults, no median month.
  r.default_months.clear();
  EXPECT_FALSE(rank_strategies(r).front().median_default_month.has_value());
  EXPECT_TRUE(ranking_json(r)[0]["default_month_median"].is_null());
}

}  // namespace
}  // namespace hashpivot::report
