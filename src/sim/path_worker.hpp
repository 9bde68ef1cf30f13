#pragma once
// Internal to the engine: one thread's worker, which runs every firm of a run (each strategy of a
// scenario, or each firm of a peer run) over the paths of a block on the common simulated markets
// and adds them to an accumulator.

#include <algorithm>
#include <array>
#include <cassert>
#include <climits>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "accumulator.hpp"
#include "path_totals.hpp"
#include "lane_totals.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/model/pool_luck.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/equity.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/random/philox.hpp"
#include "hashpivot/sim/market_replay.hpp"

namespace hashpivot::sim::detail {

/// Paths a worker steps side by side (Worker::run_lanes): a block of the firm's lanes.
inline constexpr std::size_t kLanes = firm::lanes::kLanes;

/// A tenant's annual default probability is clamped just below 1 so that its hazard, −ln(1 − p), stays
/// finite (a tenant certain to default still defaults on a drawn day, not on day 0).
inline constexpr double kMaxTenantDefaultProbAnnual = 1.0 - 1e-15;

/// The step of Stream::kFirm whose counter holds a path's NAV-multiple draw (step 0 holds the
/// tenants' default draws, one block per site).
inline constexpr std::uint32_t kNavMultipleStep = 1;

/// One strategy's firm on the current path, and its running totals; and on the current block of
/// paths when the worker steps them side by side (Worker::run_lanes).
struct FirmRun {
  std::size_t group = 0;  // its FirmGroup: the scenario whose sites, pool and equity it shares
  firm::FirmPlan plan;
  firm::FirmState opening;
  firm::FirmState state;
  firm::DayAccounts day{};
  PathTotals totals;
  double gross_of_pool_fee = 1;  // 1 / (1 − pool fee)
  // Side by side (run_lanes): a plan that steps in lanes (firm::steps_in_lanes) keeps its paths'
  // states in `lanes`; another keeps one state a path in `lane_paths`.
  bool in_lanes = false;
  firm::LaneState lanes{};
  firm::LaneState lane_scratch{};
  firm::LaneAccounts lane_day{};
  std::array<firm::FirmState, firm::lanes::kLanes> lane_paths{};  // value-initialized: moved with the run
  BasicPathTotals<firm::lanes::Lanes> lane_totals{};
};

/// What the firms of one scenario share on a path: its sites' power prices, its tenants' default
/// days, its pool's luck and its NAV multiple. A run of one scenario has one group; a peer run has
/// one per firm. Every group reads the same counters (kFirm for tenants and the NAV multiple,
/// kPoolLuck), so firms of different scenarios see common random numbers, and a group's draws do not
/// depend on the other groups.
struct FirmGroup {
  FirmGroup(const firm::Scenario& s, std::size_t first, std::size_t end)
      : scenario(&s), first_run(first), end_run(end), pool_luck(s.pool.window_days),
        pool_pays_luck(s.pool.pays_luck()) {}
  const firm::Scenario* scenario;
  std::size_t first_run;  // its runs: runs_[first_run, end_run)
  std::size_t end_run;
  std::vector<double> power_usd_per_mwh;
  std::vector<double> hourly_usd_per_mwh;
  firm::lanes::LaneVector lane_power_usd_per_mwh;  // per site, each lane a path (Worker::run_lanes)
  std::vector<double> path_power_usd_per_mwh;      // lanes × sites, for a path's firm::DayMarket
  std::vector<std::uint8_t> site_index;
  std::vector<double> site_price;
  std::vector<double> tenant_hazard_per_day;
  std::vector<int> tenant_default_after;
  model::PoolLuck pool_luck;
  bool pool_pays_luck;
  bool hourly_needed = false;
  double discount = 1;  // (1 + the scenario's discount rate)^−years
};

/// Antithetic pairs (2k, 2k + 1) must not span two blocks: a worker runs a block's paths in order,
/// and the odd path mirrors the draws its partner left in the worker's buffers.
static_assert(kPathsPerBlock % 2 == 0);

/// A path's control variates for the mean NPV (RunOptions::variance_reduction).
using PathControls = std::array<double, model::PriceControls::kCount>;
static_assert(model::PriceControls::kCount <= stats::ControlledMean::kMaxControls);

/// A thread's scratch: sized once, reused for every path of every block it runs.
class Worker {
 public:
  /// `firms`: the firms to run, in the accumulator's order; consecutive firms of the same scenario
  /// share a FirmGroup.
  /// `variance_reduction`: antithetic pairs and `npv_controls` control variates
  /// (RunOptions::variance_reduction). `replay`: the run's RunOptions::market_replay (checked by the run).
  /// `block_step`, `lane_set`: RunOptions::block_step and RunOptions::lane_instruction_set.
  Worker(std::span<const RunFirm> firms, const model::MarketModel& market, const Calendar& calendar, std::uint64_t seed,
         const CrraUtility& utility, bool variance_reduction, std::size_t npv_controls, MarketReplay* replay,
         bool block_step, firm::lanes::InstructionSet lane_set)
      : market_(market), calendar_(calendar), rng_(seed), utility_(utility), variance_reduction_(variance_reduction),
        npv_controls_(npv_controls), replay_(replay), lane_set_(lane_set) {
    const double years = calendar.horizon_days / kDaysPerYear;
    years_ = years;
    last_year_from_ = calendar.horizon_days - static_cast<int>(kDaysPerYear);
    for (std::size_t i = 0; i < firms.size(); ++i) {
      const firm::Scenario& scenario = *firms[i].scenario;
      if (groups_.empty() || groups_.back().scenario != &scenario) groups_.emplace_back(scenario, i, i);
      FirmGroup& group = groups_.back();
      group.end_run = i + 1;
      FirmRun run;
      run.group = groups_.size() - 1;
      run.plan = firm::make_plan(scenario, firms[i].strategy);
      run.opening = firm::make_state(run.plan);
      run.state = run.opening;
      run.gross_of_pool_fee = 1.0 / (1.0 - run.plan.pool_fee);
      group.hourly_needed = group.hourly_needed || run.plan.curtail_policy == firm::CurtailPolicy::kEconomic;
      runs_.push_back(std::move(run));
    }
    for (FirmGroup& group : groups_) {
      const firm::Scenario& scenario = *group.scenario;
      // Hourly prices only matter to economic curtailment at index sites.
      group.hourly_needed = group.hourly_needed && market.has_energy_index;
      const std::size_t sites = scenario.sites.size();
      group.power_usd_per_mwh.assign(sites, 0.0);
      group.lane_power_usd_per_mwh.assign(sites, firm::lanes::Lanes{});
      group.path_power_usd_per_mwh.assign(kLanes * sites, 0.0);
      group.hourly_usd_per_mwh.assign(sites * kHoursPerDay, 0.0);
      group.site_index.resize(sites);
      group.site_price.resize(sites);
      group.tenant_hazard_per_day.assign(sites, 0.0);
      group.tenant_default_after.assign(sites, firm::kTenantNeverDefaults);
      for (std::size_t k = 0; k < sites; ++k) {
        const firm::Site& site = scenario.sites[k];
        group.site_index[k] = site.power_contract != firm::PowerContract::kFixed;  // index and pass_through follow the index
        group.site_price[k] = site.power_price_usd_per_mwh;
        if (site.conversion && site.conversion->tenant_default_prob_annual > 0)
          group.tenant_hazard_per_day[k] =
              -std::log1p(-std::min(site.conversion->tenant_default_prob_annual, kMaxTenantDefaultProbAnnual)) /
              kDaysPerYear;
      }
      group.discount = std::pow(1.0 + scenario.run.discount_rate_annual, -years);
    }
    // Side by side only where every lane's day has the same inputs as a path's: no hourly prices
    // (a block's market has none) and no pool luck (drawn with a state a path).
    lanes_ = block_step && std::none_of(groups_.begin(), groups_.end(), [](const FirmGroup& g) {
               return g.hourly_needed || g.pool_pays_luck;
             });
    if (lanes_) {
      for (FirmRun& r : runs_) {
        r.in_lanes = firm::steps_in_lanes(r.plan);
        if (r.in_lanes) {
          r.lanes = firm::lane_state_of(r.opening);
          r.lane_scratch = r.lanes;
        } else {
          r.lane_paths.fill(r.opening);
        }
      }
    }
    npv_by_strategy_.assign(runs_.size(), 0.0);
    pair_first_npv_.assign(runs_.size(), 0.0);
    net_worth_by_strategy_.assign(runs_.size(), 0.0);
    month_end_cells_ = runs_.size() * kFirmSeries + kMarketSeries;
    month_end_values_.assign(calendar.month_labels.size() * month_end_cells_ * kPathsPerBlock, 0.0);
  }

  void run_block(std::uint32_t block, std::int64_t total_paths, Accumulator& acc) {
    const auto first = static_cast<std::int64_t>(block) * kPathsPerBlock;
    const std::int64_t last = std::min<std::int64_t>(first + kPathsPerBlock, total_paths);
    // A block is replayed whole or simulated whole (and then stored): an antithetic pair never spans two.
    const bool replaying = replay_ != nullptr && replay_->has_block(block);
    std::int64_t p = first;
    // kLanes paths side by side while a whole set is left (from an even path: an antithetic pair
    // stays in one set), then one at a time.
    if (lanes_)
      for (; p + static_cast<std::int64_t>(kLanes) <= last; p += static_cast<std::int64_t>(kLanes))
        run_lanes(static_cast<std::uint32_t>(p), static_cast<std::size_t>(p - first), total_paths, replaying, acc);
    for (; p < last; ++p)
      run_path(static_cast<std::uint32_t>(p), static_cast<std::size_t>(p - first), p + 1 == total_paths, replaying, acc);
    if (replay_ != nullptr && !replaying) replay_->mark_block(block);
    add_month_end_values(static_cast<std::size_t>(last - first), acc);
  }

 private:
  void start_path(std::uint32_t path) {
    for (FirmGroup& group : groups_) {
      group.pool_luck.start();
      for (std::size_t k = 0; k < group.tenant_hazard_per_day.size(); ++k) {
        int after = firm::kTenantNeverDefaults;
        if (group.tenant_hazard_per_day[k] > 0) {
          const double u = rng_.uniforms({random::Stream::kFirm, path, 0, static_cast<std::uint32_t>(k)})[0];
          const double days = -std::log(u) / group.tenant_hazard_per_day[k];
          after = days < static_cast<double>(INT_MAX) ? static_cast<int>(days) : firm::kTenantNeverDefaults;
        }
        group.tenant_default_after[k] = after;
      }
      // The path's NAV multiple (firm/equity.hpp), common to every strategy: drawn at its own counter
      // (kFirm, path, kNavMultipleStep), so no other draw moves, and only when it is dispersed.
      const firm::Equity& equity = group.scenario->equity;
      const double nav_multiple =
          equity.nav_multiple_dispersion > 0
              ? firm::nav_multiple_on_path(equity.nav_multiple, equity.nav_multiple_dispersion,
                                           rng_.normals({random::Stream::kFirm, path, kNavMultipleStep, 0})[0])
              : equity.nav_multiple;
      for (std::size_t s = group.first_run; s < group.end_run; ++s) {
        FirmRun& r = runs_[s];
        r.state = r.opening;  // same sizes: copy-assignment reuses the vectors' storage
        r.state.nav_multiple = nav_multiple;
        for (std::size_t k = 0; k < r.state.sites.size(); ++k)
          r.state.sites[k].tenant_default_after_days = group.tenant_default_after[k];
        r.totals = PathTotals{};
      }
    }
  }

  /// Where path `slot` of the block keeps its value of month-end cell `cell` (a strategy's firm
  /// series, then the market series) for `month`: [month][cell][slot], so each cell's values are
  /// contiguous when the block adds them.
  double& month_end_value(std::size_t month, std::size_t cell, std::size_t slot) {
    return month_end_values_[(month * month_end_cells_ + cell) * kPathsPerBlock + slot];
  }

  // The block's month-end values go into the monthly series cell by cell, in path order within each
  // cell: the order a path-by-path add would give, so the stats::Moments get the same bits, while each
  // quantile sketch (12.6 KiB) stays in cache for the block's paths instead of being touched once
  // per path (adding path by path was a tenth of the run time, in cache misses).
  void add_month_end_values(std::size_t paths, Accumulator& acc) {
    const std::size_t strategies = runs_.size();
    for (std::size_t month = 0; month < calendar_.month_labels.size(); ++month) {
      for (std::size_t cell = 0; cell < month_end_cells_; ++cell) {
        const double* values = &month_end_value(month, cell, 0);
        if (cell < strategies * kFirmSeries) {
          for (std::size_t slot = 0; slot < paths; ++slot)
            acc.firm_series.add(cell / kFirmSeries, month, cell % kFirmSeries, values[slot]);
        } else {
          for (std::size_t slot = 0; slot < paths; ++slot)
            acc.market_series.add(0, month, cell - strategies * kFirmSeries, values[slot]);
        }
      }
    }
  }

  /// At the close of `month`: strategy `s`'s month sums into the accumulator, and the path's
  /// month-end firm cells (from its `state`) into block slot `slot`.
  void close_month(std::size_t s, const firm::DayAccounts& month_sums, const firm::FirmState& state, std::size_t month,
                   std::size_t slot, Accumulator& acc) {
    acc.accounts.add(s, month, month_sums);
    const firm::BalanceSheet bs = firm::balance_sheet(state);
    const double btc = firm::total_btc(state);
    const auto firm_cell = [&](FirmSeries series) -> double& {
      return month_end_value(month, s * kFirmSeries + static_cast<std::size_t>(series), slot);
    };
    firm_cell(FirmSeries::kCashUsd) = state.cash_usd;
    firm_cell(FirmSeries::kBtcHeld) = btc;
    firm_cell(FirmSeries::kDebtUsd) = bs.liabilities_usd;
    firm_cell(FirmSeries::kEquityUsd) = state.defaulted ? 0.0 : bs.equity_usd;
  }

  /// `last`: the run's last path (with variance reduction, the one left without a pair when the
  /// paths are odd). `replaying`: the market days come from replay_, else they are simulated (and
  /// stored when there is a replay).
  void run_path(std::uint32_t path, std::size_t slot, bool last, bool replaying, Accumulator& acc) {
    start_path(path);
    model::MarketPathState ms;
    if (!replaying) ms = start_market_path(market_, rng_, path);
    // The path's main market draws for every day at once, in vectorized loops (SoA buffers reused);
    // with variance reduction an odd path takes its even partner's, mirrored (antithetic): the
    // partner ran just before on this worker (blocks start at even paths), so its draws are still in
    // the buffers and the mirror costs a pass over them instead of a draw.
    const auto days = static_cast<std::uint32_t>(calendar_.horizon_days);
    if (replaying) {
      drawn_path_ = UINT32_MAX;
    } else if (variance_reduction_ && path % 2 == 1) {
      assert(drawn_path_ == path - 1);
      model::mirror_market_draws(draws_, days);
      drawn_path_ = path;
    } else {
      draw_market_path(rng_, path, days, draws_);
      drawn_path_ = path;
    }
    MarketReplay* const store = replaying ? nullptr : replay_;
    model::MarketDay md;
    double price_sum_usd = 0;  // Σ_d S_d, for the mean-price control
    double month_hashprice_sum = 0;
    int month_days = 0;
    for (int d = 0; d < calendar_.horizon_days; ++d) {
      const auto day = static_cast<std::uint32_t>(d);
      const std::size_t month = calendar_.month_of_day[day];
      const bool month_end = calendar_.closes_month[day] != 0;
      if (replaying) {
        replay_->load_day(path, day, md);
        if (month_end) replay_->load_month_end(path, month, md);
      } else {
        const model::MarketDayDraws draws{draws_.normal0[day], draws_.normal1[day], draws_.normal2[day],
                                          draws_.fee_spike_uniform[day], draws_.price_uniform[day]};
        step_market_day(market_, rng_, path, day, draws, ms, md);
        if (store != nullptr) {
          store->store_day(path, day, md);
          if (month_end) store->store_month_end(path, month, md);
        }
      }
      price_sum_usd += md.price_usd_per_btc;
      month_hashprice_sum += md.hashprice_usd_per_ph_day;
      ++month_days;
      // PH/s-days that earn one BTC before the pool fee: what turns BTC mined into effective hashrate.
      const double ph_days_per_btc = 1.0 / md.hashprice_btc_per_ph_day;
      for (FirmGroup& group : groups_) {
        for (std::size_t k = 0; k < group.site_price.size(); ++k) {
          if (!group.site_index[k]) continue;
          group.power_usd_per_mwh[k] = group.site_price[k] * md.energy_factor;
          if (!group.hourly_needed) continue;
          for (std::size_t h = 0; h < kHoursPerDay; ++h)
            group.hourly_usd_per_mwh[k * kHoursPerDay + h] = group.power_usd_per_mwh[k] * market_.energy_hour_factor[h];
        }
        const firm::DayMarket dm{md.price_usd_per_btc,
                                 md.hashprice_btc_per_ph_day,
                                 md.hashprice_usd_per_ph_day,
                                 group.power_usd_per_mwh,
                                 group.hourly_needed ? std::span<const double>(group.hourly_usd_per_mwh)
                                                     : std::span<const double>(),
                                 group.pool_pays_luck ? pool_luck(group, path, day, md) : 1.0};
        for (std::size_t s = group.first_run; s < group.end_run; ++s) {
          FirmRun& r = runs_[s];
          // A defaulted firm's day is all zeros (firm::step_day's first rule): adding it changes no sum.
          if (!r.state.defaulted) {
            firm::step_day(r.plan, d, dm, r.state, r.day);
            add_day(r.totals, r.day, r.state.margin_posted_usd, d >= last_year_from_, ph_days_per_btc, r.gross_of_pool_fee, true);
          }
          if (month_end) {
            close_month(s, r.totals.month_sums, r.state, month, slot, acc);
            r.totals.month_sums = firm::DayAccounts{};
          }
        }
      }
      if (month_end) {
        const auto market_cell = [&](MarketSeries series) -> double& {
          return month_end_value(month, runs_.size() * kFirmSeries + static_cast<std::size_t>(series), slot);
        };
        market_cell(MarketSeries::kBtcPriceUsd) = md.price_usd_per_btc;
        market_cell(MarketSeries::kHashpriceUsdPerPhDay) = month_hashprice_sum / month_days;
        market_cell(MarketSeries::kDifficultyT) = md.difficulty / kTrillion;
        market_cell(MarketSeries::kFeesBtcPerBlock) = md.fees_btc_per_block;
        month_hashprice_sum = 0;
        month_days = 0;
      }
    }
    const PathControls controls =
        model::PriceControls::values(md.price_usd_per_btc, price_sum_usd, market_.btc_price_usd, calendar_.horizon_days);
    finish_path(path, last, md.price_usd_per_btc, controls, acc);
  }

  /// Lane `l` of a block's totals: the path's.
  static PathTotals lane_of(const BasicPathTotals<firm::lanes::Lanes>& t, std::size_t l) {
    static_assert(sizeof(PathTotals) == 19 * sizeof(double) + sizeof(firm::DayAccounts),
                  "a total was added to PathTotals: add it here");
    PathTotals p;
    p.btc_mined = t.btc_mined[l];
    p.cash_cost_usd = t.cash_cost_usd[l];
    p.all_in_cost_usd = t.all_in_cost_usd[l];
    p.effective_ph_days = t.effective_ph_days[l];
    p.ebitda_usd = t.ebitda_usd[l];
    p.ebitda_last_year_usd = t.ebitda_last_year_usd[l];
    p.btc_sold = t.btc_sold[l];
    p.margin_calls = t.margin_calls[l];
    p.running_th_days = t.running_th_days[l];
    p.available_th_days = t.available_th_days[l];
    p.curtailed_mwh = t.curtailed_mwh[l];
    p.energy_cost_usd = t.energy_cost_usd[l];
    p.hosting_fixed_usd = t.hosting_fixed_usd[l];
    p.other_cash_cost_usd = t.other_cash_cost_usd[l];
    p.slippage_usd = t.slippage_usd[l];
    p.machines_bought = t.machines_bought[l];
    p.machines_sold = t.machines_sold[l];
    p.hedge_pnl_usd = t.hedge_pnl_usd[l];
    p.margin_peak_usd = t.margin_peak_usd[l];
    firm::get_lane(t.month_sums, l, p.month_sums);
    return p;
  }

  /// Paths first .. first + kLanes − 1 side by side (slots `slot` on): each day their kLanes markets,
  /// then each firm's day on all of them, by firm::step_day_lanes where its plan steps in lanes (else
  /// firm::step_day on each), and each path's totals, month ends and finish as run_path does them, in
  /// path order: the same bits as kLanes calls of run_path. Only for a run with neither hourly power
  /// prices nor a pool that pays its luck (lanes_).
  void run_lanes(std::uint32_t first, std::size_t slot, std::int64_t total_paths, bool replaying, Accumulator& acc) {
    const auto days = static_cast<std::uint32_t>(calendar_.horizon_days);
    std::array<model::MarketPathState, kLanes> ms{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      const auto path = first + static_cast<std::uint32_t>(l);
      start_path(path);
      for (FirmRun& r : runs_) {
        if (l == 0) r.lane_totals = BasicPathTotals<firm::lanes::Lanes>{};
        if (r.in_lanes) {
          firm::set_lane(r.lanes, l, r.state);
        } else {
          r.lane_paths[l] = r.state;  // same sizes: no allocation
        }
      }
      if (replaying) continue;
      ms[l] = start_market_path(market_, rng_, path);
      // An odd path of a pair takes its partner's draws (the lane before) mirrored, as run_path does.
      if (variance_reduction_ && path % 2 == 1) {
        lane_draws_[l] = lane_draws_[l - 1];  // same sizes after the first set: no allocation
        model::mirror_market_draws(lane_draws_[l], days);
      } else {
        draw_market_path(rng_, path, days, lane_draws_[l]);
      }
    }
    drawn_path_ = UINT32_MAX;  // draws_ was not touched
    MarketReplay* const store = replaying ? nullptr : replay_;
    std::array<model::MarketDay, kLanes> md{};
    std::array<double, kLanes> price_sum_usd{};
    std::array<double, kLanes> month_hashprice_sum{};
    firm::lanes::Lanes ph_days_per_btc{};
    int month_days = 0;
    firm::LaneMarket lane_market{};
    std::array<firm::DayMarket, kLanes> path_markets{};
    for (int d = 0; d < calendar_.horizon_days; ++d) {
      const auto day = static_cast<std::uint32_t>(d);
      const std::size_t month = calendar_.month_of_day[day];
      const bool month_end = calendar_.closes_month[day] != 0;
      for (std::size_t l = 0; l < kLanes; ++l) {
        const auto path = first + static_cast<std::uint32_t>(l);
        if (replaying) {
          replay_->load_day(path, day, md[l]);
          if (month_end) replay_->load_month_end(path, month, md[l]);
        } else {
          const model::MarketPathDraws& dr = lane_draws_[l];
          const model::MarketDayDraws draws{dr.normal0[day], dr.normal1[day], dr.normal2[day],
                                            dr.fee_spike_uniform[day], dr.price_uniform[day]};
          step_market_day(market_, rng_, path, day, draws, ms[l], md[l]);
          if (store != nullptr) {
            store->store_day(path, day, md[l]);
            if (month_end) store->store_month_end(path, month, md[l]);
          }
        }
        price_sum_usd[l] += md[l].price_usd_per_btc;
        month_hashprice_sum[l] += md[l].hashprice_usd_per_ph_day;
        ph_days_per_btc[l] = 1.0 / md[l].hashprice_btc_per_ph_day;
        lane_market.price_usd_per_btc[l] = md[l].price_usd_per_btc;
        lane_market.hashprice_btc_per_ph_day[l] = md[l].hashprice_btc_per_ph_day;
        lane_market.hashprice_usd_per_ph_day[l] = md[l].hashprice_usd_per_ph_day;
      }
      ++month_days;
      for (FirmGroup& group : groups_) {
        const std::size_t sites = group.site_price.size();
        for (std::size_t l = 0; l < kLanes; ++l) {
          for (std::size_t k = 0; k < sites; ++k) {
            if (!group.site_index[k]) continue;
            const double price = group.site_price[k] * md[l].energy_factor;
            group.lane_power_usd_per_mwh[k][l] = price;
            group.path_power_usd_per_mwh[l * sites + k] = price;
          }
          path_markets[l] = firm::DayMarket{md[l].price_usd_per_btc,
                                            md[l].hashprice_btc_per_ph_day,
                                            md[l].hashprice_usd_per_ph_day,
                                            std::span<const double>(group.path_power_usd_per_mwh).subspan(l * sites, sites),
                                            std::span<const double>(),
                                            1.0};
        }
        lane_market.power_usd_per_mwh = group.lane_power_usd_per_mwh;
        for (std::size_t s = group.first_run; s < group.end_run; ++s) {
          FirmRun& r = runs_[s];
          if (r.in_lanes) {
            const firm::lanes::LaneMask solvent = !r.lanes.defaulted;
            if (firm::lanes::any(solvent)) {
              if (!firm::step_day_lanes(r.plan, d, lane_market, r.lanes, r.lane_day, r.lane_scratch, r.state, r.day,
                                        lane_set_))
                firm::step_day_by_lane(r.plan, d, path_markets, r.lanes, r.lane_day, r.state, r.day);
              add_lane_day(lane_set_, r.lane_totals, r.lane_day, r.lanes.margin_posted_usd, d >= last_year_from_,
                           ph_days_per_btc, r.gross_of_pool_fee, solvent);
            }
          } else {
            firm::lanes::LaneMask solvent{};
            firm::lanes::Lanes margin_posted_usd{};
            for (std::size_t l = 0; l < kLanes; ++l) {
              firm::FirmState& state = r.lane_paths[l];
              if (state.defaulted) continue;
              firm::step_day(r.plan, d, path_markets[l], state, r.day);
              firm::set_lane(r.lane_day, l, r.day);
              solvent[l] = -1;
              margin_posted_usd[l] = state.margin_posted_usd;
            }
            if (firm::lanes::any(solvent))
              add_lane_day(lane_set_, r.lane_totals, r.lane_day, margin_posted_usd, d >= last_year_from_,
                           ph_days_per_btc, r.gross_of_pool_fee, solvent);
          }
          if (!month_end) continue;
          for (std::size_t l = 0; l < kLanes; ++l) {
            if (r.in_lanes) firm::get_lane(r.lanes, l, r.state);
            firm::get_lane(r.lane_totals.month_sums, l, r.day);
            close_month(s, r.day, r.in_lanes ? r.state : r.lane_paths[l], month, slot + l, acc);
          }
          r.lane_totals.month_sums = firm::LaneAccounts{};
        }
      }
      if (month_end) {
        for (std::size_t l = 0; l < kLanes; ++l) {
          const auto market_cell = [&](MarketSeries series) -> double& {
            return month_end_value(month, runs_.size() * kFirmSeries + static_cast<std::size_t>(series), slot + l);
          };
          market_cell(MarketSeries::kBtcPriceUsd) = md[l].price_usd_per_btc;
          market_cell(MarketSeries::kHashpriceUsdPerPhDay) = month_hashprice_sum[l] / month_days;
          market_cell(MarketSeries::kDifficultyT) = md[l].difficulty / kTrillion;
          market_cell(MarketSeries::kFeesBtcPerBlock) = md[l].fees_btc_per_block;
          month_hashprice_sum[l] = 0;
        }
        month_days = 0;
      }
    }
    for (std::size_t l = 0; l < kLanes; ++l) {
      const auto path = first + static_cast<std::uint32_t>(l);
      for (FirmRun& r : runs_) {
        if (r.in_lanes) {
          firm::get_lane(r.lanes, l, r.state);
        } else {
          r.state = r.lane_paths[l];
        }
        r.totals = lane_of(r.lane_totals, l);
      }
      const PathControls controls = model::PriceControls::values(md[l].price_usd_per_btc, price_sum_usd[l],
                                                                 market_.btc_price_usd, calendar_.horizon_days);
      finish_path(path, static_cast<std::int64_t>(path) + 1 == total_paths, md[l].price_usd_per_btc, controls, acc);
    }
  }

  /// The day's luck of a PPLNS/TIDES pool (model/pool_luck.hpp): its share of the network's
  /// expected blocks, drawn at (kPoolLuck, path, day) whatever the strategies.
  double pool_luck(FirmGroup& group, std::uint32_t path, std::uint32_t day, const model::MarketDay& md) {
    const firm::Pool& pool = group.scenario->pool;
    const double share = model::pool_share(pool.share_of_network, pool.hashrate_ehs, md.network_hashrate_ths);
    return group.pool_luck.day(rng_, path, day, share * model::expected_blocks_per_day(md.network_hashrate_ths, md.difficulty));
  }

  void finish_path(std::uint32_t path, bool last, double final_price_usd,
                   const PathControls& controls, Accumulator& acc) {
    // Every strategy's NPV first: each is then compared with every other on this path.
    for (std::size_t s = 0; s < runs_.size(); ++s) {
      const FirmRun& r = runs_[s];
      const FirmGroup& group = groups_[r.group];
      const firm::RunSettings& settings = group.scenario->run;
      double npv = 0;
      double net_worth = 0;  // a survivor's NPV before the floor at 0 (negative: under water)
      if (!r.state.defaulted) {
        const double value_usd =
            firm::equity_value_at_horizon_usd(r.plan, r.state, calendar_.horizon_days, final_price_usd,
                                              settings.terminal_ebitda_multiple, r.totals.ebitda_last_year_usd);
        npv = group.discount * std::max(0.0, value_usd);
        net_worth = group.discount * value_usd;
      }
      npv_by_strategy_[s] = npv;
      net_worth_by_strategy_[s] = net_worth;
    }
    const double first_npv = npv_by_strategy_[0];
    // With variance reduction the pair (2k, 2k + 1) is the unit of the mean NPV and of the paired
    // differences: path 2k waits for its partner (the same worker runs it next: blocks are even),
    // unless it is the run's last path.
    const bool pair_first = variance_reduction_ && path % 2 == 0 && !last;
    const bool pair_second = variance_reduction_ && path % 2 == 1;
    const std::span<const double> path_controls(controls.data(), npv_controls_);
    PathControls pair_controls{};
    if (pair_second)
      for (std::size_t i = 0; i < npv_controls_; ++i) pair_controls[i] = 0.5 * (pair_first_controls_[i] + controls[i]);
    for (std::size_t s = 0; s < runs_.size(); ++s) {
      const FirmRun& r = runs_[s];
      StrategyStatistics& st = acc.strategies[s];
      const double npv = npv_by_strategy_[s];
      const double net_worth = net_worth_by_strategy_[s];
      st.defaulted.add(r.state.defaulted);
      if (r.state.defaulted) {
        st.default_month.add_event(calendar_.month_of_day[static_cast<std::size_t>(r.state.default_day)]);
      } else {
        st.default_month.add_no_event();
      }
      st.npv_usd.add(npv);
      st.npv_quantiles.add(npv);
      st.npv_worst.add(npv);
      st.btc_mined.add(r.totals.btc_mined);
      st.btc_held_end.add(firm::total_btc(r.state));
      st.ebitda_usd_per_year.add(r.totals.ebitda_usd / years_);
      st.cash_cost_usd.add(r.totals.cash_cost_usd);
      st.all_in_cost_usd.add(r.totals.all_in_cost_usd);
      st.effective_ph_days.add(r.totals.effective_ph_days);
      if (pair_second) {
        st.npv_controlled.add(0.5 * (pair_first_npv_[s] + npv), std::span<const double>(pair_controls.data(), npv_controls_));
        st.npv_vs_first.add_pair(pair_first_npv_[s], pair_first_npv_[0], npv, first_npv);
        st.npv_vs_each.add_pair(pair_first_npv_[s], pair_first_npv_, npv, npv_by_strategy_);
      } else if (!pair_first) {
        if (variance_reduction_) st.npv_controlled.add(npv, path_controls);
        st.npv_vs_first.add(npv, first_npv);
        st.npv_vs_each.add(npv, npv_by_strategy_);
      }
      st.npv_utility.add(utility_.utility(npv));
      st.btc_sold.add(r.totals.btc_sold);
      st.margin_called.add(r.totals.margin_calls > 0);
      st.running_th_days.add(r.totals.running_th_days);
      st.available_th_days.add(r.totals.available_th_days);
      st.curtailed_mwh.add(r.totals.curtailed_mwh);
      st.energy_cost_usd.add(r.totals.energy_cost_usd);
      st.hosting_fixed_usd.add(r.totals.hosting_fixed_usd);
      st.other_cash_cost_usd.add(r.totals.other_cash_cost_usd);
      st.slippage_usd.add(r.totals.slippage_usd);
      st.machines_bought.add(r.totals.machines_bought);
      st.machines_sold.add(r.totals.machines_sold);
      st.hedge_pnl_usd.add(r.totals.hedge_pnl_usd);
      st.refinancings.add(static_cast<double>(r.state.refinancings));
      if (r.plan.shares_outstanding > 0) {
        // NPV to equity over the shares at the horizon; shares issued by ATM sales and conversions.
        const double shares_issued = r.state.shares_outstanding - r.plan.shares_outstanding;
        st.npv_per_share_usd.add(npv / r.state.shares_outstanding);
        st.npv_per_share_quantiles.add(npv / r.state.shares_outstanding);
        st.shares_issued.add(shares_issued);
        st.shares_issued_quantiles.add(shares_issued);
      }
      st.margin_posted_usd.add(r.totals.margin_peak_usd);
      st.margin_posted_quantiles.add(r.totals.margin_peak_usd);
      if (!r.state.defaulted) {
        st.survivor_net_worth_quantiles.add(net_worth);
        st.survivor_net_worth_worst.add(net_worth);
      }
    }
    if (pair_first) {
      pair_first_npv_ = npv_by_strategy_;  // same size: no allocation
      pair_first_controls_ = controls;
    }
  }

  const model::MarketModel& market_;
  const Calendar& calendar_;
  random::CounterRng rng_;
  CrraUtility utility_;
  std::vector<FirmGroup> groups_;
  std::vector<FirmRun> runs_;
  std::vector<double> npv_by_strategy_;        // the path's NPV of each strategy, set in finish_path
  std::vector<double> net_worth_by_strategy_;  // and its net worth (the NPV before the floor at 0)
  model::MarketPathDraws draws_;
  bool lanes_ = false;  // paths stepped kLanes side by side (run_lanes)
  std::array<model::MarketPathDraws, kLanes> lane_draws_;
  std::uint32_t drawn_path_ = UINT32_MAX;  // whose draws draws_ holds (before any mirror)
  bool variance_reduction_ = false;
  std::size_t npv_controls_ = 0;
  std::vector<double> pair_first_npv_;  // the NPVs of the pair's first path, waiting for its partner
  PathControls pair_first_controls_{};
  std::size_t month_end_cells_ = 0;
  std::vector<double> month_end_values_;  // months × month_end_cells_ × kPathsPerBlock
  MarketReplay* replay_ = nullptr;        // RunOptions::market_replay
  firm::lanes::InstructionSet lane_set_;  // RunOptions::lane_instruction_set
  double years_ = 1;
  int last_year_from_ = 0;  // the first day of the run's last year (its EBITDA values the horizon)
};

}  // namespace hashpivot::sim::detail
