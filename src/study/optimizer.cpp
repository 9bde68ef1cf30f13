#include "hashpivot/study/optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <nlopt.hpp>
#include <optional>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/strategy_parameters.hpp"
#include "hashpivot/sim/market_replay.hpp"

namespace hashpivot::study {
namespace {

double parse_number(std::string_view text, std::string_view objective) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    throw ParameterError("objective", fmt::format("{}: expected a number after the colon, got \"{}\"", objective, text));
  return value;
}

firm::Scenario only_strategy(const firm::Scenario& scenario, std::size_t strategy) {
  firm::Scenario one = scenario;
  one.strategies = {scenario.strategies.at(strategy)};
  return one;
}

// The penalized value that the search maximizes (see the header).
double penalized_value(const PointEvaluation& e, const OptimizerSettings& settings, double scale_usd,
                       std::int64_t paths) {
  if (!settings.max_default_prob || e.feasible) return e.objective.value;
  const double excess = e.p_default.value - *settings.max_default_prob;
  return e.objective.value - scale_usd * (1.0 + static_cast<double>(paths) * excess);
}

// Whether `a` is a better reported optimum than `b`: feasible first, then by objective; among
// infeasible points, the fewest defaults first.
bool better(const PointEvaluation& a, const PointEvaluation& b) {
  if (a.feasible != b.feasible) return a.feasible;
  if (!a.feasible && a.p_default.value != b.p_default.value) return a.p_default.value < b.p_default.value;
  return a.objective.value > b.objective.value;
}

nlopt::algorithm nlopt_algorithm(SearchAlgorithm a) {
  switch (a) {
    case SearchAlgorithm::kCobyla: return nlopt::LN_COBYLA;
    case SearchAlgorithm::kSubplex: return nlopt::LN_SBPLX;
    case SearchAlgorithm::kNelderMead: break;
  }
  return nlopt::LN_NELDERMEAD;
}

void check_settings(const firm::Scenario& scenario, std::size_t strategy, const OptimizerSettings& s) {
  assert(strategy < scenario.strategies.size());  // the caller resolved the strategy's name
  require(!s.ranges.empty(), "ranges", "no parameter to search: give at least one range");
  require(s.paths >= 1, "paths", "must be at least 1");
  require(s.out_of_sample_paths >= 0, "out_of_sample_paths", "must be at least 0");
  require(s.max_evaluations >= 1, "max_evaluations", "must be at least 1");
  if (s.max_default_prob)
    require(*s.max_default_prob >= 0 && *s.max_default_prob <= 1, "max_default_prob",
            fmt::format("the default probability limit {} is outside [0, 1]", *s.max_default_prob));
  firm::Scenario probe = scenario;
  for (std::size_t i = 0; i < s.ranges.size(); ++i) {
    const firm::SearchRange& r = s.ranges[i];
    require(r.low < r.high, "ranges", fmt::format("range of {}: expected LO < HI, got {} and {}", r.parameter, r.low, r.high));
    for (std::size_t j = 0; j < i; ++j)
      require(s.ranges[j].parameter != r.parameter, "ranges", fmt::format("{} is given twice", r.parameter));
    try {
      firm::set_strategy_parameter(probe, strategy, r.parameter, r.low);
      firm::set_strategy_parameter(probe, strategy, r.parameter, r.high);
    } catch (const ParameterError& e) {  // firm's: an unknown or unused parameter, or an end outside its range
      throw ParameterError("ranges", fmt::format("strategy parameter {}: {}", e.parameter(), e.problem()));
    }
  }
}

constexpr double kSmallStep = 0.05;  // the restart's first step, share of each range
constexpr double kFirstStep = 0.25;  // the first search's first step, share of each range
/// The least tolerance, as a share of the range, of the at-an-end test (when x_tolerance is smaller).
constexpr double kMinBoundTolerance = 0.5 * 1e-9;

/// Each parameter's position in its range, clamped to [0, 1]: the search's scaled coordinates.
std::vector<double> scaled(const std::vector<double>& x, const std::vector<firm::SearchRange>& ranges) {
  std::vector<double> u(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const firm::SearchRange& r = ranges[i];
    u[i] = std::clamp((x[i] - r.low) / (r.high - r.low), 0.0, 1.0);
  }
  return u;
}

/// Whether each parameter of `best` lies within the search's tolerance of an end of its range.
std::vector<bool> at_bounds(const std::vector<double>& best, const OptimizerSettings& settings) {
  std::vector<bool> out(best.size());
  for (std::size_t i = 0; i < best.size(); ++i) {
    const firm::SearchRange& r = settings.ranges[i];
    const double tolerance = std::max(settings.x_tolerance * (r.high - r.low), kMinBoundTolerance * (r.high - r.low));
    out[i] = best[i] - r.low <= tolerance || r.high - best[i] <= tolerance;
  }
  return out;
}

/// Local searches from the best point so far (`best_u`, which `objective` updates with
/// `best_penalized` and `evaluations`) while they improve it; when one does not, one more with a
/// smaller first simplex, then stop. The evaluation budget bounds it all.
template <class Objective>
void local_searches(const OptimizerSettings& settings, Objective& objective, const int& evaluations,
                    const double& best_penalized, const std::vector<double>& best_u) {
  auto trampoline = [](const std::vector<double>& x, std::vector<double>& g, void* data) {
    return (*static_cast<Objective*>(data))(x, g);
  };
  const std::size_t dims = settings.ranges.size();
  double step = kFirstStep;
  while (evaluations < settings.max_evaluations) {
    const double before = best_penalized;
    nlopt::opt opt(nlopt_algorithm(settings.algorithm), static_cast<unsigned>(dims));
    opt.set_lower_bounds(std::vector<double>(dims, 0.0));
    opt.set_upper_bounds(std::vector<double>(dims, 1.0));
    opt.set_max_objective(trampoline, &objective);
    opt.set_xtol_abs(settings.x_tolerance);
    opt.set_maxeval(settings.max_evaluations - evaluations);
    opt.set_initial_step(std::vector<double>(dims, step));
    std::vector<double> start = best_u;
    double value = 0;
    try {
      static_cast<void>(opt.optimize(start, value));
    } catch (const nlopt::forced_stop&) {
      break;  // the evaluation budget is spent
    } catch (const nlopt::roundoff_limited&) {
      // A step function can stall the search: what it found is kept in best.
    }
    if (best_penalized > before) continue;
    if (step > kSmallStep) {
      step = kSmallStep;
      continue;
    }
    break;
  }
}
/// The largest relative risk aversion accepted (the header's documented range).
constexpr double kMaxCrraGamma = 50;

}  // namespace

Objective parse_objective(std::string_view text) {
  Objective o;
  if (text == "npv") return o;
  const auto colon = text.find(':');
  const std::string_view head = text.substr(0, colon);
  if (colon == std::string_view::npos || (head != "mean-cvar" && head != "crra"))
    throw ParameterError("objective", fmt::format("unknown objective \"{}\" (expected npv, mean-cvar:LAMBDA or crra:GAMMA)", text));
  const double value = parse_number(text.substr(colon + 1), head);
  if (head == "mean-cvar") {
    require(value >= 0 && value <= 1, "objective", fmt::format("mean-cvar: LAMBDA {} is outside [0, 1]", value));
    o.kind = ObjectiveKind::kMeanCvar;
    o.lambda = value;
  } else {
    require(value >= 0 && value <= kMaxCrraGamma, "objective", fmt::format("crra: GAMMA {} is outside [0, 50]", value));
    o.kind = ObjectiveKind::kCrra;
    o.gamma = value;
  }
  return o;
}

std::string objective_name(const Objective& o) {
  switch (o.kind) {
    case ObjectiveKind::kMeanCvar: return fmt::format("mean-cvar:{}", o.lambda);
    case ObjectiveKind::kCrra: return fmt::format("crra:{}", o.gamma);
    case ObjectiveKind::kMeanNpv: break;
  }
  return "npv";
}

double opening_equity_usd(const firm::Scenario& s) {
  double btc = s.treasury.btc;
  double debt_usd = 0;
  for (const firm::Debt& d : s.debts) {
    btc += d.collateral_btc;
    debt_usd += d.principal_usd;
  }
  double book_usd = 0;
  for (const firm::FleetEntry& f : s.fleet) book_usd += f.book_value_usd;
  return s.treasury.cash_usd + btc * s.market.btc_price_usd + book_usd - debt_usd;
}

/// The CVaR's tail as shares of all n paths: Y = VaR − X over the worst paths' NPVs X.
struct TailShortfall {
  double n;           // paths
  double tail_share;  // tail paths / n
  double mean_y;      // Σ Y / n
  double var_y;       // Σ Y² / n − mean_y², at least 0
  double mean_xy;     // Σ X·Y / n
};

std::optional<TailShortfall> tail_shortfall(const sim::StrategyStatistics& st) {
  const std::uint64_t n = st.npv_usd.count();
  const std::uint64_t k = st.npv_worst.tail_count();
  if (n == 0 || k == 0) return std::nullopt;
  std::vector<double> tail = st.npv_worst.kept_values();
  std::sort(tail.begin(), tail.end());
  tail.resize(std::min<std::size_t>(tail.size(), k));
  const double var = tail.back();
  double sum_y = 0, sum_y2 = 0, sum_xy = 0;
  for (const double x : tail) {
    sum_y += var - x;
    sum_y2 += (var - x) * (var - x);
    sum_xy += x * (var - x);
  }
  const auto nd = static_cast<double>(n);
  const double mean_y = sum_y / nd;
  return TailShortfall{nd, static_cast<double>(tail.size()) / nd, mean_y,
                       std::max(0.0, sum_y2 / nd - mean_y * mean_y), sum_xy / nd};
}

Estimate cvar_estimate(const sim::StrategyStatistics& st) {
  const std::optional<TailShortfall> t = tail_shortfall(st);
  if (!t) return {};
  return {st.cvar_usd(), std::sqrt(t->var_y / (t->tail_share * t->tail_share * t->n))};
}

Estimate objective_estimate(const Objective& o, const sim::StrategyStatistics& st) {
  const Estimate mean{st.npv_mean_usd(), st.npv_se_usd()};
  switch (o.kind) {
    case ObjectiveKind::kMeanNpv:
      return mean;
    case ObjectiveKind::kMeanCvar: {
      const std::optional<TailShortfall> t = tail_shortfall(st);
      if (!t) return {};
      const double cov_xy = t->mean_xy - mean.value * t->mean_y;
      const double var_x = st.npv_usd.variance();
      const double w_mean = 1.0 - o.lambda;
      const double w_tail = o.lambda / t->tail_share;  // the objective moves by −w_tail per unit of Y
      const double variance = w_mean * w_mean * var_x + w_tail * w_tail * t->var_y - 2.0 * w_mean * w_tail * cov_xy;
      return {w_mean * mean.value + o.lambda * st.cvar_usd(), std::sqrt(std::max(0.0, variance) / t->n)};
    }
    case ObjectiveKind::kCrra: {
      const sim::CrraUtility u{o.gamma, o.wealth_offset_usd};
      const double ce = u.certainty_equivalent_npv_usd(st.npv_utility.mean());
      return {ce, st.npv_utility.standard_error() / u.marginal_utility(ce)};
    }
  }
  return {};
}

PointEvaluation evaluate_point(const firm::Scenario& scenario, const model::MarketModel& market, std::size_t strategy,
                               const OptimizerSettings& settings, const std::vector<double>& parameters,
                               std::int64_t paths, std::uint64_t seed, double penalty_scale_usd,
                               sim::MarketReplay* replay) {
  firm::Scenario one = only_strategy(scenario, strategy);
  PointEvaluation e;
  for (std::size_t i = 0; i < settings.ranges.size(); ++i) {
    firm::set_strategy_parameter(one, 0, settings.ranges[i].parameter, parameters.at(i));
    e.parameters.push_back(firm::get_strategy_parameter(one, 0, settings.ranges[i].parameter));
  }
  sim::RunOptions options;
  options.paths = paths;
  options.seed = seed;
  options.threads = std::max(1u, settings.threads);
  options.group = settings.group;
  options.variance_reduction = settings.variance_reduction;
  options.market_replay = replay;
  if (settings.objective.kind == ObjectiveKind::kCrra)
    options.utility = {settings.objective.gamma, settings.objective.wealth_offset_usd};
  const sim::RunResult r = run_simulation(one, market, options);
  const sim::StrategyStatistics& st = r.strategies.front();
  e.objective = objective_estimate(settings.objective, st);
  e.mean_npv_usd = {st.npv_mean_usd(), st.npv_se_usd()};
  e.cvar_usd = cvar_estimate(st);
  e.p_default = {st.defaulted.probability(), st.defaulted.standard_error()};
  e.feasible = !settings.max_default_prob || e.p_default.value <= *settings.max_default_prob;
  e.penalized = penalized_value(e, settings, penalty_scale_usd, paths);
  return e;
}

OptimizationResult optimize_strategy(const firm::Scenario& scenario, const model::MarketModel& market, std::size_t strategy,
                                     const OptimizerSettings& settings) {
  check_settings(scenario, strategy, settings);
  const std::size_t dims = settings.ranges.size();
  OptimizationResult result;
  result.strategy = scenario.strategies[strategy].name;
  result.ranges = settings.ranges;

  // Every run of the search has the same market, seed and paths: the first stores the market days,
  // the others replay them, when they fit in the budget.
  std::optional<sim::MarketReplay> replay;
  const auto replay_for = [&](std::int64_t paths, std::uint64_t seed) -> sim::MarketReplay* {
    replay.reset();  // one at a time: the budget bounds the peak
    replay = sim::MarketReplay::within_budget(market, scenario, seed, paths, settings.variance_reduction,
                                              settings.market_replay_budget_bytes);
    return replay ? &*replay : nullptr;
  };
  sim::MarketReplay* const search_replay = replay_for(settings.paths, settings.seed);

  // The declared point, on the same paths: the start of the search and the reference of the report.
  std::vector<double> declared(dims);
  for (std::size_t i = 0; i < dims; ++i)
    declared[i] = firm::get_strategy_parameter(scenario, strategy, settings.ranges[i].parameter);
  result.declared =
      evaluate_point(scenario, market, strategy, settings, declared, settings.paths, settings.seed, 0.0, search_replay);
  result.penalty_scale_usd = std::max({std::abs(result.declared.objective.value),
                                       result.declared.mean_npv_usd.standard_error *
                                           std::sqrt(static_cast<double>(settings.paths)),
                                       1.0});
  result.declared.penalized = penalized_value(result.declared, settings, result.penalty_scale_usd, settings.paths);
  result.evaluations = 1;

  // Scaled coordinates u ∈ [0, 1]^dims; the start is the declared point clamped into the ranges.
  auto to_parameters = [&](const std::vector<double>& u) {
    std::vector<double> x(dims);
    for (std::size_t i = 0; i < dims; ++i) {
      const firm::SearchRange& r = settings.ranges[i];
      x[i] = std::clamp(r.low + std::clamp(u[i], 0.0, 1.0) * (r.high - r.low), r.low, r.high);
    }
    return x;
  };
  const std::vector<double> u = scaled(declared, settings.ranges);
  bool declared_inside = true;
  for (std::size_t i = 0; i < dims; ++i)
    declared_inside = declared_inside && declared[i] >= settings.ranges[i].low && declared[i] <= settings.ranges[i].high;

  PointEvaluation best = result.declared;
  bool have_best = declared_inside;
  double best_penalized = declared_inside ? result.declared.penalized : -std::numeric_limits<double>::infinity();
  std::vector<double> best_u = u;

  auto objective = [&](const std::vector<double>& point, std::vector<double>& grad) -> double {
    static_cast<void>(grad);  // derivative-free algorithms pass no gradient
    if (result.evaluations >= settings.max_evaluations) throw nlopt::forced_stop();
    PointEvaluation e = evaluate_point(scenario, market, strategy, settings, to_parameters(point), settings.paths,
                                       settings.seed, result.penalty_scale_usd, search_replay);
    ++result.evaluations;
    if (!have_best || better(e, best)) {
      best = e;
      have_best = true;
    }
    if (e.penalized > best_penalized) {
      best_penalized = e.penalized;
      best_u = point;
    }
    if (settings.progress) settings.progress(result.evaluations, settings.max_evaluations, best_penalized);
    return e.penalized;
  };
  local_searches(settings, objective, result.evaluations, best_penalized, best_u);

  result.best = best;
  result.at_bound = at_bounds(best.parameters, settings);
  const std::int64_t oos_paths = settings.out_of_sample_paths > 0 ? settings.out_of_sample_paths : settings.paths;
  // The two re-runs on fresh paths share their market too.
  sim::MarketReplay* const fresh_replay = replay_for(oos_paths, settings.out_of_sample_seed);
  result.best_out_of_sample = evaluate_point(scenario, market, strategy, settings, best.parameters, oos_paths,
                                             settings.out_of_sample_seed, result.penalty_scale_usd, fresh_replay);
  result.declared_out_of_sample = evaluate_point(scenario, market, strategy, settings, declared, oos_paths,
                                                 settings.out_of_sample_seed, result.penalty_scale_usd, fresh_replay);
  return result;
}

}  // namespace hashpivot::study
