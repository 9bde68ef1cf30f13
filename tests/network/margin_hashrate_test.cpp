#include "hashpivot/network/margin_hashrate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/daily_chain.hpp"
#include "hashpivot/network/hashprice.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {
namespace {

const std::string kCbeci = std::string(HASHPIVOT_TEST_DATA_DIR) + "/network/asic_miners_cbeci_2014_2020.csv";
constexpr DayNumber kS9Release = 16953;    // 2016-06-01
constexpr DayNumber kJan2026End = 20484;   // 2026-01-31
constexpr double kHugeHurdle = 1e9;        // no hashprice pays it: no orders

// ---- The frontier on the CBECI list -----------------------------------------------------------

/// The CBECI list read here by hand (release day from the release_unix column, not the date text).
std::vector<AsicModel> cbeci_by_hand() {
  std::ifstream in(kCbeci);
  std::string line;
  std::getline(in, line);  // header: model,release_date,release_unix,efficiency_j_per_gh,efficiency_j_per_th,...
  std::vector<AsicModel> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    const double j_per_th = std::stod(cells.at(4));
    if (j_per_th > 1000) continue;  // CBECI's CPU/GPU/FPGA/early-ASIC placeholders
    rows.push_back({static_cast<DayNumber>(std::stoll(cells.at(2)) / static_cast<std::int64_t>(kSecondsPerDay)), j_per_th});
  }
  return rows;
}

struct Ols {
  double slope_per_year, intercept_at_last, slope_se;
  int n;
  DayNumber last_day;
};

/// Brute-force OLS of ln(J/TH) on years (days / 365) over `models` that set a new best (envelope) or all,
/// in the release order the list gives after a stable sort by day.
Ols ols_by_hand(std::vector<AsicModel> models, bool envelope, DayNumber from, DayNumber to) {
  std::stable_sort(models.begin(), models.end(), [](const AsicModel& a, const AsicModel& b) { return a.release_day < b.release_day; });
  std::vector<double> x, y;
  DayNumber last = 0;
  double best = std::numeric_limits<double>::infinity();
  for (const AsicModel& m : models) {
    if (m.release_day < from || m.release_day > to) continue;
    if (envelope && !(m.j_per_th < best)) continue;
    best = std::min(best, m.j_per_th);
    x.push_back(m.release_day / kDaysPerYear);
    y.push_back(std::log(m.j_per_th));
    last = m.release_day;
  }
  const auto n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const double intercept = (sy - slope * sx) / n;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rss += std::pow(y[i] - intercept - slope * x[i], 2);
  const double sxx_centered = sxx - sx * sx / n;
  return {slope, intercept + slope * last / kDaysPerYear, std::sqrt(rss / (n - 2) / sxx_centered), static_cast<int>(n), last};
}

void expect_frontier_is(const EfficiencyFrontier& f, const Ols& ref) {
  EXPECT_EQ(f.models_used, ref.n);
  EXPECT_EQ(f.reference_day, ref.last_day);
  EXPECT_NEAR(f.log_decline_per_year, -ref.slope_per_year, 1e-9);
  EXPECT_NEAR(std::log(f.j_per_th_at_reference), ref.intercept_at_last, 1e-9);
  EXPECT_NEAR(f.log_decline_se, ref.slope_se, 1e-9);
  // The curve: e(t) = e_ref · exp(−decline · (t − t_ref)/365), two years on.
  EXPECT_NEAR(f.j_per_th(f.reference_day + 730), f.j_per_th_at_reference * std::exp(-2 * f.log_decline_per_year), 1e-9);
}

TEST(EfficiencyFrontier, the_cbeci_list_fit_is_the_ols_of_log_efficiency_on_years) {
  const std::vector<AsicModel> by_hand = cbeci_by_hand();
  const std::vector<AsicModel> read = read_asic_list(kCbeci);
  ASSERT_EQ(read.size(), 84u);  // the 90 rows less CBECI's 6 CPU/GPU/FPGA/early-ASIC placeholders
  const DayNumber never = std::numeric_limits<DayNumber>::max();
  const EfficiencyFrontier all = fit_efficiency_frontier(kCbeci, FrontierFit::kAllModels);
  const EfficiencyFrontier envelope = fit_efficiency_frontier(kCbeci, FrontierFit::kEnvelope);
  expect_frontier_is(all, ols_by_hand(by_hand, false, 0, never));
  expect_frontier_is(envelope, ols_by_hand(by_hand, true, 0, never));
  // Each a new best when listed: S3, S5, S7, S9, R4, Ebit E10, 8 Nano Pro, E11++, S17 Pro 53 and 50 Th,
  // Whatsminer M30S, S19 Pro.
  EXPECT_EQ(envelope.models_used, 12);
  EXPECT_GT(envelope.log_decline_per_year, 0.2);
  // window_frontier: the envelope since the S9 (16 nm), to the window's end.
  const EfficiencyFrontier window = window_frontier(read, kJan2026End);
  expect_frontier_is(window, ols_by_hand(by_hand, true, kS9Release, kJan2026End));
  EXPECT_LT(window.log_decline_per_year, envelope.log_decline_per_year);  // node shrinks slowed
  // Before the S9 era has 3 envelope models, the envelope of the whole list up to the window's end.
  const DayNumber early = kS9Release + 200;
  expect_frontier_is(window_frontier(read, early), ols_by_hand(by_hand, true, 0, early));
  EXPECT_THROW((void)fit_efficiency_frontier("/nonexistent/cbeci.csv", FrontierFit::kAllModels), InputError);
}

// ---- The fleet ----------------------------------------------------------------------------------

/// A frontier improving 30% a year in log terms, 30 J/TH on kReference.
constexpr DayNumber kReference = 19000;
EfficiencyFrontier test_frontier() {
  EfficiencyFrontier f;
  f.j_per_th_at_reference = 30.0;
  f.reference_day = kReference;
  f.log_decline_per_year = 0.3;
  return f;
}

/// No orders, no shock, no AI/HPC exits: the fleet changes only by retirement and arrivals.
MarginHashrateParams quiet_params() {
  MarginHashrateParams p;
  p.frontier = test_frontier();
  p.entry_hurdle = kHugeHurdle;
  p.sigma_per_day = 0;
  p.ai_exit_share_per_year = 0;
  return p;
}

TEST(MarginFleet, start_fleet_runs_exactly_the_requested_hashrate_and_fills_the_pipeline_at_the_margin) {
  MarginHashrateParams p;
  p.frontier = fit_efficiency_frontier(kCbeci, FrontierFit::kEnvelope, kS9Release);
  p.entry_hurdle = 0.2;
  p.supply_share_per_year = 0.8;
  const DayNumber day = 20000;
  const MarginHashrateModel model(p, day - p.max_age_days - 2 * p.cohort_days);
  // A frontier machine of `day` costs c; at 1.5c some older machines and power classes are off.
  const double frontier_cost = power_cost_usd_per_ph_day(p.frontier.j_per_th(day), p.power_overhead, p.power_price_median_usd_per_mwh);
  for (const double hashprice : {1.5 * frontier_cost, 3.0 * frontier_cost, 40.0 * frontier_cost}) {
    const double running_ths = 600e6;
    const FleetState fleet = start_fleet(model, day, running_ths, hashprice);
    const double scale = std::exp(fleet.log_scale);
    EXPECT_NEAR(scale * model.running_base_ths(fleet, day, hashprice), running_ths, 1e-6 * running_ths) << hashprice;
    const double installed = scale * model.installed_base_ths(fleet, day);
    EXPECT_GE(installed, running_ths * (1 - 1e-12));
    // The pipeline: the last lag days' orders, each at that day's frontier ratio (by hand).
    for (DayNumber r = day - p.pipeline_lag_days + 1; r <= day; ++r) {
      const double ratio = hashprice / power_cost_usd_per_ph_day(p.frontier.j_per_th(r), p.power_overhead,
                                                                 p.power_price_median_usd_per_mwh);
      const double share = std::clamp((ratio - 1 - p.entry_hurdle) / p.entry_ramp, 0.0, 1.0);
      EXPECT_NEAR(fleet.pipeline_ths[model.pipeline_slot(r)], p.supply_share_per_year / kDaysPerYear * installed * share,
                  1e-9 * installed);
    }
  }
  // 40c pays every class with a hurdle of 0.2 and a ramp of 1: orders at the full supply rate.
  EXPECT_DOUBLE_EQ(model.entry_share(day, 40.0 * frontier_cost), 1.0);
  // Nothing runs at a hashprice below the frontier's power cost in the cheapest class: refused.
  EXPECT_THROW((void)start_fleet(model, day, 600e6, 1e-6 * frontier_cost), ParameterError);
}

// The entry share skips its exp where the clamp to [0, 1] is certain: it must give the formula's
// bits everywhere, here on a frontier that does not decline and costs exactly 1 (so ln h is the log
// ratio, ulp for ulp), for hurdles and ramps around the bounds' edge cases, at ln(revenue / cost)
// within 3·10^-6 of each clamp bound (inside and outside the skip's margin of 10^-6), at each of the
// 64 ulps either side of it, and spread over the whole range.
TEST(MarginFleet, the_entry_share_skips_its_exp_only_where_the_clamp_is_certain) {
  MarginHashrateParams p;
  p.frontier = test_frontier();
  p.frontier.log_decline_per_year = 0;
  // A cost of exactly 1 USD per PH/s-day, so that ln h is the log ratio itself, ulp for ulp.
  p.frontier.j_per_th_at_reference = 1.0;
  p.power_price_median_usd_per_mwh = 1.0;
  p.power_overhead = 1.0 / kMwhPerPhDayPerJPerTh;
  ASSERT_EQ(kMwhPerPhDayPerJPerTh * p.power_overhead, 1.0);
  const double log_cost = std::log(kMwhPerPhDayPerJPerTh * p.power_overhead) + std::log(p.power_price_median_usd_per_mwh) +
                          std::log(p.frontier.j_per_th_at_reference);
  ASSERT_EQ(log_cost, 0.0);
  const random::CounterRng rng(5);
  int compared = 0;
  for (const double hurdle : {-0.4636561930584524, 0.0, 0.3, 1.6269395168271856, 20.0, -0.9999995, -0.5})
    for (const double ramp : {1.0, 1e-3, 5.0}) {
      p.entry_hurdle = hurdle;
      p.entry_ramp = ramp;
      const MarginHashrateModel model(p, kReference);
      const auto formula = [&](double log_h) {
        return std::clamp((std::exp(log_h - log_cost) - 1.0 - hurdle) / ramp, 0.0, 1.0);
      };
      std::vector<double> log_hs;
      for (const double bound : {std::log(1.0 + hurdle), std::log(1.0 + hurdle + ramp)}) {
        for (int k = -30; k <= 30; ++k) log_hs.push_back(log_cost + (bound + 1e-7 * k));
        // The ulps of ln h around the bound, where exp's rounding decides (a skip without its
        // margin fails here: e.g. hurdle 0, ramp 10^-3 one ulp above the upper bound gives 1 − 10^-13).
        double up = log_cost + bound, down = up;
        for (int k = 0; k < 64; ++k) {
          log_hs.push_back(up = std::nextafter(up, 1e9));
          log_hs.push_back(down = std::nextafter(down, -1e9));
        }
      }
      for (std::uint32_t i = 0; i < 2000; ++i)
        log_hs.push_back(log_cost - 8.0 + 16.0 * rng.uniforms({random::Stream::kTest, i, 0})[0]);
      for (const double log_h : log_hs) {
        const double share = model.entry_share_of_log(kReference, log_h);
        ASSERT_EQ(std::bit_cast<std::uint64_t>(share), std::bit_cast<std::uint64_t>(formula(log_h)))
            << "hurdle " << hurdle << ", ramp " << ramp << ", ln h " << log_h;
        ++compared;
      }
    }
  EXPECT_EQ(compared, 7 * 3 * (2 * (61 + 128) + 2000));
}

/// The installed base of `releases` on `day` by brute force: each release's TH/s spread evenly over the
/// days of its release bin (the model's documented spreading), a day's share gone once its age exceeds
/// max_age_days.
double installed_by_hand(const std::vector<std::pair<DayNumber, double>>& releases, DayNumber origin, int cohort_days,
                         int max_age_days, DayNumber day) {
  double total = 0;
  for (const auto& [release, ths] : releases) {
    const DayNumber bin_start = origin + (release - origin) / cohort_days * cohort_days;
    for (DayNumber s = bin_start; s < bin_start + cohort_days; ++s)
      if (day - s <= max_age_days) total += ths / cohort_days;
  }
  return total;
}

// Parameters whose day arithmetic would leave int's range (a calibration file may hold any number)
// are refused by name; the bounds themselves, and the defaults, are accepted.
TEST(MarginFleet, parameters_outside_the_days_it_can_count_are_refused_by_name) {
  const auto refused = [](const MarginHashrateParams& p, const std::string& name) {
    try {
      (void)MarginHashrateModel(p, 10000);
      ADD_FAILURE() << "no error for " << name;
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), name);
    }
  };
  MarginHashrateParams century;
  century.max_age_days = kMaxAgeDaysBound;
  century.cohort_days = kMaxAgeDaysBound / (kFleetBins - 4);
  EXPECT_NO_THROW((void)MarginHashrateModel(century, 10000));
  century.max_age_days = kMaxAgeDaysBound + 1;
  refused(century, "max_age_days");
  MarginHashrateParams long_bins;
  long_bins.cohort_days = long_bins.max_age_days + 1;
  refused(long_bins, "cohort_days");
  MarginHashrateParams dated;
  dated.frontier.reference_day = kLatestFrontierReferenceDay;
  EXPECT_NO_THROW((void)MarginHashrateModel(dated, 10000));
  for (const DayNumber day : {DayNumber{-1}, kLatestFrontierReferenceDay + 1}) {
    dated.frontier.reference_day = day;
    refused(dated, "frontier_reference_day");
  }
}

TEST(MarginFleet, without_orders_or_shocks_a_fleet_loses_only_what_retires_at_max_age) {
  for (const int cohort_days : {1, 30}) {
    MarginHashrateParams p = quiet_params();
    p.cohort_days = cohort_days;
    p.max_age_days = cohort_days == 1 ? 60 : 1825;  // 96 bins at most
    p.pipeline_lag_days = 10;
    const DayNumber first = kReference;
    const DayNumber origin = first - p.max_age_days - 2 * cohort_days;
    const MarginHashrateModel model(p, origin);
    // Releases over the max_age_days before `first`, one every 7 days, uneven sizes.
    std::vector<std::pair<DayNumber, double>> releases;
    FleetState fleet;
    for (DayNumber r = first - p.max_age_days + 3; r < first; r += 7) {
      const double ths = 1e6 * (1.0 + 0.37 * ((r * 7919) % 11));
      releases.emplace_back(r, ths);
      model.install(fleet, r, ths);
    }
    const double all_run = 1e9;  // pays every machine's power, but no hurdle of 1e9
    for (DayNumber day = first; day < first + p.max_age_days + 2 * cohort_days; ++day) {
      const FleetDay d = step_fleet(model, fleet, day, all_run, 0.7 /* ignored: sigma 0 */);
      const double expected = installed_by_hand(releases, origin, cohort_days, p.max_age_days, day);
      ASSERT_NEAR(d.installed_ths, expected, 1e-9 * releases.front().second) << cohort_days << " day " << day - first;
      ASSERT_NEAR(d.running_ths, d.installed_ths, 1e-9 * releases.front().second);
      ASSERT_EQ(d.ordered_ths, 0.0);
      ASSERT_EQ(d.arrived_ths, 0.0);
    }
    // With daily bins a release is whole through day release + max_age and gone the day after.
    if (cohort_days == 1) {
      EXPECT_EQ(installed_by_hand({{first, 1.0}}, origin, 1, p.max_age_days, first + p.max_age_days), 1.0);
      EXPECT_EQ(installed_by_hand({{first, 1.0}}, origin, 1, p.max_age_days, first + p.max_age_days + 1), 0.0);
    }
  }
}

TEST(MarginFleet, orders_arrive_exactly_pipeline_lag_days_later_and_join_the_installed_fleet) {
  MarginHashrateParams p = quiet_params();
  p.entry_hurdle = 0.5;
  p.entry_ramp = 2.0;
  p.supply_share_per_year = 1.5;
  p.pipeline_lag_days = 45;
  const DayNumber first = kReference;
  const MarginHashrateModel model(p, first - p.max_age_days - 2 * p.cohort_days);
  FleetState fleet;
  model.install(fleet, first - 400, 300e6);  // young: nothing retires in this test
  const double frontier_cost = power_cost_usd_per_ph_day(p.frontier.j_per_th(first), p.power_overhead, p.power_price_median_usd_per_mwh);
  std::vector<FleetDay> days;
  double installed_before = 300e6;
  for (int i = 0; i < 3 * p.pipeline_lag_days; ++i) {
    // A hashprice that wanders through the ramp (ratio from 1.2 to 3.8): orders vary day by day.
    const double hashprice = frontier_cost * (2.5 + 1.3 * std::sin(0.21 * i));
    const DayNumber day = first + i;
    const FleetDay d = step_fleet(model, fleet, day, hashprice, 0.0);
    const double ratio = hashprice / power_cost_usd_per_ph_day(p.frontier.j_per_th(day), p.power_overhead,
                                                               p.power_price_median_usd_per_mwh);
    const double share = std::clamp((ratio - 1 - p.entry_hurdle) / p.entry_ramp, 0.0, 1.0);
    ASSERT_NEAR(d.ordered_ths, p.supply_share_per_year / kDaysPerYear * d.installed_ths * share, 1e-9 * d.installed_ths) << i;
    const double expected_arrival = i < p.pipeline_lag_days ? 0.0 : days[static_cast<std::size_t>(i - p.pipeline_lag_days)].ordered_ths;
    ASSERT_EQ(d.arrived_ths, expected_arrival) << i;
    ASSERT_NEAR(d.installed_ths, installed_before + d.arrived_ths, 1e-12 * installed_before) << i;
    installed_before = d.installed_ths;
    days.push_back(d);
  }
  EXPECT_GT(days.back().arrived_ths, 0.0);
}

// ---- Two vintages: the closed-form shutdown, and through the chain ------------------------------

/// A network of two releases in their own 30-day bins, 720 days apart, one power price (one class).
struct TwoVintages {
  MarginHashrateParams params;
  DayNumber origin = 0, old_release = 0, new_release = 0, day = 0;
  double old_ths = 0, new_ths = 0;
  // Each bin spreads its machines over its 30 days of the frontier: power costs (USD/PH/day) of the
  // least and the most efficient machine of each bin, computed by hand.
  double old_cost_high = 0, old_cost_low = 0, new_cost_high = 0, new_cost_low = 0;
};

TwoVintages two_vintages(double total_ths) {
  TwoVintages v;
  MarginHashrateParams& p = v.params;
  p = quiet_params();
  p.power_classes = 1;
  p.power_price_log_sd = 0;
  p.power_price_median_usd_per_mwh = 45.0;
  v.new_release = kReference + 100;
  v.old_release = v.new_release - 24 * p.cohort_days;
  v.day = v.new_release + p.pipeline_lag_days + 1;
  v.origin = v.old_release - 50 * p.cohort_days;  // bin 50 and bin 74; day − origin > max_age + 2 bins
  v.old_ths = total_ths / 3;
  v.new_ths = total_ths - v.old_ths;
  const auto cost = [&](DayNumber release) {
    // 24 h · 10³ TH/PH / 10⁶ W/MW = 24e-3 MWh per PH/s-day per J/TH; × e · overhead · p, e the frontier's J/TH of the release day (e(t) = 30 · exp(−0.3 (t − t_ref)/365)).
    const double e = 30.0 * std::exp(-0.3 * static_cast<double>(release - kReference) / kDaysPerYear);
    return kHoursPerDay * kThPerPh / kWattsPerMegawatt * e * p.power_overhead * p.power_price_median_usd_per_mwh;
  };
  v.old_cost_high = cost(v.old_release);
  v.old_cost_low = cost(v.old_release + p.cohort_days);
  v.new_cost_high = cost(v.new_release);
  v.new_cost_low = cost(v.new_release + p.cohort_days);
  return v;
}

TEST(MarginFleet, two_vintages_shut_down_in_closed_form) {
  const TwoVintages v = two_vintages(900e6);
  const MarginHashrateParams& p = v.params;
  // The header's formula and power_cost_usd_per_ph_day agree with the hand computation.
  EXPECT_NEAR(power_cost_usd_per_ph_day(p.frontier.j_per_th(v.old_release), p.power_overhead, p.power_price_median_usd_per_mwh),
              v.old_cost_high, 1e-12 * v.old_cost_high);
  ASSERT_GT(v.old_cost_low, v.new_cost_high);  // the bins' breakeven bands do not overlap
  const MarginHashrateModel model(p, v.origin);
  FleetState fleet;
  model.install(fleet, v.old_release, v.old_ths);
  model.install(fleet, v.new_release, v.new_ths);
  const auto running = [&](double hashprice) {
    FleetState copy = fleet;
    return step_fleet(model, copy, v.day, hashprice, 0.0).running_ths;
  };
  const double tol = 1e-9 * (v.old_ths + v.new_ths);
  // Above both breakevens both run; between them only the new one; below both, nothing.
  EXPECT_NEAR(running(1.01 * v.old_cost_high), v.old_ths + v.new_ths, tol);
  EXPECT_NEAR(running(v.old_cost_high), v.old_ths + v.new_ths, tol);  // runs iff cost <= hashprice
  EXPECT_NEAR(running(0.99 * v.old_cost_low), v.new_ths, tol);
  EXPECT_NEAR(running(std::sqrt(v.old_cost_low * v.new_cost_high)), v.new_ths, tol);
  EXPECT_NEAR(running(v.new_cost_high), v.new_ths, tol);
  EXPECT_NEAR(running(0.99 * v.new_cost_low), 0.0, tol);
  // Inside a bin's band the shutdown is gradual: the machines of bin days from t* on run, where the
  // frontier's cost on t* is the hashprice: t* = t_ref + 365/0.3 · ln(30 · c / h), c = 24e-3·overhead·p.
  for (const double fraction : {0.2, 0.5, 0.9}) {
    const double h = v.old_cost_low + fraction * (v.old_cost_high - v.old_cost_low);
    const double c = kHoursPerDay * kThPerPh / kWattsPerMegawatt * p.power_overhead * p.power_price_median_usd_per_mwh;
    const double t_star = kReference + kDaysPerYear / 0.3 * std::log(30.0 * c / h);
    const double old_running_share = (v.old_release + p.cohort_days - t_star) / p.cohort_days;
    EXPECT_NEAR(running(h), v.new_ths + old_running_share * v.old_ths, tol) << fraction;
  }
}

TEST(MarginFleet, two_vintages_shutdown_slows_blocks_and_the_next_retarget_lowers_difficulty) {
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  constexpr std::uint32_t kBits = 0x17034219;            // the bits at height 840,000
  constexpr std::int64_t kEpochStartHeight = 840'672;     // a multiple of 2016
  constexpr std::int64_t kStartUnix = 1'700'006'400;      // a midnight (UTC)
  constexpr double kRewardBtc = 3.125;
  const double d0 = chain::difficulty_from_bits(kBits);
  // Both vintages together find 144 blocks a day at d0: H = d0 · 2^32 / 600 s.
  const double total_ths = d0 * chain::kHashesPerDifficulty / static_cast<double>(params.pow_target_spacing_s) / kHashesPerTh;
  const TwoVintages v = two_vintages(total_ths);
  const MarginHashrateModel model(v.params, v.origin);
  FleetState fleet;
  model.install(fleet, v.old_release, v.old_ths);
  model.install(fleet, v.new_release, v.new_ths);
  // BTC's price puts the hashprice at d0 halfway through the gap between the bins' bands.
  const double target_hashprice = 0.5 * (v.old_cost_low + v.new_cost_high);
  const double price = target_hashprice / hashprice_usd_per_ph_day(d0, kRewardBtc, 1.0);
  DailyChain c = make_daily_chain(kEpochStartHeight, kBits, 0);
  // 2016 blocks at 2/3 of 144 a day = 96: exactly 21 days, the retarget with the epoch's last block.
  int retarget_day = -1;
  for (int i = 0; i < 21; ++i) {
    const double h = hashprice_usd_per_ph_day(c.difficulty, kRewardBtc, price);
    const FleetDay d = step_fleet(model, fleet, v.day + i, h, 0.0);
    ASSERT_NEAR(d.running_ths, v.new_ths, 1e-9 * total_ths);  // the old vintage is off
    const double blocks = expected_blocks_per_day(d.running_ths * kHashesPerTh, c.difficulty);
    ASSERT_NEAR(blocks, 96.0, 1e-6);  // from 144: by the old vintage's share, a third
    if (advance_chain_day(c, kStartUnix + i * static_cast<std::int64_t>(kSecondsPerDay), std::llround(blocks), params) > 0) retarget_day = i;
  }
  ASSERT_EQ(retarget_day, 20);
  EXPECT_EQ(c.next_height, kEpochStartHeight + 2016);
  // Closed form: D' = D · T / timespan, timespan from the epoch's first block (1/97 into day 0) to its
  // last (96/97 into day 20), inside Core's clamp [T/4, 4T]; the compact form rounds the target down by
  // less than one part in the mantissa (~2^-18 here).
  const auto target_timespan = static_cast<double>(params.pow_target_timespan_s);  // 14 days
  const double timespan = 20 * kSecondsPerDay + kSecondsPerDay * 96 / 97 - kSecondsPerDay / 97;
  ASSERT_GT(timespan, target_timespan / 4);
  ASSERT_LT(timespan, target_timespan * 4);
  EXPECT_LT(c.difficulty, d0);
  EXPECT_NEAR(c.difficulty / d0, target_timespan / timespan, 1e-5);
  // In hashrate terms: 2015 intervals at 600·3/2 s against 2016 at 600 s, to the day's stamping.
  EXPECT_NEAR(c.difficulty / d0, (2.0 / 3.0) * 2016.0 / 2015.0, 2e-3);
  // The day after, the hashprice has risen by d0/D' ≈ 3/2 above the old vintage's breakeven: it
  // restarts, and the network finds about 144 · 3/2 blocks a day until the next retarget.
  const double h = hashprice_usd_per_ph_day(c.difficulty, kRewardBtc, price);
  ASSERT_GT(h, v.old_cost_high);
  const FleetDay after = step_fleet(model, fleet, v.day + 21, h, 0.0);
  EXPECT_NEAR(after.running_ths, total_ths, 1e-9 * total_ths);
  EXPECT_NEAR(expected_blocks_per_day(after.running_ths * kHashesPerTh, c.difficulty), 144.0 * d0 / c.difficulty, 1e-9);
}

}  // namespace
}  // namespace hashpivot::network
