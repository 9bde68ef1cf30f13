#include "hashpivot/network/margin_hashrate.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::network {
namespace {
/// CBECI lists CPUs, GPUs, FPGAs and early ASICs with placeholder efficiencies above this (J/TH).
constexpr double kMaxListedJPerTh = 1000.0;
}  // namespace

double EfficiencyFrontier::j_per_th(DayNumber day) const {
  return j_per_th_at_reference * std::exp(-log_decline_per_year * static_cast<double>(day - reference_day) / kDaysPerYear);
}

EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& cbeci_csv, FrontierFit how,
                                           std::optional<DayNumber> from) {
  csv::Reader reader = csv::Reader::open(cbeci_csv);
  const std::size_t date_column = reader.column("release_date");
  const std::size_t efficiency_column = reader.column("efficiency_j_per_th");
  struct Point {
    DayNumber day;
    double log_j_per_th;
  };
  std::vector<Point> points;
  csv::Row row;
  while (reader.next(row)) {
    const auto day = parse_date(row.text(date_column));
    if (!day) row.fail(date_column, "expected a date YYYY-MM-DD");
    const double e = row.as_double(efficiency_column);
    if (!(e > 0)) row.fail(efficiency_column, "expected a positive efficiency in J/TH");
    if (e > kMaxListedJPerTh) continue;  // CBECI's CPU/GPU/FPGA/early-ASIC placeholders
    if (from && *day < *from) continue;
    points.push_back({*day, std::log(e)});
  }
  std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.day < b.day; });
  if (how == FrontierFit::kEnvelope) {
    std::vector<Point> envelope;
    double best = INFINITY;
    for (const auto& p : points)
      if (p.log_j_per_th < best) {
        best = p.log_j_per_th;
        envelope.push_back(p);
      }
    points = std::move(envelope);
  }
  if (points.size() < 3)
    throw InputError(reader.source(), 0, "efficiency_j_per_th", "fewer than 3 models to fit the frontier on");
  const auto n = static_cast<double>(points.size());
  double mx = 0, my = 0;
  for (const auto& p : points) {
    mx += p.day / kDaysPerYear;
    my += p.log_j_per_th;
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (const auto& p : points) {
    sxx += (p.day / kDaysPerYear - mx) * (p.day / kDaysPerYear - mx);
    sxy += (p.day / kDaysPerYear - mx) * (p.log_j_per_th - my);
  }
  const double slope = sxy / sxx;
  double rss = 0;
  for (const auto& p : points) {
    const double e = p.log_j_per_th - my - slope * (p.day / kDaysPerYear - mx);
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

MarginHashrateParams MarginHashrateParams::defaults(const EfficiencyFrontier& frontier) {
  MarginHashrateParams p;
  p.frontier = frontier;
  return p;
}

std::vector<Vintage> fleet_grown_at(const MarginHashrateParams& params, DayNumber day, double hashrate_ehs,
                                    double growth_per_year) {
  std::vector<Vintage> fleet;
  double total_weight = 0;
  for (int age = params.cohort_days / 2; age < params.max_age_days; age += params.cohort_days) {
    const DayNumber release = day - age;
    const double w = std::exp(-growth_per_year * age / kDaysPerYear);
    fleet.push_back({release, params.frontier.j_per_th(release), w, false});
    total_weight += w;
  }
  for (auto& v : fleet) v.installed_ehs *= hashrate_ehs / total_weight;
  return fleet;
}

MarginHashrate::MarginHashrate(MarginHashrateParams params, DayNumber start_day, std::span<const Vintage> initial)
    : params_(std::move(params)), day_(start_day) {
  require(params_.pipeline_lag_days >= 1, "pipeline_lag_days", "must be >= 1 day");
  require(params_.cohort_days >= 1, "cohort_days", "must be >= 1 day");
  require(params_.max_age_days >= 1, "max_age_days", "must be >= 1 day");
  require(params_.pipeline_lag_days < params_.max_age_days, "pipeline_lag_days", "must be shorter than max_age_days");
  origin_ = start_day - params_.max_age_days - 2 * params_.cohort_days;
  const auto slots = static_cast<std::size_t>(params_.max_age_days / params_.cohort_days + 3);
  vintages_.assign(slots, Vintage{});
  cohort_.assign(slots, -1);
  release_sum_.assign(slots, 0.0);
  pipeline_ehs_.assign(static_cast<std::size_t>(params_.pipeline_lag_days), 0.0);
  std::sort(params_.ai_pivots.begin(), params_.ai_pivots.end(),
            [](const AiPivot& a, const AiPivot& b) { return a.day < b.day; });
  while (next_pivot_ < params_.ai_pivots.size() && params_.ai_pivots[next_pivot_].day < start_day) ++next_pivot_;
  for (const auto& v : initial) {
    require(v.release_day >= origin_ && v.release_day <= start_day, "initial",
            "a vintage is released after the start or too long before it");
    require(v.installed_ehs >= 0 && v.j_per_th > 0, "initial", "a vintage needs installed_ehs >= 0 and j_per_th > 0");
    install(v.release_day, v.j_per_th, v.installed_ehs);
  }
}

std::size_t MarginHashrate::slot_of(DayNumber release_day) const {
  const auto cohort = static_cast<std::size_t>((release_day - origin_) / params_.cohort_days);
  return cohort % vintages_.size();
}

void MarginHashrate::install(DayNumber release_day, double j_per_th, double ehs) {
  if (ehs <= 0) return;
  const std::size_t slot = slot_of(release_day);
  const auto cohort = static_cast<std::int64_t>((release_day - origin_) / params_.cohort_days);
  Vintage& v = vintages_[slot];
  if (cohort_[slot] != cohort) {  // the slot held a cohort that has aged out (or nothing)
    v = Vintage{};
    release_sum_[slot] = 0;
    cohort_[slot] = cohort;
  }
  const double total = v.installed_ehs + ehs;
  v.j_per_th = (v.j_per_th * v.installed_ehs + j_per_th * ehs) / total;
  release_sum_[slot] += static_cast<double>(release_day) * ehs;
  v.installed_ehs = total;
  v.release_day = static_cast<DayNumber>(std::lround(release_sum_[slot] / total));
}

MarginDayReport MarginHashrate::step(const MarginDay& in) {
  MarginDayReport report{};
  report.day = day_;
  const double usd_per_mwh = std::isnan(in.electricity_usd_per_mwh) ? params_.electricity_usd_per_mwh
                                                                      : in.electricity_usd_per_mwh;
  const auto lag = static_cast<std::size_t>(params_.pipeline_lag_days);
  const auto ring = static_cast<std::size_t>(day_ - origin_) % lag;
  // 1. Arrivals ordered `lag` days ago, released (ordered) then.
  const DayNumber ordered_on = day_ - params_.pipeline_lag_days;
  report.arrived_ehs = pipeline_ehs_[ring];
  install(ordered_on, params_.frontier.j_per_th(ordered_on), pipeline_ehs_[ring]);
  pipeline_ehs_[ring] = 0;
  // 2. Retirement past the maximum age.
  for (std::size_t s = 0; s < vintages_.size(); ++s) {
    Vintage& v = vintages_[s];
    if (v.installed_ehs > 0 && day_ - v.release_day > params_.max_age_days) {
      report.retired_ehs += v.installed_ehs;
      v = Vintage{};
      release_sum_[s] = 0;
      cohort_[s] = -1;
    }
  }
  // 3. Profitability, then the AI/HPC pivots pro rata over the running cohorts.
  report.breakeven_j_per_th = breakeven_j_per_th(in.hashprice_usd_per_ph_day, params_.power_overhead, usd_per_mwh);
  double running = 0;
  for (Vintage& v : vintages_) {
    v.running = v.installed_ehs > 0 && v.j_per_th <= report.breakeven_j_per_th;
    if (v.running) running += v.installed_ehs;
  }
  double pivot = 0;
  while (next_pivot_ < params_.ai_pivots.size() && params_.ai_pivots[next_pivot_].day <= day_)
    pivot += params_.ai_pivots[next_pivot_++].hashrate_ehs;
  if (pivot > 0 && running > 0) {
    const double keep = std::max(0.0, 1.0 - pivot / running);
    for (std::size_t s = 0; s < vintages_.size(); ++s) {
      Vintage& v = vintages_[s];
      if (!v.running) continue;
      report.pivoted_ehs += v.installed_ehs * (1.0 - keep);
      v.installed_ehs *= keep;
      release_sum_[s] *= keep;
      if (v.installed_ehs <= 0) v.running = false;
    }
    running *= keep;
  }
  report.running_ehs = running;
  report.installed_ehs = installed_ehs();
  // 4. Orders of frontier machines, limited by supply; they arrive after the lag.
  report.frontier_j_per_th = params_.frontier.j_per_th(day_);
  const double ratio = in.hashprice_usd_per_ph_day /
                       power_cost_usd_per_ph_day(report.frontier_j_per_th, params_.power_overhead, usd_per_mwh);
  const double share = std::clamp((ratio - 1.0 - params_.entry_hurdle) / params_.entry_ramp, 0.0, 1.0);
  report.ordered_ehs = params_.supply_ehs_per_day * share;
  pipeline_ehs_[ring] = report.ordered_ehs;
  ++day_;
  return report;
}

double MarginHashrate::running_ehs() const {
  double sum = 0;
  for (const auto& v : vintages_)
    if (v.running) sum += v.installed_ehs;
  return sum;
}

double MarginHashrate::installed_ehs() const {
  double sum = 0;
  for (const auto& v : vintages_) sum += v.installed_ehs;
  return sum;
}

double MarginHashrate::pipeline_ehs() const {
  double sum = 0;
  for (double v : pipeline_ehs_) sum += v;
  return sum;
}

}  // namespace hashpivot::network
