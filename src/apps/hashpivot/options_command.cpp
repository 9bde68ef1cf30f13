#include "options_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "hashpivot/core/calendar.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/valuation/lsm.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/valuation/real_options.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::cli {
namespace {

constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
// The validation put's limits: a contract and a run that finish in seconds and fit in memory.
constexpr double kMaxMaturityYears = 100;
constexpr double kMaxExerciseDates = 10000;
constexpr double kMaxStoredPathDates = 1e8;  // fitting paths × dates: 16 bytes each, 1.6 GB

/// The flags that set the valuation's parameters (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kOptionsFlags[] = {
    {"site", "--site"},
    {"convert_mw", "--mw"},
    {"shutdown_cost", "--shutdown-usd-per-mw"},
    {"restart_cost", "--restart-usd-per-mw"},
    {"spot", "--spot"},
    {"strike", "--strike"},
    {"rate", "--rate"},
    {"volatility", "--vol"},
    {"maturity", "--maturity"},
    {"paths", "--paths"},
    {"degree", "--degree"},
    {"tree_steps", "--tree-steps"},
    {"exercise_dates_per_year", "--steps-per-year"},
};

struct OptionsCommandOptions {
  std::string scenario;  // the real options of a scenario's site
  std::string site;
  bool paths_given = false;
  bool fit_paths_given = false;
  std::optional<std::uint64_t> site_seed;
  valuation::SiteOptionSettings settings;
  bool american_put = false;
  double spot = kUnset;
  double strike = kUnset;
  double rate = kUnset;
  double vol = kUnset;
  double maturity = kUnset;
  std::uint64_t paths = 100000;
  std::uint64_t fit_paths = 50000;
  std::uint64_t seed = 1;
  double steps_per_year = 50;
  int degree = 3;
  std::uint64_t tree_steps = 5000;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
  bool yes = false;  // run even when estimated over an hour
  unsigned threads = 0;  // a site's simulation: 0 = every core
};

double required(double value, const std::string& flag, const std::string& what) {
  if (std::isnan(value)) bad_flag(flag, "missing: --american-put needs " + what);
  if (!std::isfinite(value)) bad_flag(flag, "must be finite");
  return value;
}

valuation::PutContract read_contract(const OptionsCommandOptions& o) {
  const valuation::PutContract put{required(o.spot, "--spot", "the stock price today, > 0"),
                                required(o.strike, "--strike", "the strike, > 0"),
                                required(o.rate, "--rate", "the continuously compounded rate per year, e.g. 0.06"),
                                required(o.vol, "--vol", "the volatility per √year, e.g. 0.2"),
                                required(o.maturity, "--maturity", "the maturity in years, > 0")};
  if (!(put.spot > 0)) bad_flag("--spot", fmt::format("must be > 0 (got {})", put.spot));
  if (!(put.strike > 0)) bad_flag("--strike", fmt::format("must be > 0 (got {})", put.strike));
  if (!(put.volatility > 0))
    bad_flag("--vol", fmt::format("must be > 0 (a volatility per √year, e.g. 0.2; got {})", put.volatility));
  if (!(put.maturity > 0)) bad_flag("--maturity", fmt::format("must be > 0 years (got {})", put.maturity));
  if (!(std::abs(put.rate) < 1))
    bad_flag("--rate", fmt::format("must be between -1 and 1 (a rate per year, e.g. 0.06 for 6%; got {})", put.rate));
  if (put.maturity > kMaxMaturityYears)
    bad_flag("--maturity", fmt::format("must be at most 100 years (got {})", put.maturity));
  return put;
}

/// Pricing and fitting paths each of the pilot that times a put's valuation (the --yes guard).
constexpr std::size_t kPutPilotPaths = 2000;

void check_run_size(const OptionsCommandOptions& o, const valuation::PutContract& put) {
  if (!(o.steps_per_year > 0) || !std::isfinite(o.steps_per_year))
    bad_flag("--steps-per-year", "must be > 0 (exercise dates per year; Longstaff & Schwartz use 50)");
  const double dates = std::max(1.0, std::round(put.maturity * o.steps_per_year));
  if (dates > kMaxExerciseDates) bad_flag("--steps-per-year", fmt::format("gives {} exercise dates; at most 10000", dates));
  // The fitting paths are stored: 16 bytes per path and date.
  if (static_cast<double>(o.fit_paths) * dates > kMaxStoredPathDates)
    bad_flag("--fit-paths", fmt::format("{} paths × {} exercise dates would store more than 1.6 GB; lower it", o.fit_paths, dates));
  // The CRR tree needs its risk-neutral probability in (0, 1): |r|·√Δt < σ.
  if (std::abs(put.rate) * std::sqrt(put.maturity / static_cast<double>(o.tree_steps)) >= put.volatility)
    bad_flag("--tree-steps", "too few for this rate and volatility (needs |rate|·√(T/steps) < vol)");
}

/// Where the rule exercises relative to the boundary spot: "below", "above", "never", "always".
const char* side_name(valuation::LsmBoundary::Side side) {
  switch (side) {
    case valuation::LsmBoundary::Side::kBelow: return "below";
    case valuation::LsmBoundary::Side::kAbove: return "above";
    case valuation::LsmBoundary::Side::kNone: return "never";
    case valuation::LsmBoundary::Side::kEverywhere: return "always";
  }
  return "never";
}

/// The exercise boundary at the first, middle, second-to-last and last dates (dates dt years apart).
std::string boundary_summary(const std::vector<valuation::LsmBoundary>& b, double dt) {
  const std::vector<std::size_t> shown{0, b.size() / 2, b.size() >= 2 ? b.size() - 2 : 0, b.size() - 1};
  std::string line;
  std::size_t previous = b.size();
  for (const std::size_t m : shown) {
    if (m == previous) continue;
    previous = m;
    if (!line.empty()) line += ", ";
    const double t = static_cast<double>(m + 1) * dt;
    switch (b[m].side) {
      case valuation::LsmBoundary::Side::kBelow: line += fmt::format("S < {:.2f} at t {:.2f} y", b[m].state, t); break;
      case valuation::LsmBoundary::Side::kAbove: line += fmt::format("S > {:.2f} at t {:.2f} y", b[m].state, t); break;
      case valuation::LsmBoundary::Side::kNone: line += fmt::format("never at t {:.2f} y", t); break;
      case valuation::LsmBoundary::Side::kEverywhere: line += fmt::format("always at t {:.2f} y", t); break;
    }
  }
  return line;
}

void run_american_put(const OptionsCommandOptions& o) {
  const valuation::PutContract put = read_contract(o);
  check_run_size(o, put);
  valuation::AmericanPutLsmOptions lsm_options;
  lsm_options.paths = o.paths;
  lsm_options.fit_paths = o.fit_paths;
  lsm_options.seed = o.seed;
  lsm_options.exercise_dates_per_year = o.steps_per_year;
  lsm_options.lsm.degree = o.degree;

  {
    valuation::AmericanPutLsmOptions pilot_options = lsm_options;
    pilot_options.paths = pilot_options.fit_paths = kPutPilotPaths;
    confirm_by_pilot([&] { static_cast<void>(valuation::lsm_american_put(put, pilot_options)); }, 2.0 * kPutPilotPaths,
                     static_cast<double>(o.paths + o.fit_paths), 1, o.yes, "--paths",
                     fmt::format("{} pricing + {} fitting paths", with_thousands(static_cast<std::int64_t>(o.paths)),
                                 with_thousands(static_cast<std::int64_t>(o.fit_paths))));
  }
  const valuation::AmericanPutLsm lsm = valuation::lsm_american_put(put, lsm_options);
  const double tree = valuation::american_put_binomial(put, o.tree_steps);
  // The same exercise dates as the LSM on a tree with a whole number of steps per period: the value
  // the LSM estimates without the gap between 50-a-year (say) and continuous exercise.
  const std::size_t per_period = std::max<std::size_t>(1, (o.tree_steps + lsm.exercise_dates - 1) / lsm.exercise_dates);
  const double tree_bermudan = valuation::binomial_put(put, per_period * lsm.exercise_dates, valuation::ExerciseStyle::kBermudan,
                                                    lsm.exercise_dates);
  const double european = valuation::black_scholes_put(put);
  const valuation::LsmResult& v = lsm.value;
  const double dt = put.maturity / static_cast<double>(lsm.exercise_dates);

  if (o.json) {
    nlohmann::json boundary_t = nlohmann::json::array();
    nlohmann::json boundary_spot = nlohmann::json::array();
    nlohmann::json boundary_side = nlohmann::json::array();
    for (std::size_t m = 0; m < lsm.in_sample.boundary.size(); ++m) {
      const valuation::LsmBoundary& b = lsm.in_sample.boundary[m];
      boundary_t.push_back(static_cast<double>(m + 1) * dt);
      boundary_spot.push_back(report::number_or_null(b.state));
      boundary_side.push_back(side_name(b.side));
    }
    const nlohmann::json out{
        {"value", v.value},
        {"se", v.standard_error},
        {"tree", tree},
        {"tree_bermudan", tree_bermudan},
        {"european", european},
        {"early_exercise_premium", v.value - european},
        {"value_of_waiting", v.value_of_waiting},
        {"exercise_now", v.exercise_now},
        {"exercise_now_value", v.exercise_now_value},
        {"in_sample", {{"value", lsm.in_sample.value}, {"se", lsm.in_sample.standard_error}}},
        {"inputs",
         {{"spot", put.spot}, {"strike", put.strike}, {"rate", put.rate}, {"vol", put.volatility}, {"maturity", put.maturity}}},
        {"paths", v.paths},
        {"fit_paths", lsm.in_sample.paths},
        {"seed", o.seed},
        {"exercise_dates", lsm.exercise_dates},
        {"steps_per_year", o.steps_per_year},
        {"degree", o.degree},
        {"tree_steps", o.tree_steps},
        {"boundary", {{"t", boundary_t}, {"spot", boundary_spot}, {"exercise", boundary_side}}}};
    std::cout << out.dump() << '\n';
    return;
  }

  fmt::print("American put   spot {:g}  strike {:g}  rate {:g}  vol {:g}  maturity {:g} y\n", put.spot, put.strike, put.rate,
             put.volatility, put.maturity);
  fmt::print("               {} exercise dates ({:g} a year), {} pricing + {} fitting paths (antithetic), seed {}\n",
             lsm.exercise_dates, o.steps_per_year, v.paths, lsm.in_sample.paths, o.seed);
  // label, value, "± SE" (when there is one), note
  const auto row = [](const char* label, double value, double se, const std::string& note) {
    const std::string error = std::isnan(se) ? std::string() : fmt::format(" ± {:.4f} SE", se);
    if (note.empty()) fmt::print("{:<26}{:>10.4f}{}\n", label, value, error);
    else fmt::print("{:<26}{:>10.4f}{:<16} {}\n", label, value, error, note);
  };
  const auto versus = [&v](double reference) {
    return fmt::format("LSM - tree = {:+.4f} ({:+.1f} SE)", v.value - reference, (v.value - reference) / v.standard_error);
  };
  row("LSM value", v.value, v.standard_error, "the rule fitted on other paths, valued out of sample (low-biased)");
  row("LSM in-sample", lsm.in_sample.value, lsm.in_sample.standard_error,
      "Longstaff-Schwartz's estimator (the rule on its own paths)");
  row("tree, American", tree, kUnset,
      fmt::format("CRR, {} and {} steps averaged; {}", o.tree_steps, o.tree_steps + 1, versus(tree)));
  row("tree, Bermudan", tree_bermudan, kUnset,
      fmt::format("the LSM's {} exercise dates, {} steps; {}", lsm.exercise_dates, per_period * lsm.exercise_dates,
                  versus(tree_bermudan)));
  row("European (Black-Scholes)", european, kUnset, "");
  row("early exercise premium", v.value - european, kUnset, "LSM - European");
  row("value of waiting", v.value_of_waiting, kUnset,
      fmt::format("continuation - exercise now ({:.4f}): {}", v.exercise_now_value, v.exercise_now ? "exercise now" : "hold"));
  if (!lsm.in_sample.boundary.empty())
    fmt::print("{:<26}exercise when {}\n", "exercise boundary", boundary_summary(lsm.in_sample.boundary, dt));
}

// ---- Real options of a scenario's site ----------------------------------------------------------

constexpr std::uint64_t kSitePathsDefault = 4000;
/// Fitting and pricing paths of a site together: their months are stored (3 doubles a month each).
constexpr std::uint64_t kMaxSitePaths = 2'000'000;

std::vector<std::byte> pack(const valuation::SiteMonths& m) {
  std::vector<std::byte> bytes;
  const auto append = [&bytes](const std::vector<double>& v) {
    const std::size_t at = bytes.size();
    bytes.resize(at + v.size() * sizeof(double));
    std::memcpy(bytes.data() + at, v.data(), v.size() * sizeof(double));
  };
  append(m.hashprice_usd_per_ph_day);
  append(m.margin_curtailed_usd);
  append(m.margin_running_usd);
  append(m.start_hashprice_usd_per_ph_day);
  return bytes;
}

/// Copies `rows` paths packed by `pack` into rows [first, first + rows) of `out`.
void unpack_into(const std::vector<std::byte>& bytes, std::size_t first, std::size_t rows, valuation::SiteMonths& out) {
  const std::size_t cells = rows * out.months;
  if (bytes.size() != (3 * cells + rows) * sizeof(double))
    throw std::runtime_error("options: a rank sent a share of the wrong size");
  const std::byte* at = bytes.data();
  const auto take = [&at](std::vector<double>& v, std::size_t offset, std::size_t n) {
    std::memcpy(v.data() + offset, at, n * sizeof(double));
    at += n * sizeof(double);
  };
  take(out.hashprice_usd_per_ph_day, first * out.months, cells);
  take(out.margin_curtailed_usd, first * out.months, cells);
  take(out.margin_running_usd, first * out.months, cells);
  take(out.start_hashprice_usd_per_ph_day, first, rows);
}

/// Paths [0, total) split over the group's ranks in contiguous shares; path p depends only on
/// (seed, p), so the root's concatenation equals one process's simulation. Returns the whole set at
/// the root, an empty set elsewhere.
std::optional<valuation::SiteMonths> simulate_all(const model::MarketModel& market, const valuation::SiteMining& site,
                                                  const Calendar& calendar, std::uint64_t seed, std::size_t total,
                                                  const sim::ProcessGroup& group, unsigned threads) {
  const std::size_t months = calendar.months();
  const auto ranks = static_cast<std::size_t>(group.size());
  const auto share_begin = [&](std::size_t r) { return total * r / ranks; };
  const auto rank = static_cast<std::size_t>(group.rank());
  valuation::SiteMonths mine(share_begin(rank + 1) - share_begin(rank), months);
  if (mine.paths > 0)
    valuation::simulate_site_months(market, site, calendar, seed, static_cast<std::uint32_t>(share_begin(rank)), mine,
                                    threads);
  if (ranks == 1) return mine;
  if (!group.is_root()) {
    group.send_to_root(pack(mine));
    return std::nullopt;
  }
  valuation::SiteMonths all(total, months);
  unpack_into(pack(mine), 0, mine.paths, all);
  for (std::size_t r = 1; r < ranks; ++r)
    unpack_into(group.receive_from(static_cast<int>(r)), share_begin(r), share_begin(r + 1) - share_begin(r), all);
  return all;
}

const char* boundary_side(valuation::DecisionBoundary::Side side) {
  switch (side) {
    case valuation::DecisionBoundary::Side::kBelow: return "below";
    case valuation::DecisionBoundary::Side::kAbove: return "above";
    case valuation::DecisionBoundary::Side::kNone: return "none";
    case valuation::DecisionBoundary::Side::kEverywhere: return "everywhere";
  }
  return "none";
}

nlohmann::json boundary_json(const valuation::DecisionBoundary& b) {
  return report::number_or_null(b.state);
}

/// The text of a boundary: the hashprice, "all" (every simulated value), "none".
std::string boundary_text(const valuation::DecisionBoundary& b) {
  switch (b.side) {
    case valuation::DecisionBoundary::Side::kBelow: return fmt::format("< {:.2f}", b.state);
    case valuation::DecisionBoundary::Side::kAbove: return fmt::format("> {:.2f}", b.state);
    case valuation::DecisionBoundary::Side::kEverywhere: return "all";
    case valuation::DecisionBoundary::Side::kNone: return "none";
  }
  return "none";
}

void check_site_settings(const valuation::SiteOptionSettings& s) {
  const auto nonnegative = [](double v, const char* flag) {
    if (!(v >= 0) || !std::isfinite(v)) bad_flag(flag, fmt::format("must be a finite number >= 0 (got {})", v));
  };
  nonnegative(s.shutdown_usd_per_mw, "--shutdown-usd-per-mw");
  nonnegative(s.restart_usd_per_mw, "--restart-usd-per-mw");
  if (!std::isnan(s.idle_cost_usd_per_mw_year)) nonnegative(s.idle_cost_usd_per_mw_year, "--idle-cost-usd-per-mw-year");
}

/// A site's options, valued on the simulated months.
struct SiteValues {
  valuation::SiteMining site;
  double mw = 0;                // converted (0 without a conversion)
  std::uint64_t seed = 0;
  std::size_t pricing = 0;      // paths
  std::size_t fitting = 0;
  std::size_t months = 0;
  std::optional<valuation::ConvertFit> convert_fit;
  std::optional<valuation::ConvertResult> convert;
  valuation::SwitchingFit switch_fit;
  valuation::SwitchingResult switching;
  double idle_cost_usd_per_mw_year = 0;
  double seconds = 0;
};

/// Fits the rules on the fitting paths (0 … F−1) and values them on the pricing paths (F … F+P−1).
void value_site_options(const valuation::SiteOptionSettings& settings, int degree, const firm::Scenario& scenario,
                        const valuation::SiteMonths& months, SiteValues& v) {
  const double d = valuation::monthly_discount(scenario);
  const double multiple = scenario.run.terminal_ebitda_multiple;
  if (v.site.conversion) {
    const std::vector<double> g = valuation::conversion_values(*v.site.conversion, v.mw, months.months, d, multiple);
    v.convert_fit =
        valuation::fit_convert(valuation::convert_sample(months, 0, v.fitting, v.site, v.mw, g, d, multiple), degree);
    v.convert = valuation::evaluate_convert(
        v.convert_fit->policy, valuation::convert_sample(months, v.fitting, v.pricing, v.site, v.mw, g, d, multiple));
  }
  v.switch_fit = valuation::fit_switching(valuation::switching_sample(months, 0, v.fitting, v.site, settings, d), degree);
  v.switching = valuation::evaluate_switching(
      v.switch_fit.policy, valuation::switching_sample(months, v.fitting, v.pricing, v.site, settings, d));
  v.idle_cost_usd_per_mw_year = std::isnan(settings.idle_cost_usd_per_mw_year) ? v.site.opex_usd_per_mw_year
                                                                                  : settings.idle_cost_usd_per_mw_year;
}

nlohmann::json site_json(const std::string& scenario_label, const valuation::SiteOptionSettings& settings,
                         const firm::Scenario& scenario, const SiteValues& v, const std::vector<std::string>& labels) {
  nlohmann::json out{{"site", v.site.name},
                     {"scenario", scenario_label},
                     {"units", "USD at the start date; hashprice USD/PH/day (the previous month's mean)"},
                     {"paths", v.pricing},
                     {"fit_paths", v.fitting},
                     {"seed", v.seed},
                     {"months", v.months},
                     {"discount_rate_annual", scenario.run.discount_rate_annual},
                     {"terminal_ebitda_multiple", scenario.run.terminal_ebitda_multiple},
                     {"mining_it_mw", v.site.mining_it_mw}};
  if (v.convert) {
    const valuation::ConvertResult& convert = *v.convert;
    nlohmann::json boundary = nlohmann::json::array();
    for (std::size_t m = 0; m < v.months; ++m)
      boundary.push_back({{"month", labels[m]},
                          {"hashprice_usd_per_ph_day", boundary_json(convert.boundary[m])},
                          {"side", boundary_side(convert.boundary[m].side)},
                          {"converted_fraction", convert.exercise_fraction[m]}});
    out["convert"] = {{"mw", v.mw},
                      {"value", convert.value},
                      {"se", convert.standard_error},
                      {"convert_now", convert.convert_now},
                      {"convert_now_se", convert.convert_now_se},
                      {"continuation", convert.continuation},
                      {"continuation_se", convert.continuation_se},
                      {"waiting", convert.waiting},
                      {"decision", convert.convert_today ? "convert now" : "wait"},
                      {"in_sample", {{"value", v.convert_fit->in_sample.value}, {"se", v.convert_fit->in_sample.standard_error}}},
                      {"boundary", boundary}};
  } else {
    out["convert"] = nullptr;
    out["convert_note"] = "site " + v.site.name + " has no [sites.conversion] block: only the shut-down option";
  }
  const valuation::SwitchingResult& sw = v.switching;
  nlohmann::json boundary = nlohmann::json::array();
  for (std::size_t m = 0; m < v.months; ++m)
    boundary.push_back({{"month", labels[m]},
                        {"idle_below_usd_per_ph_day", boundary_json(sw.idle_below[m])},
                        {"idle_side", boundary_side(sw.idle_below[m].side)},
                        {"restart_above_usd_per_ph_day", boundary_json(sw.restart_above[m])},
                        {"restart_side", boundary_side(sw.restart_above[m].side)},
                        {"idle_fraction", sw.idle_fraction[m]}});
  out["shutdown"] = {{"mw", v.site.mining_it_mw},
                     {"value", sw.flexibility},
                     {"se", sw.flexibility_se},
                     {"flexible", sw.value},
                     {"flexible_se", sw.standard_error},
                     {"always_running", sw.always_running},
                     {"always_running_se", sw.always_running_se},
                     {"in_sample", {{"value", v.switch_fit.in_sample.flexibility}, {"se", v.switch_fit.in_sample.flexibility_se}}},
                     {"shutdown_usd_per_mw", settings.shutdown_usd_per_mw},
                     {"restart_usd_per_mw", settings.restart_usd_per_mw},
                     {"idle_cost_usd_per_mw_year", v.idle_cost_usd_per_mw_year},
                     {"boundary", boundary}};
  return out;
}

void print_site_text(const OptionsCommandOptions& o, const firm::Scenario& scenario, const SiteValues& v,
                     const std::vector<std::string>& labels) {
  const auto musd = [](double usd) { return usd / kMillion; };
  fmt::print("Real options of site {} ({}): {:.3f} MW of machines (IT), {} monthly decisions from {}\n", v.site.name,
             o.scenario, v.site.mining_it_mw, v.months, labels.front());
  fmt::print("  {} pricing + {} fitting paths (independent), seed {}, discount {:g}/year, terminal {:g}x the last year, {:.1f} s\n",
             v.pricing, v.fitting, v.seed, scenario.run.discount_rate_annual, scenario.run.terminal_ebitda_multiple,
             v.seconds);
  fmt::print("  values in $M at {}, relative to running the site as it is; value = the rule fitted on other paths (low-biased)\n\n",
             labels.front());
  const auto row = [](const std::string& label, double value, double se, const std::string& note) {
    fmt::print("{:<34}{:>10.2f} ± {:<7.2f} {}\n", label, value, se, note);
  };
  if (v.convert) {
    const valuation::ConvertResult& convert = *v.convert;
    const firm::Conversion& c = *v.site.conversion;
    fmt::print("Convert {:g} MW to AI/HPC: capex ${:.2f}M/MW ({:.0f}% tenant-funded), {} months' lead, lease ${:.2f}M/MW-year "
               "x {:.0f}% NOI, {} years, +{:.1f}%/year, tenant default {:.1f}%/year\n",
               v.mw, musd(c.capex_usd_per_mw), kPercentPerUnit * c.tenant_funded_fraction, c.lead_time_months,
               musd(c.lease_usd_per_mw_year), kPercentPerUnit * c.noi_margin, c.term_years,
               kPercentPerUnit * c.escalator_annual, kPercentPerUnit * c.tenant_default_prob_annual);
    if (c.terminal_value == firm::ConversionTerminal::kContractedLease || c.project_debt_loan_to_cost > 0.0)
      fmt::print("  financed: project debt {:.0f}% of the firm's capex at {:.2f}%/year; at the horizon {}\n",
                 kPercentPerUnit * c.project_debt_loan_to_cost, kPercentPerUnit * c.project_debt_rate_annual,
                 c.terminal_value == firm::ConversionTerminal::kContractedLease
                     ? fmt::format("the lease to its contracted end, residual ${:.2f}M/MW", musd(c.residual_value_usd_per_mw))
                     : std::string("the EBITDA multiple"));
    row("  option to convert ($M)", musd(convert.value), musd(convert.standard_error),
        fmt::format("in-sample {:.2f} ± {:.2f}", musd(v.convert_fit->in_sample.value),
                    musd(v.convert_fit->in_sample.standard_error)));
    row("  convert now ($M)", musd(convert.convert_now), musd(convert.convert_now_se), "");
    row("  wait, convert by the rule ($M)", musd(convert.continuation), musd(convert.continuation_se), "");
    fmt::print("{:<34}{:>10.2f}           option - max(0, convert now): {}\n\n", "  value of waiting ($M)",
               musd(convert.waiting), convert.convert_today ? "convert now" : "wait");
  } else {
    fmt::print("Site {} has no [sites.conversion] block: only the shut-down option is valued.\n\n", v.site.name);
  }
  const valuation::SwitchingResult& sw = v.switching;
  fmt::print("Shut down / restart monthly, all {:.3f} MW: shutdown ${:g}/MW, restart ${:g}/MW, idle cost ${:g}/MW-year "
             "(ASSUMPTIONS, docs/real_options.md)\n",
             v.site.mining_it_mw, o.settings.shutdown_usd_per_mw, o.settings.restart_usd_per_mw, v.idle_cost_usd_per_mw_year);
  row("  value of the flexibility ($M)", musd(sw.flexibility), musd(sw.flexibility_se),
      fmt::format("in-sample {:.2f} ± {:.2f}", musd(v.switch_fit.in_sample.flexibility),
                  musd(v.switch_fit.in_sample.flexibility_se)));
  row("  switching ($M)", musd(sw.value), musd(sw.standard_error), "");
  row("  always running ($M)", musd(sw.always_running), musd(sw.always_running_se), "");
  fmt::print("\nBoundaries by month, on the previous month's mean hashprice (USD/PH/day); 'all': every simulated value, "
             "'none': no crossing\n");
  fmt::print("{:<9}{:>14}{:>11}{:>14}{:>15}{:>8}\n", "month", "convert when", "converted", "idle when", "restart when", "idle");
  for (std::size_t m = 0; m < v.months; ++m) {
    const std::string conv = v.convert ? boundary_text(v.convert->boundary[m]) : "-";
    const std::string conv_share = v.convert ? fmt::format("{:.1f}%", kPercentPerUnit * v.convert->exercise_fraction[m]) : "-";
    fmt::print("{:<9}{:>14}{:>11}{:>14}{:>15}{:>7.1f}%\n", labels[m], conv, conv_share, boundary_text(sw.idle_below[m]),
               boundary_text(sw.restart_above[m]), kPercentPerUnit * sw.idle_fraction[m]);
  }
}

void run_site(const OptionsCommandOptions& o, const sim::ProcessGroup& group) {
  if (o.american_put) bad_flag("--american-put", "values the validation put; it takes no SCENARIO or --site");
  if (o.scenario.empty()) bad_flag("SCENARIO", "--site needs a scenario file: hashpivot options SCENARIO.toml --site NAME");
  if (o.site.empty()) {
    const firm::Scenario scenario = io::read_scenario(o.scenario);
    std::string known;
    for (const firm::Site& s : scenario.sites) known += (known.empty() ? "" : ", ") + s.name;
    bad_flag("--site", "missing: name the site whose options to value; " + o.scenario + " has: " + known);
  }
  check_site_settings(o.settings);
  const firm::Scenario scenario = read_scenario_checked(o.scenario, o.strict, group.is_root()).scenario;
  SiteValues v;
  v.site = valuation::site_mining(scenario, o.site);
  const bool convertible = v.site.conversion.has_value();
  v.mw = convertible ? valuation::resolve_convert_mw(scenario, v.site, o.settings) : 0.0;
  if (!convertible && !std::isnan(o.settings.convert_mw))
    bad_flag("--mw", "site " + v.site.name + " has no [sites.conversion] block: only the shut-down option applies");
  v.seed = o.site_seed.value_or(scenario.run.seed);
  v.pricing = o.paths_given ? o.paths : kSitePathsDefault;
  v.fitting = o.fit_paths_given ? o.fit_paths : kSitePathsDefault;
  if (v.pricing + v.fitting > kMaxSitePaths) bad_flag("--paths", "--paths + --fit-paths must be at most 2,000,000");
  const model::MarketModel market = io::load_market_model(scenario);
  const Calendar calendar = make_calendar(scenario.run.start_date, scenario.run.horizon_years);
  // The simulation of the site's months dominates; each process simulates its share on `threads`.
  const unsigned threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  confirm_by_pilot(
      [&] {
        valuation::SiteMonths pilot(sim::kPathsPerBlock, calendar.months());
        valuation::simulate_site_months(market, v.site, calendar, v.seed, 0, pilot);
      },
      sim::kPathsPerBlock, static_cast<double>(v.fitting + v.pricing), threads, o.yes, "--paths",
      fmt::format("{} fitting + {} pricing paths", with_thousands(static_cast<std::int64_t>(v.fitting)),
                  with_thousands(static_cast<std::int64_t>(v.pricing))));
  const auto started = std::chrono::steady_clock::now();
  // Fitting paths 0 … F−1, pricing paths F … F+P−1: independent draws of the same market.
  const std::optional<valuation::SiteMonths> months =
      simulate_all(market, v.site, calendar, v.seed, v.fitting + v.pricing, group, threads);
  if (!group.is_root() || !months) return;
  v.months = months->months;
  value_site_options(o.settings, o.degree, scenario, *months, v);
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.json) std::cout << site_json(o.scenario, o.settings, scenario, v, calendar.month_labels).dump() << '\n';
  else print_site_text(o, scenario, v, calendar.month_labels);
}

void run_options(const OptionsCommandOptions& o, const sim::ProcessGroup& group) {
  if (!o.scenario.empty() || !o.site.empty()) {
    run_site(o, group);
    return;
  }
  if (!o.american_put)
    throw InputError("command line", 0, "--american-put",
                     "nothing to value: give SCENARIO.toml --site NAME, or --american-put with --spot, --strike, --rate, "
                     "--vol and --maturity");
  if (group.is_root()) run_american_put(o);
}

}  // namespace

constexpr const char* kOptionsHelp =
    "Real options by least-squares Monte Carlo (Longstaff & Schwartz 2001): SCENARIO.toml --site NAME values "
    "converting the site to AI/HPC and shutting it down/restarting; --american-put values the validation case "
    "against a fine binomial tree";

nlohmann::json site_options_json(const firm::Scenario& scenario, const std::string& scenario_label, const std::string& site,
                                 std::size_t paths, std::size_t fit_paths, std::uint64_t seed) {
  const OptionsCommandOptions defaults;
  SiteValues v;
  v.site = valuation::site_mining(scenario, site);
  v.mw = v.site.conversion ? valuation::resolve_convert_mw(scenario, v.site, defaults.settings) : 0.0;
  v.seed = seed;
  v.pricing = paths;
  v.fitting = fit_paths;
  const model::MarketModel market = io::load_market_model(scenario);
  const Calendar calendar = make_calendar(scenario.run.start_date, scenario.run.horizon_years);
  const auto started = std::chrono::steady_clock::now();
  // Fitting paths 0 … F−1, pricing paths F … F+P−1, as run_site simulates them on one process.
  valuation::SiteMonths months(v.fitting + v.pricing, calendar.months());
  valuation::simulate_site_months(market, v.site, calendar, v.seed, 0, months);
  v.months = months.months;
  value_site_options(defaults.settings, defaults.degree, scenario, months, v);
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return site_json(scenario_label, defaults.settings, scenario, v, calendar.month_labels);
}

void add_options_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  const auto run = [&group](OptionsCommandOptions& o, const CLI::App& given) {
    o.paths_given = given.count("--paths") > 0;
    o.fit_paths_given = given.count("--fit-paths") > 0;
    if (given.count("--seed") > 0) o.site_seed = o.seed;
    run_with_flags(kOptionsFlags, [&] { run_options(o, group); });
  };
  const auto [cmd, options] = add_command<OptionsCommandOptions>(app, exit_code, "options", kOptionsHelp, run);
  cmd->add_option("SCENARIO", options->scenario, "Scenario file whose site's real options to value");
  cmd->add_option("--site", options->site, "The scenario's site (its [[sites]] name)");
  cmd->add_option("--mw", options->settings.convert_mw,
                  "MW to convert (default: the largest pivot_mw of the scenario's strategies on the site, else all its machines' MW)");
  cmd->add_option("--shutdown-usd-per-mw", options->settings.shutdown_usd_per_mw,
                  "Cost of idling the site, USD per MW (ASSUMPTION, docs/real_options.md)")
      ->capture_default_str();
  cmd->add_option("--restart-usd-per-mw", options->settings.restart_usd_per_mw,
                  "Cost of restarting the site, USD per MW (ASSUMPTION, docs/real_options.md)")
      ->capture_default_str();
  cmd->add_option("--idle-cost-usd-per-mw-year", options->settings.idle_cost_usd_per_mw_year,
                  "Fixed cost that continues while idle, USD per MW-year (default: the site's opex)");
  cmd->add_flag("--american-put", options->american_put, "Value an American put (no dividends) by LSM and by a tree");
  cmd->add_option("--spot", options->spot, "Stock price today");
  cmd->add_option("--strike", options->strike, "Strike price");
  cmd->add_option("--rate", options->rate, "Risk-free rate, continuously compounded per year (0.06 = 6%)");
  cmd->add_option("--vol", options->vol, "Volatility per square root of a year (0.2 = 20%)");
  cmd->add_option("--maturity", options->maturity, "Maturity in years");
  cmd->add_option("--paths", options->paths, "Pricing paths (a put: default 100000, rounded up to whole antithetic pairs; a site: default 4000)")
      ->capture_default_str()
      ->transform(count_in_range("paths", 2, 100'000'000));
  cmd->add_option("--fit-paths", options->fit_paths, "Paths the exercise rule is fitted on, independent of the pricing paths (a site: default 4000)")
      ->capture_default_str()
      ->transform(count_in_range("paths", 100, 10'000'000));
  cmd->add_option("--threads", options->threads,
                  "A site's simulation threads (default: every core); the output is the same for any count")
      ->transform(count_in_range("threads", 1, 1024));
  cmd->add_option("--seed", options->seed, "Seed of every random draw (a site: default the scenario's seed)")
      ->capture_default_str();
  cmd->add_option("--steps-per-year", options->steps_per_year, "Exercise dates per year (Longstaff & Schwartz use 50)")
      ->capture_default_str();
  cmd->add_option("--degree", options->degree, "Degree of the regression polynomial in the stock price")
      ->capture_default_str()
      ->transform(count_in_range("", 1, valuation::LsmOptions::kMaxDegree));
  cmd->add_option("--tree-steps", options->tree_steps, "Binomial tree steps (the mean of N and N+1 steps is reported)")
      ->capture_default_str()
      ->transform(count_in_range("steps", 10, 20'000));
  cmd->add_flag("--json", options->json, "Print one JSON object: value, se, tree, european, and more");
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--yes", options->yes, "Run even when estimated to take over an hour (otherwise asked, or exit 2 off a terminal)");
}

}  // namespace hashpivot::cli
