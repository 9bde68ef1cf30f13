#include "hashpivot/engine/simulation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "accumulator.hpp"
#include "path_worker.hpp"

namespace hashpivot::engine {

StrategyStatistics::StrategyStatistics(std::string strategy_name, std::size_t months, std::uint64_t paths)
    : name(std::move(strategy_name)), default_month(months), npv_worst(kCvarAlpha, paths) {}

void StrategyStatistics::merge(const StrategyStatistics& o) {
  defaulted.merge(o.defaulted);
  default_month.merge(o.default_month);
  npv_usd.merge(o.npv_usd);
  npv_quantiles.merge(o.npv_quantiles);
  npv_worst.merge(o.npv_worst);
  btc_mined.merge(o.btc_mined);
  btc_held_end.merge(o.btc_held_end);
  ebitda_usd_per_year.merge(o.ebitda_usd_per_year);
  cash_cost_usd.merge(o.cash_cost_usd);
  all_in_cost_usd.merge(o.all_in_cost_usd);
  effective_ph_days.merge(o.effective_ph_days);
  npv_vs_first.merge(o.npv_vs_first);
  npv_utility.merge(o.npv_utility);
}

void StrategyStatistics::clear() {
  defaulted.clear();
  default_month.clear();
  npv_usd.clear();
  npv_quantiles.clear();
  npv_worst.clear();
  btc_mined.clear();
  btc_held_end.clear();
  ebitda_usd_per_year.clear();
  cash_cost_usd.clear();
  all_in_cost_usd.clear();
  effective_ph_days.clear();
  npv_vs_first.clear();
  npv_utility.clear();
}

double CrraUtility::utility(double npv_usd) const {
  const double wealth = wealth_offset_usd + npv_usd;
  if (gamma == 0) return wealth;
  if (gamma == 1) return std::log(wealth);
  return std::pow(wealth, 1.0 - gamma) / (1.0 - gamma);
}

double CrraUtility::certainty_equivalent_npv_usd(double expected_utility) const {
  double wealth = expected_utility;
  if (gamma == 1) {
    wealth = std::exp(expected_utility);
  } else if (gamma != 0) {
    wealth = std::pow(expected_utility * (1.0 - gamma), 1.0 / (1.0 - gamma));
  }
  return wealth - wealth_offset_usd;
}

double CrraUtility::marginal_utility(double npv_usd) const {
  return std::pow(wealth_offset_usd + npv_usd, -gamma);
}

const char* accounts_field_name(AccountsField field) {
  switch (field) {
    case AccountsField::kMiningRevenueUsd: return "mining_revenue_usd";
    case AccountsField::kHpcRevenueUsd: return "hpc_revenue_usd";
    case AccountsField::kPowerCostUsd: return "power_cost_usd";
    case AccountsField::kCurtailmentCreditUsd: return "curtailment_credit_usd";
    case AccountsField::kOpexUsd: return "opex_usd";
    case AccountsField::kSgaUsd: return "sga_usd";
    case AccountsField::kEbitdaUsd: return "ebitda_usd";
    case AccountsField::kDepreciationUsd: return "depreciation_usd";
    case AccountsField::kInterestUsd: return "interest_usd";
    case AccountsField::kTaxUsd: return "tax_usd";
    case AccountsField::kNetIncomeUsd: return "net_income_usd";
    case AccountsField::kOperatingCashFlowUsd: return "operating_cash_flow_usd";
    case AccountsField::kInvestingCashFlowUsd: return "investing_cash_flow_usd";
    case AccountsField::kFinancingCashFlowUsd: return "financing_cash_flow_usd";
    case AccountsField::kBtcMined: return "btc_mined";
    case AccountsField::kBtcSold: return "btc_sold";
    case AccountsField::kBtcLiquidated: return "btc_liquidated";
    case AccountsField::kCount: break;
  }
  return "?";
}

MonthlyAccounts::MonthlyAccounts(std::size_t strategies, std::size_t months)
    : months_(months), cells_(strategies * months * kFields) {}

void MonthlyAccounts::merge(const MonthlyAccounts& other) {
  for (std::size_t i = 0; i < cells_.size(); ++i) cells_[i].merge(other.cells_[i]);
}

void MonthlyAccounts::clear() {
  for (Moments& m : cells_) m.clear();
}

RunResult run_simulation(const firm::Scenario& scenario, const MarketModel& market, const RunOptions& options) {
  using detail::Accumulator;
  using detail::Worker;
  if (options.paths < 1) throw std::invalid_argument("run_simulation: paths must be at least 1");
  if (options.threads < 1) throw std::invalid_argument("run_simulation: threads must be at least 1");
  if (scenario.strategies.empty()) throw std::invalid_argument("run_simulation: the scenario has no strategy");
  const auto started = std::chrono::steady_clock::now();
  const detail::Calendar calendar = detail::make_calendar(scenario.run.start_date, scenario.run.horizon_years);
  const std::size_t months = calendar.month_labels.size();
  const auto paths = static_cast<std::uint64_t>(options.paths);
  const auto blocks = static_cast<std::uint32_t>((options.paths + kPathsPerBlock - 1) / kPathsPerBlock);
  const unsigned threads = std::min<unsigned>(options.threads, blocks);

  Accumulator total(scenario, months, paths);
  std::vector<Accumulator> in_flight;
  std::vector<Worker> workers;
  in_flight.reserve(threads);
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    in_flight.emplace_back(scenario, months, paths);
    workers.emplace_back(scenario, market, calendar, options.seed, options.utility);
  }
  for (std::uint32_t round_start = 0; round_start < blocks; round_start += threads) {
    const unsigned in_round = std::min<unsigned>(threads, blocks - round_start);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < in_round; ++t)
      pool.emplace_back([&, t] { workers[t].run_block(round_start + t, options.paths, in_flight[t]); });
    workers[0].run_block(round_start, options.paths, in_flight[0]);
    for (std::thread& th : pool) th.join();
    // Ascending block order: the merge, and so every floating-point sum, is the same for any thread count.
    for (unsigned t = 0; t < in_round; ++t) {
      total.merge(in_flight[t]);
      in_flight[t].clear();
    }
    if (options.progress)
      options.progress(std::min<std::int64_t>(options.paths, static_cast<std::int64_t>(round_start + in_round) * kPathsPerBlock),
                       options.paths);
  }

  RunResult result{scenario.run.name,
                   options.seed,
                   options.paths,
                   threads,
                   scenario.run.start_date,
                   calendar.horizon_days,
                   calendar.month_labels,
                   std::move(total.strategies),
                   std::move(total.firm_series),
                   std::move(total.market_series),
                   std::move(total.accounts),
                   market.description,
                   0.0};
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace hashpivot::engine
