#include "hashpivot/engine/simulation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"

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

namespace {

constexpr std::size_t kFirmSeries = static_cast<std::size_t>(FirmSeries::kCount);
constexpr std::size_t kMarketSeries = static_cast<std::size_t>(MarketSeries::kCount);

/// The calendar of a run: month index of each day and whether a day closes its month.
struct Calendar {
  int horizon_days = 0;
  std::vector<std::uint16_t> month_of_day;
  std::vector<std::uint8_t> closes_month;
  std::vector<std::string> month_labels;
};

Calendar make_calendar(DayNumber start, int horizon_years) {
  Calendar c;
  c.horizon_days = add_years(start, horizon_years) - start;
  const int first_month = month_index(start);
  c.month_of_day.resize(static_cast<std::size_t>(c.horizon_days));
  c.closes_month.resize(static_cast<std::size_t>(c.horizon_days));
  for (int d = 0; d < c.horizon_days; ++d) {
    const auto i = static_cast<std::size_t>(d);
    c.month_of_day[i] = static_cast<std::uint16_t>(month_index(start + d) - first_month);
    c.closes_month[i] = d + 1 == c.horizon_days || month_index(start + d + 1) != month_index(start + d);
    if (c.month_labels.size() <= c.month_of_day[i]) c.month_labels.push_back(format_month(start + d));
  }
  return c;
}

/// Everything merged across paths; one per block in flight and one for the total.
struct Accumulator {
  std::vector<StrategyStatistics> strategies;
  MonthlySeries firm_series;
  MonthlySeries market_series;
  MonthlyAccounts accounts;

  Accumulator(const firm::Scenario& scenario, std::size_t months, std::uint64_t paths)
      : firm_series({scenario.strategies.size(), months, kFirmSeries}),
        market_series({1, months, kMarketSeries}),
        accounts(scenario.strategies.size(), months) {
    for (const firm::Strategy& s : scenario.strategies) strategies.emplace_back(s.name, months, paths);
  }
  void merge(const Accumulator& o) {
    for (std::size_t s = 0; s < strategies.size(); ++s) strategies[s].merge(o.strategies[s]);
    firm_series.merge(o.firm_series);
    market_series.merge(o.market_series);
    accounts.merge(o.accounts);
  }
  void clear() {
    for (StrategyStatistics& s : strategies) s.clear();
    firm_series.clear();
    market_series.clear();
    accounts.clear();
  }
};

/// One strategy's firm on the current path, and its running totals.
struct FirmRun {
  firm::FirmPlan plan;
  firm::FirmState opening;
  firm::FirmState state;
  firm::DayAccounts day{};
  double btc_mined = 0;
  double cash_cost_usd = 0;
  double all_in_cost_usd = 0;
  double effective_ph_days = 0;
  double ebitda_usd = 0;
  double ebitda_last_year_usd = 0;
  std::array<double, MonthlyAccounts::kFields> month_sums{};
};

/// A thread's scratch: sized once, reused for every path of every block it runs.
class Worker {
 public:
  Worker(const firm::Scenario& scenario, const MarketModel& market, const Calendar& calendar, std::uint64_t seed)
      : scenario_(scenario), market_(market), calendar_(calendar), rng_(seed) {
    for (std::size_t s = 0; s < scenario.strategies.size(); ++s) {
      FirmRun run;
      run.plan = firm::make_plan(scenario, s);
      run.opening = firm::make_state(run.plan);
      run.state = run.opening;
      hourly_needed_ = hourly_needed_ || run.plan.curtail_policy == firm::CurtailPolicy::kEconomic;
      runs_.push_back(std::move(run));
    }
    // Hourly prices only matter to economic curtailment at index sites.
    hourly_needed_ = hourly_needed_ && market.has_energy_index;
    const std::size_t sites = scenario.sites.size();
    power_usd_per_mwh_.assign(sites, 0.0);
    hourly_usd_per_mwh_.assign(sites * kHoursPerDay, 0.0);
    site_index_.resize(sites);
    site_price_.resize(sites);
    tenant_hazard_per_day_.assign(sites, 0.0);
    tenant_default_after_.assign(sites, firm::kTenantNeverDefaults);
    for (std::size_t k = 0; k < sites; ++k) {
      const firm::Site& site = scenario.sites[k];
      site_index_[k] = site.power_contract == "index";
      site_price_[k] = site.power_price_usd_per_mwh;
      if (site.conversion && site.conversion->tenant_default_prob_annual > 0)
        tenant_hazard_per_day_[k] = -std::log1p(-std::min(site.conversion->tenant_default_prob_annual, 1.0 - 1e-15)) /
                                    kDaysPerYear;
    }
    const double years = calendar.horizon_days / kDaysPerYear;
    discount_ = std::pow(1.0 + scenario.run.discount_rate_annual, -years);
    years_ = years;
  }

  void run_block(std::uint32_t block, std::int64_t total_paths, Accumulator& acc) {
    const auto first = static_cast<std::int64_t>(block) * kPathsPerBlock;
    const std::int64_t last = std::min<std::int64_t>(first + kPathsPerBlock, total_paths);
    for (std::int64_t p = first; p < last; ++p) run_path(static_cast<std::uint32_t>(p), acc);
  }

 private:
  void start_path(std::uint32_t path) {
    for (std::size_t k = 0; k < tenant_hazard_per_day_.size(); ++k) {
      int after = firm::kTenantNeverDefaults;
      if (tenant_hazard_per_day_[k] > 0) {
        const double u = rng_.uniforms({random::Stream::kFirm, path, 0, static_cast<std::uint32_t>(k)})[0];
        const double days = -std::log(u) / tenant_hazard_per_day_[k];
        after = days < static_cast<double>(INT_MAX) ? static_cast<int>(days) : firm::kTenantNeverDefaults;
      }
      tenant_default_after_[k] = after;
    }
    for (FirmRun& r : runs_) {
      r.state = r.opening;  // same sizes: copy-assignment reuses the vectors' storage
      for (std::size_t k = 0; k < r.state.tenant_default_after_days.size(); ++k)
        r.state.tenant_default_after_days[k] = tenant_default_after_[k];
      r.btc_mined = r.cash_cost_usd = r.all_in_cost_usd = r.effective_ph_days = 0;
      r.ebitda_usd = r.ebitda_last_year_usd = 0;
      r.month_sums.fill(0.0);
    }
  }

  void run_path(std::uint32_t path, Accumulator& acc) {
    start_path(path);
    MarketPathState ms = start_market_path(market_, rng_, path);
    MarketDay md;
    double month_hashprice_sum = 0;
    int month_days = 0;
    const int last_year_from = calendar_.horizon_days - static_cast<int>(kDaysPerYear);
    for (int d = 0; d < calendar_.horizon_days; ++d) {
      const auto day = static_cast<std::uint32_t>(d);
      step_market_day(market_, rng_, path, day, ms, md);
      for (std::size_t k = 0; k < site_price_.size(); ++k) {
        if (!site_index_[k]) continue;
        power_usd_per_mwh_[k] = site_price_[k] * md.energy_factor;
        if (!hourly_needed_) continue;
        for (std::size_t h = 0; h < kHoursPerDay; ++h)
          hourly_usd_per_mwh_[k * kHoursPerDay + h] = power_usd_per_mwh_[k] * market_.energy_hour_factor[h];
      }
      const firm::DayMarket dm{md.price_usd_per_btc, md.hashprice_btc_per_ph_day, md.hashprice_usd_per_ph_day,
                               power_usd_per_mwh_, hourly_needed_ ? std::span<const double>(hourly_usd_per_mwh_)
                                                                  : std::span<const double>()};
      month_hashprice_sum += md.hashprice_usd_per_ph_day;
      ++month_days;
      const std::size_t month = calendar_.month_of_day[day];
      const bool month_end = calendar_.closes_month[day] != 0;
      for (std::size_t s = 0; s < runs_.size(); ++s) {
        FirmRun& r = runs_[s];
        firm::step_day(r.plan, d, dm, r.state, r.day);
        const firm::DayAccounts& a = r.day;
        const double cash_cost = a.power_cost_usd + a.opex_usd - a.curtailment_credit_usd;
        r.btc_mined += a.btc_mined;
        r.cash_cost_usd += cash_cost;
        r.all_in_cost_usd += cash_cost + a.sga_usd + a.depreciation_usd + a.interest_usd;
        if (a.btc_mined > 0) r.effective_ph_days += a.btc_mined / (md.hashprice_btc_per_ph_day * (1.0 - r.plan.pool_fee));
        r.ebitda_usd += a.ebitda_usd;
        if (d >= last_year_from) r.ebitda_last_year_usd += a.ebitda_usd;
        add_day(a, r.month_sums);
        if (month_end) {
          acc.accounts.add(s, month, r.month_sums.data());
          r.month_sums.fill(0.0);
          const firm::BalanceSheet bs = firm::balance_sheet(r.state);
          const double btc = firm::total_btc(r.state);
          acc.firm_series.add(s, month, static_cast<std::size_t>(FirmSeries::kCashUsd), r.state.cash_usd);
          acc.firm_series.add(s, month, static_cast<std::size_t>(FirmSeries::kBtcHeld), btc);
          acc.firm_series.add(s, month, static_cast<std::size_t>(FirmSeries::kDebtUsd), bs.liabilities_usd);
          acc.firm_series.add(s, month, static_cast<std::size_t>(FirmSeries::kEquityUsd),
                              r.state.defaulted ? 0.0 : bs.equity_usd);
        }
      }
      if (month_end) {
        acc.market_series.add(0, month, static_cast<std::size_t>(MarketSeries::kBtcPriceUsd), md.price_usd_per_btc);
        acc.market_series.add(0, month, static_cast<std::size_t>(MarketSeries::kHashpriceUsdPerPhDay),
                              month_hashprice_sum / month_days);
        acc.market_series.add(0, month, static_cast<std::size_t>(MarketSeries::kDifficultyT), md.difficulty / 1e12);
        acc.market_series.add(0, month, static_cast<std::size_t>(MarketSeries::kFeesBtcPerBlock), md.fees_btc_per_block);
        month_hashprice_sum = 0;
        month_days = 0;
      }
    }
    finish_path(md.price_usd_per_btc, acc);
  }

  static void add_day(const firm::DayAccounts& a, std::array<double, MonthlyAccounts::kFields>& sums) {
    const auto at = [&sums](AccountsField f) -> double& { return sums[static_cast<std::size_t>(f)]; };
    at(AccountsField::kMiningRevenueUsd) += a.mining_revenue_usd;
    at(AccountsField::kHpcRevenueUsd) += a.hpc_revenue_usd;
    at(AccountsField::kPowerCostUsd) += a.power_cost_usd;
    at(AccountsField::kCurtailmentCreditUsd) += a.curtailment_credit_usd;
    at(AccountsField::kOpexUsd) += a.opex_usd;
    at(AccountsField::kSgaUsd) += a.sga_usd;
    at(AccountsField::kEbitdaUsd) += a.ebitda_usd;
    at(AccountsField::kDepreciationUsd) += a.depreciation_usd;
    at(AccountsField::kInterestUsd) += a.interest_usd;
    at(AccountsField::kTaxUsd) += a.tax_usd;
    at(AccountsField::kNetIncomeUsd) += a.net_income_usd;
    at(AccountsField::kOperatingCashFlowUsd) += a.operating_cash_flow_usd;
    at(AccountsField::kInvestingCashFlowUsd) += a.investing_cash_flow_usd;
    at(AccountsField::kFinancingCashFlowUsd) += a.financing_cash_flow_usd;
    at(AccountsField::kBtcMined) += a.btc_mined;
    at(AccountsField::kBtcSold) += a.btc_sold;
    at(AccountsField::kBtcLiquidated) += a.btc_liquidated;
  }

  void finish_path(double final_price_usd, Accumulator& acc) {
    double first_npv = 0;
    for (std::size_t s = 0; s < runs_.size(); ++s) {
      const FirmRun& r = runs_[s];
      StrategyStatistics& st = acc.strategies[s];
      double npv = 0;
      if (!r.state.defaulted) {
        const firm::BalanceSheet bs = firm::balance_sheet(r.state);
        const double terminal =
            scenario_.run.terminal_ebitda_multiple * std::max(0.0, r.ebitda_last_year_usd);
        npv = discount_ * std::max(0.0, r.state.cash_usd + firm::total_btc(r.state) * final_price_usd - bs.liabilities_usd + terminal);
      }
      st.defaulted.add(r.state.defaulted);
      if (r.state.defaulted) {
        st.default_month.add_event(calendar_.month_of_day[static_cast<std::size_t>(r.state.default_day)]);
      } else {
        st.default_month.add_no_event();
      }
      st.npv_usd.add(npv);
      st.npv_quantiles.add(npv);
      st.npv_worst.add(npv);
      st.btc_mined.add(r.btc_mined);
      st.btc_held_end.add(firm::total_btc(r.state));
      st.ebitda_usd_per_year.add(r.ebitda_usd / years_);
      st.cash_cost_usd.add(r.cash_cost_usd);
      st.all_in_cost_usd.add(r.all_in_cost_usd);
      st.effective_ph_days.add(r.effective_ph_days);
      if (s == 0) first_npv = npv;
      st.npv_vs_first.add(npv, first_npv);
    }
  }

  const firm::Scenario& scenario_;
  const MarketModel& market_;
  const Calendar& calendar_;
  random::CounterRng rng_;
  std::vector<FirmRun> runs_;
  std::vector<double> power_usd_per_mwh_;
  std::vector<double> hourly_usd_per_mwh_;
  std::vector<std::uint8_t> site_index_;
  std::vector<double> site_price_;
  std::vector<double> tenant_hazard_per_day_;
  std::vector<int> tenant_default_after_;
  bool hourly_needed_ = false;
  double discount_ = 1;
  double years_ = 1;
};

}  // namespace

RunResult run_simulation(const firm::Scenario& scenario, const MarketModel& market, const RunOptions& options) {
  if (options.paths < 1) throw std::invalid_argument("run_simulation: paths must be at least 1");
  if (options.threads < 1) throw std::invalid_argument("run_simulation: threads must be at least 1");
  if (scenario.strategies.empty()) throw std::invalid_argument("run_simulation: the scenario has no strategy");
  const auto started = std::chrono::steady_clock::now();
  const Calendar calendar = make_calendar(scenario.run.start_date, scenario.run.horizon_years);
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
    workers.emplace_back(scenario, market, calendar, options.seed);
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
