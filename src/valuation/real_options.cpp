#include "hashpivot/valuation/real_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <thread>

#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/project_finance.hpp"
#include "hashpivot/firm/rules.hpp"
#include "hashpivot/valuation/least_squares.hpp"

namespace hashpivot::valuation {
namespace {

constexpr std::size_t kBoundaryGrid = 512;
/// A date's state "has no spread" when its standard deviation is below this fraction of its mean's
/// size (or of 1): the standardized powers would then be rounding noise.
constexpr double kNoSpreadFraction = 1e-12;
/// A convert MW that exceeds the site's mining IT MW by no more than this fraction is the whole site
/// (rounding of a MW figure typed from the site's total).
constexpr double kWholeSiteTolerance = 1e-9;
/// The dates are months: a year of them, as a count.
constexpr auto kMonthsInYear = static_cast<std::size_t>(kMonthsPerYear);

void require_degree(int degree) {
  require(degree >= 1 && degree <= PolynomialFit::kMaxDegree, "degree", "must be in [1, 8]");
}

/// Mean and standard error of a column of values.
struct MeanSe {
  double mean = 0;
  double se = 0;
};
MeanSe mean_se(std::span<const double> v) {
  const auto n = static_cast<double>(v.size());
  double sum = 0;
  for (const double x : v) sum += x;
  const double mean = sum / n;
  double ss = 0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return {mean, v.size() > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0};
}

/// The grid search of DecisionBoundary for "act when g(x) > 0".
template <class Gain>
DecisionBoundary find_boundary(std::span<const double> x, const Gain& gain) {
  const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
  const double lo = *lo_it;
  const double hi = *hi_it;
  DecisionBoundary b;
  const std::size_t n = hi > lo ? kBoundaryGrid : 1;
  double previous_x = lo;
  double previous_g = gain(lo);
  bool any = previous_g > 0;
  bool all = any;
  bool crossed = false;
  for (std::size_t i = 1; i < n; ++i) {
    const double xi = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
    const double gi = gain(xi);
    const bool act = gi > 0;
    if (!crossed && act != (previous_g > 0)) {
      crossed = true;
      // Linear interpolation of the sign change between the two grid points.
      const double t = previous_g / (previous_g - gi);
      b.state = previous_x + t * (xi - previous_x);
      b.side = previous_g > 0 ? DecisionBoundary::Side::kBelow : DecisionBoundary::Side::kAbove;
    }
    any = any || act;
    all = all && act;
    previous_x = xi;
    previous_g = gi;
  }
  if (!any) return {DecisionBoundary::Side::kNone, std::numeric_limits<double>::quiet_NaN()};
  if (all) return {DecisionBoundary::Side::kEverywhere, std::numeric_limits<double>::quiet_NaN()};
  return b;
}

/// The convert rule's region at one date: see ConvertPolicy.
DecisionBoundary conversion_region(std::span<const double> x, const PolynomialFit& gain) {
  DecisionBoundary b = find_boundary(x, [&gain](double xi) { return gain(xi); });
  if (b.side == DecisionBoundary::Side::kAbove) return {DecisionBoundary::Side::kNone, std::numeric_limits<double>::quiet_NaN()};
  return b;
}

}  // namespace

// ---- Regression ------------------------------------------------------------------------------

double PolynomialFit::operator()(double x) const {
  const double z = (x - centre) / scale;
  double value = 0;
  for (int k = degree; k >= 0; --k) value = value * z + coefficients[k];
  return value;
}

PolynomialFit fit_polynomial(std::span<const double> x, std::span<const double> y, int degree) {
  assert(!x.empty() && x.size() == y.size());  // the callers pass one date's columns
  require(degree >= 0 && degree <= PolynomialFit::kMaxDegree, "degree", "must be in [0, 8]");
  const MeanSe moments = mean_se(x);
  const double sd = moments.se * std::sqrt(static_cast<double>(x.size()));
  PolynomialFit fit;
  fit.centre = moments.mean;
  // No spread (date 0, or a degenerate date): the constant fit, the mean of y.
  if (!(sd > kNoSpreadFraction * std::max(1.0, std::abs(moments.mean))) || x.size() <= static_cast<std::size_t>(degree) + 1) {
    fit.degree = 0;
    fit.coefficients[0] = mean_se(y).mean;
    return fit;
  }
  fit.scale = sd;
  fit.degree = degree;
  const std::size_t n = x.size();
  const auto columns = static_cast<std::size_t>(degree) + 1;
  std::vector<double> design(n * columns);  // column-major: power k of row i at k × n + i
  std::vector<double> rhs(y.begin(), y.end());
  for (std::size_t i = 0; i < n; ++i) {
    const double z = (x[i] - fit.centre) / fit.scale;
    double power = 1;
    for (std::size_t k = 0; k < columns; ++k) {
      design[k * n + i] = power;
      power *= z;
    }
  }
  (void)solve_least_squares(design, n, rhs, {fit.coefficients, columns});
  return fit;
}

// ---- Convert ---------------------------------------------------------------------------------

ConvertSample::ConvertSample(std::size_t paths_, std::size_t dates_) : paths(paths_), dates(dates_) {
  require(paths >= 2, "paths", "a sample needs at least 2 paths");
  require(dates >= 1, "dates", "a sample needs at least 1 date");
  state.assign(paths * dates, 0.0);
  exercise_value.assign(paths * dates, 0.0);
}

namespace {

/// The arrays' shapes are the constructor's (asserted); the values are the caller's (checked).
void validate(const ConvertSample& s) {
  assert(s.state.size() == s.paths * s.dates && s.exercise_value.size() == s.paths * s.dates);
  require(s.discount_per_date > 0 && std::isfinite(s.discount_per_date), "discount_per_date", "must be in (0, inf)");
  for (const double v : s.exercise_value) require(std::isfinite(v), "exercise_value", "must be finite");
  for (const double v : s.state) require(std::isfinite(v), "state", "must be finite");
}

/// Applies `policy` to `s` by backward induction on the realized values (the rule does not depend
/// on the cash flows, so this is the rule's forward value), filling `r`.
ConvertResult apply_convert(const ConvertPolicy& policy, const ConvertSample& s) {
  ConvertResult r;
  r.paths = s.paths;
  r.exercise_fraction.assign(s.dates, 0.0);
  r.boundary.resize(s.dates);
  std::vector<double> cash(s.paths, 0.0);
  std::vector<int> stop(s.paths, -1);
  for (std::size_t m = s.dates; m-- > 1;) {
    const auto x = s.state_at(m);
    const auto h = s.exercise_at(m);
    for (std::size_t p = 0; p < s.paths; ++p) {
      cash[p] *= s.discount_per_date;
      if (converts_in(policy.region[m], x[p])) {
        cash[p] = h[p];
        stop[p] = static_cast<int>(m);
      }
    }
    r.boundary[m] = policy.region[m];
  }
  for (double& c : cash) c *= s.discount_per_date;
  const MeanSe cont = mean_se(cash);
  const MeanSe now = mean_se(s.exercise_at(0));
  r.continuation = cont.mean;
  r.continuation_se = cont.se;
  r.convert_now = now.mean;
  r.convert_now_se = now.se;
  // Today's decision is the rule's (fitted on its own paths): the constant gain at date 0.
  r.convert_today = converts_in(policy.region[0], s.state_at(0)[0]);
  r.boundary[0] = policy.region[0];
  r.value = r.convert_today ? r.convert_now : r.continuation;
  r.standard_error = r.convert_today ? r.convert_now_se : r.continuation_se;
  r.waiting = r.value - std::max(0.0, r.convert_now);
  if (r.convert_today) {
    r.exercise_fraction[0] = 1;
  } else {
    for (const int m : stop)
      if (m >= 0) r.exercise_fraction[static_cast<std::size_t>(m)] += 1.0 / static_cast<double>(s.paths);
  }
  return r;
}

}  // namespace

bool converts_in(const DecisionBoundary& region, double x) {
  switch (region.side) {
    case DecisionBoundary::Side::kEverywhere: return true;
    case DecisionBoundary::Side::kBelow: return x < region.state;
    case DecisionBoundary::Side::kNone:
    case DecisionBoundary::Side::kAbove: return false;
  }
  return false;
}

ConvertFit fit_convert(const ConvertSample& s, int degree) {
  validate(s);
  require_degree(degree);
  ConvertFit out;
  out.policy.gain.resize(s.dates);
  out.policy.region.resize(s.dates);
  std::vector<double> cash(s.paths, 0.0);
  std::vector<double> gain(s.paths, 0.0);
  for (std::size_t m = s.dates; m-- > 0;) {
    const auto h = s.exercise_at(m);
    for (std::size_t p = 0; p < s.paths; ++p) {
      cash[p] *= s.discount_per_date;
      gain[p] = h[p] - cash[p];
    }
    out.policy.gain[m] = fit_polynomial(s.state_at(m), gain, degree);
    out.policy.region[m] = conversion_region(s.state_at(m), out.policy.gain[m]);
    if (m == 0) break;
    const auto x = s.state_at(m);
    for (std::size_t p = 0; p < s.paths; ++p)
      if (converts_in(out.policy.region[m], x[p])) cash[p] = h[p];
  }
  out.in_sample = apply_convert(out.policy, s);
  return out;
}

ConvertResult evaluate_convert(const ConvertPolicy& policy, const ConvertSample& s) {
  validate(s);
  assert(policy.gain.size() == s.dates && policy.region.size() == s.dates);  // one problem's policy
  return apply_convert(policy, s);
}

// ---- Switching -------------------------------------------------------------------------------

SwitchingSample::SwitchingSample(std::size_t paths_, std::size_t dates_) : paths(paths_), dates(dates_) {
  require(paths >= 2, "paths", "a sample needs at least 2 paths");
  require(dates >= 1, "dates", "a sample needs at least 1 date");
  state.assign(paths * dates, 0.0);
  running_cash.assign(paths * dates, 0.0);
  idle_cash.assign(paths * dates, 0.0);
  running_terminal.assign(paths, 0.0);
  idle_terminal.assign(paths, 0.0);
}

namespace {

/// The arrays' shapes are the constructor's (asserted); the values are the caller's (checked).
void validate(const SwitchingSample& s) {
  [[maybe_unused]] const std::size_t n = s.paths * s.dates;
  assert(s.state.size() == n && s.running_cash.size() == n && s.idle_cash.size() == n &&
         s.running_terminal.size() == s.paths && s.idle_terminal.size() == s.paths);
  require(s.discount_per_date > 0 && std::isfinite(s.discount_per_date), "discount_per_date", "must be in (0, inf)");
  require(s.shutdown_cost >= 0 && std::isfinite(s.shutdown_cost), "shutdown_cost", "must be finite and >= 0");
  require(s.restart_cost >= 0 && std::isfinite(s.restart_cost), "restart_cost", "must be finite and >= 0");
}

/// The rule's score of target regime j at date m on path p (see SWITCHING).
struct Scores {
  double running;
  double idle;
};
Scores scores(const SwitchingPolicy& policy, const SwitchingSample& s, std::size_t m, std::size_t p) {
  const double x = s.state[m * s.paths + p];
  Scores g{policy.running[m](x), policy.idle[m](x)};
  if (policy.cash_known_at_decision) {
    g.running += s.running_cash[m * s.paths + p];
    g.idle += s.idle_cash[m * s.paths + p];
  }
  return g;
}

SwitchingResult apply_switching(const SwitchingPolicy& policy, const SwitchingSample& s) {
  SwitchingResult r;
  r.paths = s.paths;
  r.idle_fraction.assign(s.dates, 0.0);
  std::vector<double> flexible(s.paths, 0.0);
  std::vector<double> always(s.paths, 0.0);
  std::vector<double> difference(s.paths, 0.0);
  const double share = 1.0 / static_cast<double>(s.paths);
  for (std::size_t p = 0; p < s.paths; ++p) {
    bool running = true;
    double discount = 1;
    double value = 0;
    double base = 0;
    for (std::size_t m = 0; m < s.dates; ++m) {
      const Scores g = scores(policy, s, m, p);
      if (running && g.idle - s.shutdown_cost > g.running) {
        running = false;
        value -= discount * s.shutdown_cost;
      } else if (!running && g.running - s.restart_cost > g.idle) {
        running = true;
        value -= discount * s.restart_cost;
      }
      value += discount * (running ? s.running_cash[m * s.paths + p] : s.idle_cash[m * s.paths + p]);
      base += discount * s.running_cash[m * s.paths + p];
      if (!running) r.idle_fraction[m] += share;
      discount *= s.discount_per_date;
    }
    value += discount * (running ? s.running_terminal[p] : s.idle_terminal[p]);
    base += discount * s.running_terminal[p];
    flexible[p] = value;
    always[p] = base;
    difference[p] = value - base;
  }
  const MeanSe v = mean_se(flexible);
  const MeanSe a = mean_se(always);
  const MeanSe d = mean_se(difference);
  r.value = v.mean;
  r.standard_error = v.se;
  r.always_running = a.mean;
  r.always_running_se = a.se;
  r.flexibility = d.mean;
  r.flexibility_se = d.se;
  if (!policy.cash_known_at_decision) {
    for (std::size_t m = 0; m < s.dates; ++m) {
      const auto x = s.state_at(m);
      const PolynomialFit& run = policy.running[m];
      const PolynomialFit& idle = policy.idle[m];
      const double shutdown = s.shutdown_cost;
      const double restart = s.restart_cost;
      r.idle_below.push_back(find_boundary(x, [&](double h) { return idle(h) - shutdown - run(h); }));
      r.restart_above.push_back(find_boundary(x, [&](double h) { return run(h) - restart - idle(h); }));
    }
  }
  return r;
}

}  // namespace

SwitchingFit fit_switching(const SwitchingSample& s, int degree) {
  validate(s);
  require_degree(degree);
  SwitchingFit out;
  out.policy.cash_known_at_decision = s.cash_known_at_decision;
  out.policy.running.resize(s.dates);
  out.policy.idle.resize(s.dates);
  // V_j(m+1), realized, money at date m+1; then Y_j and the regression target.
  std::vector<double> v_running(s.running_terminal);
  std::vector<double> v_idle(s.idle_terminal);
  std::vector<double> y_running(s.paths), y_idle(s.paths), target(s.paths);
  for (std::size_t m = s.dates; m-- > 0;) {
    const auto x = s.state_at(m);
    for (std::size_t p = 0; p < s.paths; ++p) {
      y_running[p] = s.running_cash[m * s.paths + p] + s.discount_per_date * v_running[p];
      y_idle[p] = s.idle_cash[m * s.paths + p] + s.discount_per_date * v_idle[p];
    }
    const auto regress = [&](const std::vector<double>& y, std::span<const double> cash) {
      if (!s.cash_known_at_decision) return fit_polynomial(x, y, degree);
      for (std::size_t p = 0; p < s.paths; ++p) target[p] = y[p] - cash[p];
      return fit_polynomial(x, target, degree);
    };
    out.policy.running[m] = regress(y_running, {s.running_cash.data() + m * s.paths, s.paths});
    out.policy.idle[m] = regress(y_idle, {s.idle_cash.data() + m * s.paths, s.paths});
    for (std::size_t p = 0; p < s.paths; ++p) {
      const Scores g = scores(out.policy, s, m, p);
      v_running[p] = g.idle - s.shutdown_cost > g.running ? y_idle[p] - s.shutdown_cost : y_running[p];
      v_idle[p] = g.running - s.restart_cost > g.idle ? y_running[p] - s.restart_cost : y_idle[p];
    }
  }
  out.in_sample = apply_switching(out.policy, s);
  return out;
}

SwitchingResult evaluate_switching(const SwitchingPolicy& policy, const SwitchingSample& s) {
  validate(s);
  // One problem's policy: the same dates and timing.
  assert(policy.running.size() == s.dates && policy.idle.size() == s.dates);
  assert(policy.cash_known_at_decision == s.cash_known_at_decision);
  return apply_switching(policy, s);
}

// ---- A scenario's site -----------------------------------------------------------------------

namespace {

/// The index of the site called `name`; throws ParameterError "site" listing the scenario's sites.
std::size_t site_index(const firm::Scenario& scenario, const std::string& name) {
  const auto site = std::ranges::find_if(scenario.sites, [&](const firm::Site& s) { return s.name == name; });
  if (site == scenario.sites.end()) {
    std::string known;
    for (const firm::Site& s : scenario.sites) known += (known.empty() ? "" : ", ") + s.name;
    throw ParameterError("site", fmt::format("no site named \"{}\" in {}; its sites: {}", name, scenario.source, known));
  }
  return static_cast<std::size_t>(site - scenario.sites.begin());
}

}  // namespace

SiteMining site_mining(const firm::Scenario& scenario, const std::string& name) {
  const std::size_t k = site_index(scenario, name);
  // The site as the simulation's daily step sees it: the firm plan's figures (its sites and fleet
  // are the same for every strategy, so strategy 0's plan).
  const firm::FirmPlan plan = firm::make_plan(scenario, 0);
  const firm::PlanSite& site = plan.sites[k];
  SiteMining out;
  out.name = name;
  out.capacity_mw = site.capacity_mw;
  out.pue = site.pue;
  out.index_power = site.index_power;
  out.power_price_usd_per_mwh = site.fixed_power_price_usd_per_mwh;
  out.curtailment_credit_usd_per_mwh = site.curtailment_credit_usd_per_mwh;
  out.opex_usd_per_mw_year = site.opex_usd_per_mw_day * kDaysPerYear;
  out.pool_fee = plan.pool_fee;
  out.mining_it_mw = site.mining_it_mw;
  // The conversion's terms in the months and years the monthly valuation steps in (the plan holds
  // them per day).
  out.conversion = scenario.sites[k].conversion;
  for (const firm::PlanFleet& f : plan.fleet)
    if (f.site == k) out.entries.push_back({f.hashrate_th_total, f.load_mw_all_running, f.uptime, f.efficiency_j_per_th});
  if (out.entries.empty())
    throw ParameterError("site", fmt::format("site \"{}\" has no machines in {}", name, scenario.source));
  return out;
}

SiteMonths::SiteMonths(std::size_t paths_, std::size_t months_)
    : paths(paths_),
      months(months_),
      hashprice_usd_per_ph_day(paths_ * months_, 0.0),
      margin_curtailed_usd(paths_ * months_, 0.0),
      margin_running_usd(paths_ * months_, 0.0),
      start_hashprice_usd_per_ph_day(paths_, 0.0) {}

namespace {

/// Rows [row_begin, row_end) of simulate_site_months.
void simulate_site_rows(const model::MarketModel& market, const SiteMining& site, const Calendar& calendar,
                        std::uint64_t seed, std::uint32_t first_path, std::size_t row_begin, std::size_t row_end,
                        SiteMonths& out) {
  const std::vector<int>& first_days = calendar.month_first_day;
  const random::CounterRng rng(seed);
  const double kHours = static_cast<double>(kHoursPerDay);
  const bool hourly = site.index_power && market.has_energy_index;
  for (std::size_t row = row_begin; row < row_end; ++row) {
    const auto path = static_cast<std::uint32_t>(first_path + row);
    model::MarketPathState state = start_market_path(market, rng, path);
    model::MarketDay day;
    for (std::size_t m = 0; m < out.months; ++m) {
      double hashprice_sum = 0;
      double curtailed = 0;
      double running = 0;
      for (int d = first_days[m]; d < first_days[m + 1]; ++d) {
        step_market_day(market, rng, path, static_cast<std::uint32_t>(d), state, day);
        if (d == 0) out.start_hashprice_usd_per_ph_day[row] = day.hashprice_usd_per_ph_day;
        hashprice_sum += day.hashprice_usd_per_ph_day;
        const double price = site.index_power ? site.power_price_usd_per_mwh * day.energy_factor : site.power_price_usd_per_mwh;
        for (const SiteMining::Entry& e : site.entries) {
          const double revenue = e.hashrate_th / kThPerPh * e.uptime * day.hashprice_usd_per_ph_day * (1.0 - site.pool_fee);
          const double full_day = revenue - e.load_mw * price * kHours;
          running += full_day;
          const double breakeven =
              firm::breakeven_power_price_usd_per_mwh(day.hashprice_usd_per_ph_day, e.efficiency_j_per_th, site.pue, site.pool_fee);
          const double credit = site.curtailment_credit_usd_per_mwh;
          if (hourly) {
            // The firm's hourly rule on the day's 24 index prices (firm::curtail_hourly).
            double run_hours = 0;
            double cost = 0;
            double credits = 0;
            for (std::size_t h = 0; h < kHoursPerDay; ++h) {
              const double p_h = price * market.energy_hour_factor[h];
              if (p_h + credit < breakeven) {
                run_hours += 1;
                cost += p_h;
              } else {
                credits += credit;
              }
            }
            curtailed += revenue * run_hours / kHours - e.load_mw * (cost - credits);
          } else {
            curtailed += price + credit < breakeven ? full_day : e.load_mw * credit * kHours;
          }
        }
      }
      const std::size_t i = row * out.months + m;
      out.hashprice_usd_per_ph_day[i] = hashprice_sum / static_cast<double>(calendar.days_in_month(m));
      out.margin_curtailed_usd[i] = curtailed;
      out.margin_running_usd[i] = running;
    }
  }
}

}  // namespace

void simulate_site_months(const model::MarketModel& market, const SiteMining& site, const Calendar& calendar,
                          std::uint64_t seed, std::uint32_t first_path, SiteMonths& out, unsigned threads) {
  assert(calendar.months() == out.months && threads >= 1);
  const std::size_t workers = std::min<std::size_t>(threads, std::max<std::size_t>(out.paths, 1));
  const auto row_begin = [&](std::size_t t) { return out.paths * t / workers; };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t)
    pool.emplace_back(simulate_site_rows, std::cref(market), std::cref(site), std::cref(calendar), seed, first_path,
                      row_begin(t), row_begin(t + 1), std::ref(out));
  simulate_site_rows(market, site, calendar, seed, first_path, row_begin(0), row_begin(1), out);
  for (std::thread& th : pool) th.join();
}

double monthly_discount(const firm::Scenario& scenario) {
  return std::pow(1.0 + scenario.run.discount_rate_annual, -1.0 / kMonthsPerYear);
}

double resolve_convert_mw(const firm::Scenario& scenario, const SiteMining& site, const SiteOptionSettings& settings) {
  double mw = settings.convert_mw;
  if (std::isnan(mw)) {
    mw = 0;
    const std::size_t k = site_index(scenario, site.name);
    for (std::size_t s = 0; s < scenario.strategies.size(); ++s) {
      const firm::FirmPlan plan = firm::make_plan(scenario, s);
      if (plan.pivot_policy != firm::PivotPolicy::kNone && plan.pivot_site == k) mw = std::max(mw, plan.pivot_mw);
    }
    if (!(mw > 0)) mw = site.mining_it_mw;
  }
  require(mw > 0 && mw <= site.mining_it_mw * (1 + kWholeSiteTolerance), "convert_mw",
          fmt::format("must be in (0, {:.3f}] (the IT MW of site {}'s machines; got {})", site.mining_it_mw, site.name, mw));
  return std::min(mw, site.mining_it_mw);
}

namespace {

/// The monthly terms of a financed conversion (conversion_values with project debt or the
/// contracted-lease terminal): amounts for the `mw` converted, months counted from the decision.
struct FinancedConversion {
  std::size_t lead;             // months of construction
  std::size_t term;             // months of lease
  double capex;                 // USD, the firm's share (after the tenant's), all of it
  double debt;                  // USD lent: loan-to-cost × capex
  double rate_month;            // the debt's monthly rate (annual / 12)
  double payment;               // USD a month from the first revenue month: the annuity over the term
  double lease_discount;        // monthly factor of the lease's valuation rate
};

FinancedConversion financed_conversion(const firm::Conversion& c, double mw, double discount) {
  FinancedConversion f{};
  f.lead = static_cast<std::size_t>(std::max(0, c.lead_time_months));
  f.term = static_cast<std::size_t>(std::max(0, c.term_years)) * kMonthsInYear;
  f.capex = mw * c.capex_usd_per_mw * (1.0 - c.tenant_funded_fraction);
  f.debt = f.capex * c.project_debt_loan_to_cost;
  f.rate_month = c.project_debt_rate_annual / kMonthsPerYear;
  f.payment = f.term > 0 ? firm::annuity_payment_usd(f.debt, f.rate_month, static_cast<int>(f.term)) : 0.0;
  f.lease_discount = c.lease_discount_rate_annual ? std::pow(1.0 + *c.lease_discount_rate_annual, -1.0 / kMonthsPerYear)
                                                  : discount;
  return f;
}

/// The debt's balance at the end of month `since` after the decision: drawn evenly over the lead
/// (all at once without one), then the annuity's balance after that month's payment.
double financed_debt_balance(const FinancedConversion& f, std::size_t since) {
  if (since < f.lead) return f.debt * static_cast<double>(since + 1) / static_cast<double>(f.lead);
  const std::size_t paid = std::min(f.term, since - f.lead + 1);
  return f.term > 0 ? firm::annuity_balance_usd(f.debt, f.rate_month, static_cast<int>(f.term), static_cast<int>(paid))
                    : 0.0;
}

/// conversion_values with project finance (its doc): G_m = the equity's cash flows (capex less the
/// debt drawn; NOI less interest in construction and less the annuity in the term) to the horizon,
/// plus the terminal: the multiple × the NOI in force, or the contracted lease to its end (expected
/// NOI discounted at the lease's rate) plus the residual, less the capex still to pay; less the debt
/// left.
std::vector<double> financed_conversion_values(const firm::Conversion& c, double mw, std::size_t months,
                                               double discount, double terminal_multiple,
                                               const std::function<double(std::size_t)>& noi_month) {
  const FinancedConversion f = financed_conversion(c, mw, discount);
  const bool lease_terminal = c.terminal_value == firm::ConversionTerminal::kContractedLease;
  std::vector<double> g(months, 0.0);
  for (std::size_t m = 0; m < months; ++m) {
    double value = 0;
    double d = 1;
    for (std::size_t k = m; k < months; ++k, d *= discount) {
      const std::size_t since = k - m;
      double cf = 0;
      if (f.lead == 0 ? since == 0 : since < f.lead)
        cf -= (f.lead == 0 ? f.capex : f.capex / static_cast<double>(f.lead)) * (1.0 - c.project_debt_loan_to_cost);
      if (since < f.lead) cf -= financed_debt_balance(f, since) * f.rate_month;
      if (since >= f.lead && since < f.lead + f.term) cf += noi_month(since - f.lead) - f.payment;
      value += d * cf;
    }
    const std::size_t since = months - m;  // the horizon, d = discount^(months − m)
    const double capex_left = since < f.lead ? f.capex * static_cast<double>(f.lead - since) / static_cast<double>(f.lead) : 0.0;
    double terminal = -capex_left - (since == 0 ? 0.0 : financed_debt_balance(f, since - 1));
    if (lease_terminal) {
      const std::size_t from = since < f.lead ? 0 : since - f.lead;
      double lease = 0;
      double w = since < f.lead ? std::pow(f.lease_discount, static_cast<double>(f.lead - since)) : 1.0;
      for (std::size_t k = from; k < f.term; ++k, w *= f.lease_discount) lease += w * noi_month(k);
      const std::size_t to_end = f.lead + f.term > since ? f.lead + f.term - since : 0;
      terminal += lease + c.residual_value_usd_per_mw * mw * std::pow(f.lease_discount, static_cast<double>(to_end));
    } else if (since < f.lead) {
      terminal += terminal_multiple * kMonthsPerYear * noi_month(0);
    } else if (since < f.lead + f.term) {
      terminal += terminal_multiple * kMonthsPerYear * noi_month(since - f.lead);
    }
    g[m] = value + d * terminal;
  }
  return g;
}

}  // namespace

std::vector<double> conversion_values(const firm::Conversion& c, double mw, std::size_t months, double discount,
                                      double terminal_multiple) {
  const auto lead = static_cast<std::size_t>(std::max(0, c.lead_time_months));
  const auto term = static_cast<std::size_t>(std::max(0, c.term_years)) * kMonthsInYear;
  const double capex = mw * c.capex_usd_per_mw * (1.0 - c.tenant_funded_fraction);
  const auto noi_month = [&](std::size_t k) {  // k months after first revenue
    const int contract_year = static_cast<int>(k / kMonthsInYear) + 1;
    const double survival = std::pow(1.0 - c.tenant_default_prob_annual, static_cast<double>(k) / kMonthsPerYear);
    return firm::lease_usd_per_mw_year(c.lease_usd_per_mw_year, c.escalator_annual, contract_year) / kMonthsPerYear * mw *
           c.noi_margin * survival;
  };
  if (c.project_debt_loan_to_cost > 0.0 || c.terminal_value == firm::ConversionTerminal::kContractedLease)
    return financed_conversion_values(c, mw, months, discount, terminal_multiple, noi_month);
  std::vector<double> g(months, 0.0);
  for (std::size_t m = 0; m < months; ++m) {
    double value = 0;
    double d = 1;
    for (std::size_t k = m; k < months; ++k, d *= discount) {
      const std::size_t since = k - m;
      if (lead == 0 ? since == 0 : since < lead) value -= d * (lead == 0 ? capex : capex / static_cast<double>(lead));
      if (since >= lead && since < lead + term) value += d * noi_month(since - lead);
    }
    // d = discount^(months − m): the horizon. The lease as a going concern there (module doc).
    const std::size_t since = months - m;
    double terminal = 0;
    if (since < lead) {
      terminal = kMonthsPerYear * noi_month(0) - capex * static_cast<double>(lead - since) / static_cast<double>(lead);
    } else if (since < lead + term) {
      terminal = kMonthsPerYear * noi_month(since - lead);
    }
    g[m] = value + d * terminal_multiple * terminal;
  }
  return g;
}

ConvertSample convert_sample(const SiteMonths& months, std::size_t first, std::size_t n, const SiteMining& site, double mw,
                             std::span<const double> conversion_value, double discount, double terminal_multiple) {
  assert(first + n <= months.paths && conversion_value.size() == months.months);
  const std::size_t dates = months.months;
  ConvertSample s(n, dates);
  s.discount_per_date = discount;
  const double share = mw / site.mining_it_mw;
  const double opex_month = mw * site.opex_usd_per_mw_year / kMonthsPerYear;
  const std::size_t last_year = dates >= kMonthsInYear ? dates - kMonthsInYear : 0;
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t row = (first + p) * dates;
    const double* margin = months.margin_curtailed_usd.data() + row;
    double last_twelve = 0;
    for (std::size_t k = last_year; k < dates; ++k) last_twelve += margin[k];
    // L and S, accumulated backwards from the horizon: value at m = cf_m + d·value at m+1.
    double lost = terminal_multiple * share * last_twelve;
    double saved = terminal_multiple * kMonthsPerYear * opex_month;
    for (std::size_t m = dates; m-- > 0;) {
      lost = share * margin[m] + discount * lost;
      saved = opex_month + discount * saved;
      s.exercise_at(m)[p] = conversion_value[m] - lost + saved;
      s.state_at(m)[p] = m == 0 ? months.start_hashprice_usd_per_ph_day[first + p] : months.hashprice_usd_per_ph_day[row + m - 1];
    }
  }
  return s;
}

SwitchingSample switching_sample(const SiteMonths& months, std::size_t first, std::size_t n, const SiteMining& site,
                                 const SiteOptionSettings& settings, double discount) {
  assert(first + n <= months.paths);
  const std::size_t dates = months.months;
  SwitchingSample s(n, dates);
  s.discount_per_date = discount;
  const double mw = site.mining_it_mw;
  const double idle_cost =
      std::isnan(settings.idle_cost_usd_per_mw_year) ? site.opex_usd_per_mw_year : settings.idle_cost_usd_per_mw_year;
  const double opex_month = site.capacity_mw * site.opex_usd_per_mw_year / kMonthsPerYear;
  const double idle_month = site.capacity_mw * idle_cost / kMonthsPerYear;
  s.shutdown_cost = settings.shutdown_usd_per_mw * mw;
  s.restart_cost = settings.restart_usd_per_mw * mw;
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t row = (first + p) * dates;
    for (std::size_t m = 0; m < dates; ++m) {
      s.state_at(m)[p] = m == 0 ? months.start_hashprice_usd_per_ph_day[first + p] : months.hashprice_usd_per_ph_day[row + m - 1];
      s.running_cash[m * n + p] = months.margin_running_usd[row + m] - opex_month;
      s.idle_cash[m * n + p] = -idle_month;
    }
    s.running_terminal[p] = 0;
    s.idle_terminal[p] = -s.restart_cost;
  }
  return s;
}

}  // namespace hashpivot::valuation
