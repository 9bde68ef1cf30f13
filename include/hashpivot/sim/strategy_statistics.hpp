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
  stats::PairedDifferences npv_vs_each;       // this strategy's NPV − each strategy's (by index), per path
  stats::Moments npv_utility;                 // RunOptions::utility.utility(NPV), per path
  stats::Moments btc_sold;                    // BTC the firm sold over the horizon (one-off, policy, remedies)
  stats::Probability margin_called;           // a BTC-backed loan's LTV exceeded its call level on some day
  // Power contracts and curtailment, per path over the horizon:
  stats::Moments running_th_days;             // Σ running hashrate (after curtailment), TH/s·days
  stats::Moments available_th_days;           // Σ available hashrate (before curtailment), TH/s·days
  stats::Moments curtailed_mwh;               // energy not drawn by machines switched off
  stats::Moments energy_cost_usd;             // power cost less fixed hosting charges less credits
  stats::Moments hosting_fixed_usd;           // fixed hosting charges and take-or-pay floors
  stats::Moments other_cash_cost_usd;         // site opex: the rest of the cash cost
  stats::Moments slippage_usd;                // market impact of the BTC sold over the horizon (firm's and lenders')
  stats::Moments machines_bought;             // delivered by the strategy's refreshes over the horizon, a count
  stats::Moments machines_sold;               // replaced by them and sold, a count
  stats::Moments hedge_pnl_usd;               // the hedges' premiums and payoffs over the horizon, net, USD (undiscounted)
  stats::Moments refinancings;                // debts rolled at maturity over the horizon, a count
  // The peak margin posted on the hashprice forwards over the path (initial + variation, at a day's
  // close), USD: the cash the hedge ties up at its worst, the number a treasurer must fund.
  stats::Moments margin_posted_usd;
  stats::QuantileSketch margin_posted_quantiles;
  // The tail that still tells strategies apart when NPV's is 0 (docs/model.md §6): NPV is 0 on a
  // default and floored at 0 on a survivor under water, so its 5% tail is often 0 for every
  // strategy. Net worth is a survivor's discounted cash + BTC at market − debt + terminal value,
  // not floored (negative: how far under water); defaulted paths are left out.
  stats::QuantileSketch survivor_net_worth_quantiles;
  stats::TailMean survivor_net_worth_worst;   // CVaR at kCvarAlpha of the survivors' net worth
  // Per share (firm/equity.hpp), only when the scenario has shares (empty otherwise: NaN): the NPV
  // to equity over the shares at the horizon (initial + ATM sales + conversions), USD per share,
  // and the shares issued over the horizon (ATM sales + conversions), a count.
  stats::Moments npv_per_share_usd;
  stats::QuantileSketch npv_per_share_quantiles;
  stats::Moments shares_issued;
  stats::QuantileSketch shares_issued_quantiles;
  // With RunOptions::variance_reduction only (empty otherwise): the NPV per antithetic pair of paths
  // with its control variates (simulation.hpp), whose estimate and SE replace npv_usd's in the
  // metric table; npv_usd keeps each path (its SE is then the SE without variance reduction).
  stats::ControlledMean npv_controlled;

  /// `strategies`: how many the run compares (npv_vs_each has one entry per strategy).
  StrategyStatistics(std::string strategy_name, std::size_t months, std::uint64_t paths, std::size_t strategies);
  void merge(const StrategyStatistics& other);
  void clear();
  /// The name and every accumulator in accumulators() order (statistics.hpp, SERIALIZATION);
  /// deserialize throws stats::SerializationError unless the name and the shapes are equal.
  void serialize(stats::ByteWriter& out) const;
  void deserialize(stats::ByteReader& in);

  /// The mean NPV: the variance-reduced estimate when the run had it, else the mean over paths.
  [[nodiscard]] double npv_mean_usd() const {
    return npv_controlled.count() > 0 ? npv_controlled.estimate() : npv_usd.mean();
  }
  /// Its standard error.
  [[nodiscard]] double npv_se_usd() const {
    return npv_controlled.count() > 0 ? npv_controlled.standard_error() : npv_usd.standard_error();
  }
  [[nodiscard]] double cash_cost_usd_per_btc() const { return cash_cost_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double all_in_cost_usd_per_btc() const { return all_in_cost_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double hashcost_usd_per_ph_day() const { return cash_cost_usd.mean() / effective_ph_days.mean(); }
  [[nodiscard]] double cvar_usd() const { return npv_worst.conditional_tail_mean(); }
  /// The mean of the worst kCvarAlpha of the surviving paths' net worth (NaN when every path defaulted).
  [[nodiscard]] double survivor_net_worth_cvar_usd() const { return survivor_net_worth_worst.conditional_tail_mean(); }
  /// Mean running over mean available hashrate: the share of the fleet's hashing that curtailment left.
  [[nodiscard]] double running_fraction() const { return running_th_days.mean() / available_th_days.mean(); }
  /// The cash cost per BTC split (the three sum to cash_cost_usd_per_btc): energy net of credits,
  /// fixed hosting, other (site opex).
  [[nodiscard]] double energy_cost_usd_per_btc() const { return energy_cost_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double hosting_fixed_usd_per_btc() const { return hosting_fixed_usd.mean() / btc_mined.mean(); }
  [[nodiscard]] double other_cash_cost_usd_per_btc() const { return other_cash_cost_usd.mean() / btc_mined.mean(); }

 private:
  /// Every accumulator, in serialization order (append new ones: the order is the wire format).
  template <class Self>
  static auto accumulators(Self& s) {
    return std::tie(s.defaulted, s.default_month, s.npv_usd, s.npv_quantiles, s.npv_worst, s.btc_mined, s.btc_held_end,
                    s.ebitda_usd_per_year, s.cash_cost_usd, s.all_in_cost_usd, s.effective_ph_days, s.npv_vs_first,
                    s.npv_utility, s.btc_sold, s.margin_called, s.running_th_days, s.available_th_days,
                    s.curtailed_mwh, s.energy_cost_usd, s.hosting_fixed_usd, s.other_cash_cost_usd, s.slippage_usd,
                    s.machines_bought, s.machines_sold, s.npv_vs_each, s.survivor_net_worth_quantiles,
                    s.survivor_net_worth_worst, s.hedge_pnl_usd, s.npv_per_share_usd, s.npv_per_share_quantiles,
                    s.shares_issued, s.shares_issued_quantiles, s.refinancings, s.margin_posted_usd,
                    s.margin_posted_quantiles, s.npv_controlled);
  }
};

}  // namespace hashpivot::sim
