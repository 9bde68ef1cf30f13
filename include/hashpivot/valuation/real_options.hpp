#pragma once
// Real options on a scenario's site by least-squares Monte Carlo (Longstaff & Schwartz 2001;
// switching after Carmona & Ludkovski 2008, "Pricing asset scheduling flexibility using optimal
// switching", Applied Mathematical Finance 15(5–6)). docs/real_options.md states the model.
//
// Two generic engines over monthly decision dates m = 0 … M−1 (date 0 is today: every path has
// the same state there, so its "regression" is a mean), with a one-variable regression state x_m
// (for a site: the mean hashprice of the month before, USD/PH/day: known at the decision) and a
// constant discount factor d per month:
//
// CONVERT (one irreversible exercise). H_{m,p} is the realized value, money at date m, of
// converting at m rather than mining on forever: the conversion's cash flows minus the mining cash
// flows it gives up, along path p. H depends on the future of the path, so the rule never uses it:
//   C_p ← 0;  for m = M−1 … 0:  C_p ← d·C_p (money at m);  f_m = LS fit of (H_{m,p} − C_p) on φ(x_{m,p});
//             exercise on p when f_m(x_{m,p}) > 0, then C_p ← H_{m,p}.
// (C is the realized value of waiting and following the rule; the fit is E[H − C | x], the gain of
// converting now over waiting.) Out of sample, on independent paths, the fixed rule gives a
// low-biased estimate. option = max(E[H_0], E[continuation]), convert_now = E[H_0],
// waiting = option − max(0, convert_now). The boundary at date m is where f_m changes sign.
//
// SWITCHING (running ⇄ idle, any number of times). R_{m,p}, I_{m,p}: the month-m cash flow of the
// site running / idle (money at date m); switching costs K_{run→idle} (shutdown) and K_{idle→run}
// (restart); terminal values at date M per regime. V_j(m) = the realized value of being in regime j
// at date m before deciding:
//   Y_j = cf_j(m) + d·V_j(m+1);  g_j = LS fit of Y_j on φ(x_m) (or, when the month's cash flow is
//   known at the decision, of d·V_j(m+1), and g_j ← cf_j(m) + fit);
//   from regime i choose j* = argmax_j (g_j − K_{i→j}); V_i(m) = Y_{j*} − K_{i→j*}.
// One regression per regime per date (the target regime's value), as Carmona & Ludkovski.
//
// THE REGRESSION. Monomials 1, z, …, z^K of z = (x − mean)/sd (sd over the date's paths; a date
// whose x has no spread gets the constant fit, i.e. the mean), solved by least_squares.hpp's
// rank-revealing QR, as lsm.hpp.
//
// A SITE. Its mining figures (machines, power, contract, pue, pool fee) are the firm plan's
// (firm::make_plan), the ones the simulation's daily step uses; its months are core/calendar.hpp's,
// the simulation's months.
//
// Errors: a value a caller chose that is out of its domain (paths, degree, a discount, a site name)
// throws ParameterError naming it (core/error.hpp); arrays of the wrong shape are bugs (asserted).
//
// Money is USD unless a caller says otherwise; dates are months.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hashpivot/core/calendar.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/model/market_model.hpp"

namespace hashpivot::valuation {

/// A fitted polynomial in one standardized variable: f(x) = Σ_k β_k ((x − centre)/scale)^k.
struct PolynomialFit {
  static constexpr int kMaxDegree = 8;
  double centre = 0;
  double scale = 1;
  int degree = 0;
  double coefficients[kMaxDegree + 1] = {};
  /// f(x); allocation-free.
  [[nodiscard]] double operator()(double x) const;
};

/// Least-squares fit of y on 1, z, …, z^degree (see THE REGRESSION). x and y have equal sizes ≥ 1
/// (asserted); degree in [0, kMaxDegree], else ParameterError "degree".
[[nodiscard]] PolynomialFit fit_polynomial(std::span<const double> x, std::span<const double> y, int degree);

/// Where a decision flips at one date, from the fitted functions, searched on a grid of 512 points
/// over the date's simulated range of x: act when x < `state` (kBelow) or x > `state` (kAbove);
/// kNone: never in the range; kEverywhere: everywhere in the range. `state` is NaN for those two.
struct DecisionBoundary {
  enum class Side : std::uint8_t { kNone, kBelow, kAbove, kEverywhere };
  Side side = Side::kNone;
  double state = std::numeric_limits<double>::quiet_NaN();
};

// ---- The convert (single-exercise) engine ----------------------------------------------------

/// Paths of the convert problem, structure of arrays [dates][paths].
struct ConvertSample {
  /// Zero-filled; throws ParameterError ("paths", "dates") unless paths ≥ 2 and dates ≥ 1.
  ConvertSample(std::size_t paths, std::size_t dates);
  std::size_t paths;
  std::size_t dates;
  /// d: value at date m of 1 paid at date m+1, in (0, ∞).
  double discount_per_date = 1;
  /// [dates][paths] x_{m,p}, the regression state (x_{0,p} is the same for every p).
  std::vector<double> state;
  /// [dates][paths] H_{m,p}, money at date m (see CONVERT).
  std::vector<double> exercise_value;
  [[nodiscard]] std::span<double> state_at(std::size_t date) { return {state.data() + date * paths, paths}; }
  [[nodiscard]] std::span<double> exercise_at(std::size_t date) { return {exercise_value.data() + date * paths, paths}; }
  [[nodiscard]] std::span<const double> state_at(std::size_t date) const { return {state.data() + date * paths, paths}; }
  [[nodiscard]] std::span<const double> exercise_at(std::size_t date) const {
    return {exercise_value.data() + date * paths, paths};
  }
};

/// The fitted rule. gain[m] is the regression of the gain of converting at date m over waiting;
/// region[m] is where the rule converts: below the first hashprice (over the fitting paths' range)
/// at which the fitted gain turns negative (Side::kBelow), everywhere, or nowhere. Converting gives
/// up mining, which is worth more when hashprice is high, so a fitted gain that turns positive again
/// far in the upper tail (a cubic's extrapolation over a handful of paths) is not a region to
/// convert in: a fit whose first crossing is upward (Side::kAbove) converts nowhere.
struct ConvertPolicy {
  std::vector<PolynomialFit> gain;
  std::vector<DecisionBoundary> region;
};

/// Whether the rule with this region converts at state x.
[[nodiscard]] bool converts_in(const DecisionBoundary& region, double x);

struct ConvertResult {
  /// max(convert_now, continuation), money at date 0.
  double value = 0;
  /// SE of the estimate the value was taken from (convert_now's or continuation's).
  double standard_error = 0;
  /// E[H_0] and its SE: converting today.
  double convert_now = 0;
  double convert_now_se = 0;
  /// Waiting today and following the rule from date 1 (never converting counts 0), and its SE.
  double continuation = 0;
  double continuation_se = 0;
  /// value − max(0, convert_now).
  double waiting = 0;
  bool convert_today = false;
  /// [dates] share of paths converting at each date (date 0: 1 or 0).
  std::vector<double> exercise_fraction;
  /// [dates] x below (or above) which converting beats waiting, from the fitted gain functions.
  std::vector<DecisionBoundary> boundary;
  std::size_t paths = 0;
};

struct ConvertFit {
  ConvertPolicy policy;
  ConvertResult in_sample;
};

/// The backward regressions on `sample`; `degree` in [1, PolynomialFit::kMaxDegree].
[[nodiscard]] ConvertFit fit_convert(const ConvertSample& sample, int degree = 3);
/// The fixed rule valued on `sample` (independent of the fitting one for a low-biased estimate).
[[nodiscard]] ConvertResult evaluate_convert(const ConvertPolicy& policy, const ConvertSample& sample);

// ---- The switching (running ⇄ idle) engine ---------------------------------------------------

struct SwitchingSample {
  /// Zero-filled; throws ParameterError ("paths", "dates") unless paths ≥ 2 and dates ≥ 1.
  SwitchingSample(std::size_t paths, std::size_t dates);
  std::size_t paths;
  std::size_t dates;
  double discount_per_date = 1;
  /// [dates][paths] the regression state.
  std::vector<double> state;
  /// [dates][paths] the month's cash flow running / idle, money at date m.
  std::vector<double> running_cash;
  std::vector<double> idle_cash;
  /// [paths] value at date M (after the last month) of ending running / idle.
  std::vector<double> running_terminal;
  std::vector<double> idle_terminal;
  /// Money per switch, ≥ 0.
  double shutdown_cost = 0;
  double restart_cost = 0;
  /// true: cf_j(m) is known at decision m (used directly; only the continuation is regressed).
  bool cash_known_at_decision = false;
  [[nodiscard]] std::span<const double> state_at(std::size_t m) const { return {state.data() + m * paths, paths}; }
  [[nodiscard]] std::span<double> state_at(std::size_t m) { return {state.data() + m * paths, paths}; }
};

/// Per date, per target regime (0 running, 1 idle): the fitted value (see SWITCHING).
struct SwitchingPolicy {
  std::vector<PolynomialFit> running;
  std::vector<PolynomialFit> idle;
  bool cash_known_at_decision = false;
};

struct SwitchingResult {
  /// Starting running and switching optimally; money at date 0, with its SE.
  double value = 0;
  double standard_error = 0;
  /// Always running: Σ d^m R_m + d^M·running_terminal, with its SE.
  double always_running = 0;
  double always_running_se = 0;
  /// value − always_running, paired on the same paths, with its SE.
  double flexibility = 0;
  double flexibility_se = 0;
  /// [dates] share of paths idle during month m.
  std::vector<double> idle_fraction;
  /// [dates] from running: idle when x below (kBelow); from idle: restart when x above (kAbove).
  /// Empty when cash_known_at_decision (the decision then also depends on the month's cash flow).
  std::vector<DecisionBoundary> idle_below;
  std::vector<DecisionBoundary> restart_above;
  std::size_t paths = 0;
};

struct SwitchingFit {
  SwitchingPolicy policy;
  SwitchingResult in_sample;
};

[[nodiscard]] SwitchingFit fit_switching(const SwitchingSample& sample, int degree = 3);
[[nodiscard]] SwitchingResult evaluate_switching(const SwitchingPolicy& policy, const SwitchingSample& sample);

// ---- A scenario's site -----------------------------------------------------------------------

/// The site's mining as the firm model runs it: the firm plan's site and fleet entries (firm/plan.hpp).
struct SiteMining {
  struct Entry {
    double hashrate_th;      // count × machine TH/s
    double load_mw;          // count × machine W × uptime × pue in MW, at the meter while hashing
    double uptime;
    double efficiency_j_per_th;
  };
  std::string name;
  std::vector<Entry> entries;
  double mining_it_mw = 0;           // Σ count × machine W in MW: what conversion displaces
  double capacity_mw = 0;
  double pue = 1;
  bool index_power = false;
  double power_price_usd_per_mwh = 0;
  double curtailment_credit_usd_per_mwh = 0;
  double opex_usd_per_mw_year = 0;   // the plan's opex per MW-day × 365
  double pool_fee = 0;
  std::optional<firm::Conversion> conversion;
};

/// The site `name` of `scenario`. Throws ParameterError "site" naming it and listing the scenario's
/// sites when there is none of that name, or when it has no fleet.
[[nodiscard]] SiteMining site_mining(const firm::Scenario& scenario, const std::string& name);

/// Simulated months of a site, path-major [paths][months] (so that ranges of paths concatenate).
struct SiteMonths {
  SiteMonths(std::size_t paths, std::size_t months);
  std::size_t paths;
  std::size_t months;
  /// The month's mean hashprice, USD/PH/day.
  std::vector<double> hashprice_usd_per_ph_day;
  /// The site's mining revenue − power over the month, USD: switching off unprofitable days/hours
  /// (the firm's economic curtailment, earning any curtailment credit), and always running.
  std::vector<double> margin_curtailed_usd;
  std::vector<double> margin_running_usd;
  /// [paths] day 0's hashprice (the same on every path), USD/PH/day: the state at date 0.
  std::vector<double> start_hashprice_usd_per_ph_day;
};

/// Simulates paths first_path … first_path + out.paths − 1 of the scenario's market (seed, the
/// run's common random numbers: path p is the same as in `hashpivot run`) and writes them into
/// rows 0 … out.paths − 1 of `out`, month m being the calendar's month m (the scenario's:
/// make_calendar(run.start_date, run.horizon_years); out.months == calendar.months()).
/// On `threads` threads (≥ 1), each simulating a contiguous range of rows: a row depends only on
/// (seed, path), so `out` is bit-identical for any thread count. Allocation-free per day.
void simulate_site_months(const model::MarketModel& market, const SiteMining& site, const Calendar& calendar,
                          std::uint64_t seed, std::uint32_t first_path, SiteMonths& out, unsigned threads = 1);

/// The choices docs/real_options.md documents; defaults are ASSUMPTIONS stated there.
struct SiteOptionSettings {
  /// MW converted (of the site's mining IT MW); NaN: the largest pivot_mw of the scenario's
  /// strategies on this site, else the site's mining IT MW.
  double convert_mw = std::numeric_limits<double>::quiet_NaN();
  double shutdown_usd_per_mw = 3000;
  double restart_usd_per_mw = 10000;
  /// Fixed cost that continues while idle; NaN: the site's opex (all of it fixed).
  double idle_cost_usd_per_mw_year = std::numeric_limits<double>::quiet_NaN();
  int degree = 3;
};

/// Monthly discount factor (1 + r)^(−1/12), r the scenario's discount_rate_annual.
[[nodiscard]] double monthly_discount(const firm::Scenario& scenario);

/// The MW converted: settings.convert_mw or its default (the strategies' pivots, from their firm
/// plans); throws ParameterError "convert_mw" if not in (0, mining IT MW].
[[nodiscard]] double resolve_convert_mw(const firm::Scenario& scenario, const SiteMining& site,
                                        const SiteOptionSettings& settings);

/// G_m for every date: the PV at date m (USD) of converting `mw` MW at the start of month m:
/// −capex·(1 − tenant share) spread evenly over the lead months, then lease × NOI margin monthly
/// (escalated by contract year, times the tenant's survival (1 − q)^(years since first revenue)),
/// within the horizon, plus at date M the terminal multiple × the lease's annual NOI then in force
/// (or of its first year, less unpaid capex, if still in construction; 0 if the term has ended).
/// With project finance (conversion.project_debt_loan_to_cost > 0 or terminal_value =
/// contracted_lease; the firm's rules, firm/project_finance.hpp, monthly): the equity's flows: capex ×
/// (1 − loan-to-cost), interest on the debt drawn during construction, NOI less the annuity that
/// repays the debt over the term (monthly rate = annual / 12); at date M less the debt left and the
/// capex still to pay, plus either the multiple × the annual NOI in force or the remaining lease
/// (the expected NOI to the term's end, discounted at lease_discount_rate_annual, default the
/// scenario's rate) and residual_value_usd_per_mw × mw discounted from the term's end.
[[nodiscard]] std::vector<double> conversion_values(const firm::Conversion& conversion, double mw, std::size_t months,
                                                    double discount, double terminal_multiple);

/// The convert sample of rows [first, first + n) of `months`: x_m = the mean hashprice of month
/// m−1 (x_0 = day 0's), H_{m,p} = G_m − (mw / mining_it_mw)·L_{m,p} + S_m, where L is the PV at m
/// of the site's mining margin (curtailed) over months m … M−1 plus d^{M−m}·multiple·Σ(its last
/// 12 months), and S_m the same PV of the opex the converted MW no longer pay (firm: opex is
/// charged on capacity − converted MW).
[[nodiscard]] ConvertSample convert_sample(const SiteMonths& months, std::size_t first, std::size_t n,
                                           const SiteMining& site, double mw, std::span<const double> conversion_value,
                                           double discount, double terminal_multiple);

/// The switching sample of rows [first, first + n): running cf = margin_running − opex (site MW),
/// idle cf = −idle cost; terminals 0 running and −restart cost idle (returning to the going
/// concern at the horizon); switching costs per MW × mining IT MW.
[[nodiscard]] SwitchingSample switching_sample(const SiteMonths& months, std::size_t first, std::size_t n,
                                               const SiteMining& site, const SiteOptionSettings& settings,
                                               double discount);

}  // namespace hashpivot::valuation
