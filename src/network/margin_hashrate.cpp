#include "hashpivot/network/margin_hashrate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/rounding.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {
namespace {
/// CBECI lists CPUs, GPUs, FPGAs and early ASICs with placeholder efficiencies above this (J/TH).
constexpr double kMaxListedJPerTh = 1000.0;
/// Fewest models a frontier is fitted on.
constexpr std::size_t kMinFrontierModels = 3;
/// The first day of window_frontier's fit: the Antminer S9's release (16 nm), 2016-06-01.
constexpr DayNumber kFrontierEraStart = 16953;

std::int64_t floor_bin(double position) { return floor_to_int64(position); }

/// entry_share_of_log skips its exp where ln(revenue / cost) is beyond a clamp bound's log by this
/// (a ratio 10^-6 past the bound) ...
constexpr double kEntryClampMarginLog = 1e-6;
/// ... and only for a bound above 10^-6 of max(1, |hurdle|): the distance past the bound, at least
/// 10^-12 of that, then dwarfs the rounding of exp and of the share's arithmetic (a few 2^-53 of it).
constexpr double kEntryBoundFloor = 1e-6;

}  // namespace

double EfficiencyFrontier::j_per_th(DayNumber day) const {
  return j_per_th_at_reference * std::exp(-log_decline_per_year * static_cast<double>(day - reference_day) / kDaysPerYear);
}

std::vector<AsicModel> read_asic_list(const std::filesystem::path& cbeci_csv) {
  csv::Reader reader = csv::Reader::open(cbeci_csv);
  const std::size_t date_column = reader.column("release_date");
  const std::size_t efficiency_column = reader.column("efficiency_j_per_th");
  std::vector<AsicModel> models;
  csv::Row row;
  while (reader.next(row)) {
    const auto day = parse_date(row.text(date_column));
    if (!day) row.fail(date_column, "expected a date YYYY-MM-DD");
    const double e = row.as_double(efficiency_column);
    if (!(e > 0)) row.fail(efficiency_column, "expected a positive efficiency in J/TH");
    if (e > kMaxListedJPerTh) continue;  // CBECI's CPU/GPU/FPGA/early-ASIC placeholders
    models.push_back({*day, e});
  }
  std::stable_sort(models.begin(), models.end(),
                   [](const AsicModel& a, const AsicModel& b) { return a.release_day < b.release_day; });
  return models;
}

std::vector<AsicModel> read_asic_lists(std::span<const std::string> csv_files) {
  std::vector<AsicModel> models;
  for (const std::string& file : csv_files) {
    const std::vector<AsicModel> more = read_asic_list(file);
    models.insert(models.end(), more.begin(), more.end());
  }
  std::stable_sort(models.begin(), models.end(),
                   [](const AsicModel& a, const AsicModel& b) { return a.release_day < b.release_day; });
  return models;
}

EfficiencyFrontier fit_efficiency_frontier(std::span<const AsicModel> models, FrontierFit how,
                                           std::optional<DayNumber> from, std::optional<DayNumber> to) {
  struct Point {
    double years;
    double log_j_per_th;
    DayNumber day;
  };
  std::vector<Point> points;
  double best = std::numeric_limits<double>::infinity();
  for (const AsicModel& m : models) {  // in release order
    if ((from && m.release_day < *from) || (to && m.release_day > *to)) continue;
    const double log_e = std::log(m.j_per_th);
    if (how == FrontierFit::kEnvelope) {
      if (!(log_e < best)) continue;
      best = log_e;
    }
    points.push_back({m.release_day / kDaysPerYear, log_e, m.release_day});
  }
  require(points.size() >= kMinFrontierModels, "asic_models", "fewer than 3 models to fit the frontier on");
  const auto n = static_cast<double>(points.size());
  double mx = 0, my = 0;
  for (const auto& p : points) {
    mx += p.years;
    my += p.log_j_per_th;
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (const auto& p : points) {
    sxx += (p.years - mx) * (p.years - mx);
    sxy += (p.years - mx) * (p.log_j_per_th - my);
  }
  const double slope = sxy / sxx;
  double rss = 0;
  for (const auto& p : points) {
    const double e = p.log_j_per_th - my - slope * (p.years - mx);
    rss += e * e;
  }
  EfficiencyFrontier f;
  f.reference_day = points.back().day;
  f.j_per_th_at_reference = std::exp(my + slope * (f.reference_day / kDaysPerYear - mx));
  f.log_decline_per_year = -slope;
  f.log_decline_se = std::sqrt(rss / (n - 2) / sxx);
  f.models_used = static_cast<int>(points.size());
  return f;
}

EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& cbeci_csv, FrontierFit how,
                                           std::optional<DayNumber> from) {
  const std::vector<AsicModel> models = read_asic_list(cbeci_csv);
  try {
    return fit_efficiency_frontier(models, how, from);
  } catch (const ParameterError& e) {
    throw InputError(cbeci_csv.string(), 0, "efficiency_j_per_th", e.problem());
  }
}

EfficiencyFrontier window_frontier(std::span<const AsicModel> models, DayNumber to) {
  std::size_t recent = 0;
  for (const AsicModel& m : models) recent += m.release_day >= kFrontierEraStart && m.release_day <= to ? 1 : 0;
  if (recent >= kMinFrontierModels) {
    // Enough models since the S9 that the envelope of that era alone has 3 points?
    std::size_t envelope = 0;
    double best = std::numeric_limits<double>::infinity();
    for (const AsicModel& m : models)
      if (m.release_day >= kFrontierEraStart && m.release_day <= to && m.j_per_th < best) {
        best = m.j_per_th;
        ++envelope;
      }
    if (envelope >= kMinFrontierModels) return fit_efficiency_frontier(models, FrontierFit::kEnvelope, kFrontierEraStart, to);
  }
  return fit_efficiency_frontier(models, FrontierFit::kEnvelope, std::nullopt, to);
}

// ---- The model ------------------------------------------------------------------------------------

MarginHashrateModel::MarginHashrateModel(const MarginHashrateParams& p, DayNumber origin_day)
    : params_(p), origin_(origin_day) {
  require(p.cohort_days >= 1, "cohort_days", "must be >= 1 day");
  require(p.max_age_days >= 1 && p.max_age_days <= kMaxAgeDaysBound, "max_age_days", "must be 1 to 36,500 days");
  require(p.cohort_days <= p.max_age_days, "cohort_days", "must be at most max_age_days");
  require(p.frontier.reference_day >= 0 && p.frontier.reference_day <= kLatestFrontierReferenceDay,
          "frontier_reference_day", "must be a day number from 0 (1970-01-01) to 73,000 (in 2169)");
  require(p.max_age_days / p.cohort_days + 4 <= kFleetBins, "cohort_days",
          "too short for max_age_days: a fleet holds at most 96 release bins");
  require(p.pipeline_lag_days >= 1 && p.pipeline_lag_days <= kMaxPipelineDays, "pipeline_lag_days",
          "must be 1 to 365 days");
  require(p.pipeline_lag_days < p.max_age_days, "pipeline_lag_days", "must be shorter than max_age_days");
  require(p.power_classes >= 1 && p.power_classes <= kMaxPowerClasses, "power_classes", "must be 1 to 9");
  require(p.power_price_median_usd_per_mwh > 0, "power_price_median_usd_per_mwh", "must be > 0");
  require(p.power_price_log_sd >= 0, "power_price_log_sd", "must be >= 0");
  require(p.power_overhead > 0, "power_overhead", "must be > 0");
  require(p.entry_ramp > 0, "entry_ramp", "must be > 0");
  require(p.supply_share_per_year >= 0, "supply_share_per_year", "must be >= 0");
  require(p.must_run_share >= 0 && p.must_run_share < 1, "must_run_share", "must be in [0, 1)");
  require(p.ai_exit_share_per_year >= 0 && p.ai_exit_share_per_year < 1, "ai_exit_share_per_year", "must be in [0, 1)");
  require(p.sigma_per_day >= 0 && p.sigma_per_day <= kMaxSigmaPerDay, "sigma_per_day",
          "must be 0 to 0.25 (the standard deviation of the fleet's daily log shock; the 2024-2026 fit is 0.017)");
  require(p.frontier.j_per_th_at_reference > 0, "frontier_j_per_th_at_reference", "must be > 0");
  require(p.frontier.log_decline_per_year >= 0, "frontier_log_decline_per_year", "must be >= 0");
  classes_ = p.power_classes;
  class_weight_ = 1.0 / classes_;
  const double log_cost_factor = std::log(kMwhPerPhDayPerJPerTh * p.power_overhead);
  const double log_median = std::log(p.power_price_median_usd_per_mwh);
  const double log_e_ref = std::log(p.frontier.j_per_th_at_reference);
  const double decline = p.frontier.log_decline_per_year;
  const auto cohort = static_cast<double>(p.cohort_days);
  // Position (bins from origin) of a release of efficiency e: ln e = ln e_ref − δ(origin + x·cohort − t_ref)/365.
  position_per_log_hashprice_ = decline > 0 ? kDaysPerYear / (decline * cohort) : 0.0;
  for (int k = 0; k < classes_; ++k) {
    const double z = random::normal_quantile((k + 0.5) / classes_);
    log_breakeven_factor_[static_cast<std::size_t>(k)] = log_cost_factor + log_median + p.power_price_log_sd * z;
    // Class k runs releases from x_k = (ln e_ref + L_k − ln h)·365/(δ·cohort) + (t_ref − origin)/cohort;
    // with δ = 0 the offset holds the log hashprice at and above which every release runs.
    class_offset_[static_cast<std::size_t>(k)] =
        decline > 0 ? (log_e_ref + log_breakeven_factor_[static_cast<std::size_t>(k)]) * position_per_log_hashprice_ +
                          static_cast<double>(p.frontier.reference_day - origin_) / cohort
                    : log_e_ref + log_breakeven_factor_[static_cast<std::size_t>(k)];
  }
  log_frontier_cost_at_origin_ = log_cost_factor + log_median + log_e_ref -
                                 decline * static_cast<double>(origin_ - p.frontier.reference_day) / kDaysPerYear;
  log_frontier_decline_per_day_ = decline / kDaysPerYear;
  // The share clamps (r − 1 − hurdle)/ramp of r = e^x to [0, 1]: 0 for r <= 1 + hurdle, 1 for
  // r >= 1 + hurdle + ramp. Beyond those bounds' logs by kEntryClampMarginLog the clamp is certain
  // whatever the rounding of exp and of the share's arithmetic, so the share needs no exp (most
  // days: revenue is well above a new machine's power cost, or well below it). The same bits as
  // taking it (tested).
  const double zero_bound = 1.0 + p.entry_hurdle;
  const double full_bound = zero_bound + p.entry_ramp;
  const double scale = std::max(1.0, std::abs(p.entry_hurdle));
  if (zero_bound > kEntryBoundFloor * scale) entry_zero_below_log_ = std::log(zero_bound) - kEntryClampMarginLog;
  if (full_bound > kEntryBoundFloor * scale) entry_full_above_log_ = std::log(full_bound) + kEntryClampMarginLog;
}

double MarginHashrateModel::position_of(DayNumber day) const {
  return static_cast<double>(day - origin_) / static_cast<double>(params_.cohort_days);
}

std::size_t MarginHashrateModel::pipeline_slot(DayNumber day) const {
  return static_cast<std::size_t>(day - origin_) % static_cast<std::size_t>(params_.pipeline_lag_days);
}

double MarginHashrateModel::cumulative_end(const FleetState& f, std::int64_t bin) const {
  if (bin < 0) return 0.0;
  const std::int64_t b = std::min(bin, f.top_bin);
  return f.cumulative_ths[static_cast<std::size_t>(b % kFleetBins)];
}

double MarginHashrateModel::cumulative_at(const FleetState& f, double position) const {
  const std::int64_t b = floor_bin(position);
  // cumulative_end(b − 1) and cumulative_end(b), with one slot computed: the bins are a ring, so
  // b − 1's slot is the one before b's (this runs six times a fleet's day).
  double before = 0.0;
  double end = 0.0;
  if (b > f.top_bin) {
    before = end = cumulative_end(f, f.top_bin);
  } else if (b >= 0) {
    const auto slot = static_cast<std::size_t>(b % kFleetBins);
    end = f.cumulative_ths[slot];
    if (b > 0) before = f.cumulative_ths[slot == 0 ? kFleetBins - 1 : slot - 1];
  }
  return before + (position - static_cast<double>(b)) * (end - before);
}

void MarginHashrateModel::install(FleetState& f, DayNumber release_day, double base_ths) const {
  const std::int64_t bin = floor_bin(position_of(release_day));
  if (bin > f.top_bin) {  // bins between the old top and this one released nothing
    const double top = cumulative_end(f, f.top_bin);
    for (std::int64_t b = std::max(f.top_bin + 1, bin - kFleetBins + 1); b <= bin; ++b)
      f.cumulative_ths[static_cast<std::size_t>(b % kFleetBins)] = top;
    f.top_bin = bin;
  }
  for (std::int64_t b = std::max<std::int64_t>(bin, 0); b <= f.top_bin; ++b)
    f.cumulative_ths[static_cast<std::size_t>(b % kFleetBins)] += base_ths;
}

double MarginHashrateModel::installed_base_ths(const FleetState& f, DayNumber day) const {
  const double oldest = position_of(day - params_.max_age_days);
  return cumulative_end(f, f.top_bin) - cumulative_at(f, std::min(oldest, static_cast<double>(f.top_bin + 1)));
}

double MarginHashrateModel::running_base_ths(const FleetState& f, DayNumber day, double hashprice) const {
  return running_base_ths_of_log(f, day, std::log(hashprice), installed_base_ths(f, day));
}

double MarginHashrateModel::running_base_ths_of_log(const FleetState& f, DayNumber day, double log_h,
                                                    double installed_base) const {
  const double oldest = position_of(day - params_.max_age_days);
  const double newest_end = static_cast<double>(f.top_bin + 1);
  const double top = cumulative_end(f, f.top_bin);
  double running = 0;
  for (std::size_t k = 0; k < static_cast<std::size_t>(classes_); ++k) {
    double from = 0;
    if (position_per_log_hashprice_ > 0) {
      from = class_offset_[k] - position_per_log_hashprice_ * log_h;
    } else {
      from = log_h >= class_offset_[k] ? -std::numeric_limits<double>::infinity() : newest_end;
    }
    from = std::clamp(from, std::min(oldest, newest_end), newest_end);
    running += top - cumulative_at(f, from);
  }
  const double must_run = params_.must_run_share;
  return must_run * installed_base + (1.0 - must_run) * class_weight_ * running;
}

double MarginHashrateModel::entry_share(DayNumber day, double hashprice) const {
  return entry_share_of_log(day, std::log(hashprice));
}

double MarginHashrateModel::entry_share_of_log(DayNumber day, double log_h) const {
  const double log_cost = log_frontier_cost_at_origin_ - log_frontier_decline_per_day_ * static_cast<double>(day - origin_);
  const double log_ratio = log_h - log_cost;
  if (log_ratio < entry_zero_below_log_) return 0.0;
  if (log_ratio > entry_full_above_log_) return 1.0;
  const double ratio = std::exp(log_ratio);
  return std::clamp((ratio - 1.0 - params_.entry_hurdle) / params_.entry_ramp, 0.0, 1.0);
}

FleetState start_fleet(const MarginHashrateModel& model, DayNumber day, double running_ths, double hashprice) {
  const MarginHashrateParams& p = model.params();
  require(day - p.max_age_days - 2 * p.cohort_days >= model.origin_day(), "start_day",
          "the fleet's release bins start after the starting fleet's oldest release");
  FleetState fleet;
  for (DayNumber r = day - p.max_age_days + 1; r <= day - p.pipeline_lag_days; ++r)
    model.install(fleet, r, std::exp(p.fleet_growth_annual * static_cast<double>(r - day) / kDaysPerYear));
  const double running_base = model.running_base_ths(fleet, day, hashprice);
  require(running_base > 0 && running_ths > 0, "hashprice",
          "no machine of the starting fleet covers its power cost at the starting hashprice");
  fleet.log_scale = std::log(running_ths / running_base);
  const double installed = running_ths / running_base * model.installed_base_ths(fleet, day);
  for (DayNumber r = day - p.pipeline_lag_days + 1; r <= day; ++r)
    fleet.pipeline_ths[model.pipeline_slot(r)] =
        p.supply_share_per_year / kDaysPerYear * installed * model.entry_share(r, hashprice);
  return fleet;
}

FleetDay step_fleet(const MarginHashrateModel& model, FleetState& fleet, DayNumber day, double hashprice, double z) {
  // ln h once for the three uses (the fleet's step is a sixth of a one-strategy run).
  return step_fleet_of_log(model, fleet, day, std::log(hashprice), z);
}

FleetDay step_fleet_of_log(const MarginHashrateModel& model, FleetState& fleet, DayNumber day, double log_h, double z) {
  const MarginHashrateParams& p = model.params();
  FleetDay out;
  const std::size_t slot = model.pipeline_slot(day);
  out.arrived_ths = fleet.pipeline_ths[slot];
  fleet.log_scale += p.sigma_per_day * z;
  if (day >= p.ai_exit_start_day) fleet.log_scale -= p.ai_exit_share_per_year / kDaysPerYear;
  const double scale = std::exp(fleet.log_scale);
  if (out.arrived_ths > 0) model.install(fleet, day - p.pipeline_lag_days, out.arrived_ths / scale);
  const double installed_base = model.installed_base_ths(fleet, day);
  out.installed_ths = scale * installed_base;
  out.running_ths = scale * model.running_base_ths_of_log(fleet, day, log_h, installed_base);
  out.ordered_ths = p.supply_share_per_year / kDaysPerYear * out.installed_ths * model.entry_share_of_log(day, log_h);
  fleet.pipeline_ths[slot] = out.ordered_ths;
  return out;
}

}  // namespace hashpivot::network
