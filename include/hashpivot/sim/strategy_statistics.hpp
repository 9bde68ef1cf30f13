#pragma once
// The statistics of one strategy over the paths of a run (simulation.hpp runs them; metrics.hpp
// lists what a run reports from them). Every accumulator is mergeable and serializable
// (stats/statistics.hpp), so blocks, chunks and ranks combine exactly.

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>

#include "hashpivot/stats/statistics.hpp"

namespace hashpivot::sim {

inline constexpr double kCvarAlpha = 0.05;

/// Statistics of one strategy over all paths. Sums are kept as stats::Moments of per-path totals.
/// A new accumulator is declared here and listed once in accumulators(): merge, clear and
/// (de)serialize visit that list.
struct StrategyStatistics {
  std::string name;
  stats::Probability defaulted;
  stats::EventMonthHistogram default_month;   // month of default (0 = the start month)
  stats::Moments npv_usd;
  stats::QuantileSketch npv_quantiles;
  stats::TailMean npv_worst;                  // CVaR at kCvarAlpha
  stats::Moments btc_mined;
  stats::Moments btc_held_end;
  stats::Moments ebitda_usd_per_year;
  stats::Moments cash_cost_usd;               // per path, over the horizon
  stats::Moments all_in_cost_usd;
  stats::Moments effective_ph_days;           // PH/s × days hashed, after uptime and curtailment
  stats::PairedDifference npv_vs_first;       // this strategy's NPV − the first strategy's, per path
  stats::Moments npv_utility;                 // RunOptions::utility.utility(NPV), per path
  stats::Moments btc_sold;                    // BTC the firm sold over the horizon (one-off, policy, remedies)
  stats::Probability margin_called;           // a BTC-backed loan's LTV exceeded its call level on some day

  StrategyStatistics(std::string strategy_name, std::size_t months, std::uint64_t paths);
  void merge(const StrategyStatistics& other);
  void clear();
  /// The name and every accumulator in accumulators() order (statistics.hpp, SERIALIZATION);
  /// deserialize throws stats::SerializationError unless the name and the shapes are equal.
  void serialize(stats::ByteWriter& out) const;
  void deserialize(stats::ByteReader& in);

  [[nodiscard]] double cash_cost_usd_per_btc() const { return cash_cost_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double all_in_cost_usd_per_btc() const { return all_in_cost_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double hashcost_usd_per_ph_day() const { return cash_cost_usd.mean() / effective_ph_days.mean(); }
  [[nodiscard]] double cvar_usd() const { return npv_worst.conditional_tail_mean(); }

 private:
  /// Every accumulator, in serialization order (append new ones: the order is the wire format).
  template <class Self>
  static auto accumulators(Self& s) {
    return std::tie(s.defaulted, s.default_month, s.npv_usd, s.npv_quantiles, s.npv_worst, s.btc_mined, s.btc_held_end,
                    s.ebitda_usd_per_year, s.cash_cost_usd, s.all_in_cost_usd, s.effective_ph_days, s.npv_vs_first,
                    s.npv_utility, s.btc_sold, s.margin_called);
  }
};

}  // namespace hashpivot::sim
