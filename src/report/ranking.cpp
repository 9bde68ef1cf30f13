#include "hashpivot/report/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/stats/statistics.hpp"

namespace hashpivot::report {
namespace {

constexpr std::size_t kPDefault = sim::metric_index("p_default");
constexpr std::size_t kNpvMean = sim::metric_index("npv_mean_usd");
constexpr std::size_t kNpvSe = sim::metric_index("npv_se_usd");
constexpr std::size_t kPerShareMean = sim::metric_index("npv_per_share_mean_usd");
constexpr std::size_t kPerShareSe = sim::metric_index("npv_per_share_se_usd");
constexpr std::size_t kBtcSold = sim::metric_index("btc_sold_mean_btc");
constexpr std::size_t kSharesIssued = sim::metric_index("shares_issued_mean");
constexpr std::size_t kHashcost = sim::metric_index("hashcost_usd_per_ph_day");

std::optional<std::string> median_default_month(const io::RunRecord& record, const std::string& strategy) {
  std::int64_t events = 0;
  for (const io::DefaultMonth& d : record.default_months)
    if (d.strategy == strategy) events += d.paths_defaulted;
  if (events == 0) return std::nullopt;
  std::int64_t seen = 0;
  for (const io::DefaultMonth& d : record.default_months) {
    if (d.strategy != strategy) continue;
    seen += d.paths_defaulted;
    if (2 * seen >= events) return d.month;
  }
  return std::nullopt;
}

nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

nlohmann::json mean_and_ci(double mean, double half_width) {
  if (!std::isfinite(mean)) return {{"mean", nullptr}, {"ci95", nullptr}};
  return {{"mean", mean}, {"ci95", {mean - half_width, mean + half_width}}};
}

}  // namespace

std::vector<RankedStrategy> rank_strategies(const io::RunRecord& record) {
  const std::vector<io::StrategySummary>& rows = record.strategies;
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rows[a][kPDefault] != rows[b][kPDefault]) return rows[a][kPDefault] < rows[b][kPDefault];
    const double sa = rows[a][kPerShareMean], sb = rows[b][kPerShareMean];
    if (std::isnan(sa) != std::isnan(sb)) return !std::isnan(sa);
    if (!std::isnan(sa) && sa != sb) return sa > sb;
    return rows[a][kNpvMean] > rows[b][kNpvMean];
  });
  std::vector<RankedStrategy> ranked;
  for (std::size_t r = 0; r < order.size(); ++r) {
    const std::string& name = rows[order[r]].strategy;
    RankedStrategy s;
    s.index = order[r];
    s.rank = r + 1;
    s.median_default_month = median_default_month(record, name);
    double mining = 0, hpc = 0;
    for (const io::MonthlyAccount& a : record.monthly_accounts) {
      if (a.strategy != name) continue;
      if (a.field == "btc_liquidated") s.btc_liquidated_mean += a.mean;
      if (a.field == "btc_sold_forced") s.btc_sold_forced_mean += a.mean;
      if (a.field == "mining_revenue_usd") mining += a.mean;
      if (a.field == "hpc_revenue_usd") hpc += a.mean;
    }
    s.hpc_revenue_share = mining + hpc > 0 ? hpc / (mining + hpc) : 0.0;
    s.npv_per_share_ci95_half_usd = stats::kNormalQuantile975 * rows[order[r]][kPerShareSe];
    ranked.push_back(std::move(s));
  }
  return ranked;
}

nlohmann::json ranking_json(const io::RunRecord& record) {
  nlohmann::json out = nlohmann::json::array();
  for (const RankedStrategy& r : rank_strategies(record)) {
    const io::StrategySummary& s = record.strategies[r.index];
    out.push_back({{"strategy", s.strategy},
                   {"rank", r.rank},
                   {"p_default", number_or_null(s[kPDefault])},
                   {"npv_per_share_usd", mean_and_ci(s[kPerShareMean], r.npv_per_share_ci95_half_usd)},
                   {"npv_usd", mean_and_ci(s[kNpvMean], stats::kNormalQuantile975 * s[kNpvSe])},
                   {"btc_sold", number_or_null(s[kBtcSold])},
                   {"btc_sold_forced", r.btc_sold_forced_mean},
                   {"btc_liquidated", r.btc_liquidated_mean},
                   {"shares_issued", number_or_null(s[kSharesIssued])},
                   {"hashcost_usd_per_ph_day", number_or_null(s[kHashcost])},
                   {"hpc_revenue_share", r.hpc_revenue_share},
                   {"default_month_median",
                    r.median_default_month ? nlohmann::json(*r.median_default_month) : nlohmann::json()}});
  }
  return out;
}

}  // namespace hashpivot::report
