#include "hashpivot/study/optimizer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::study {
namespace {

// A firm whose best one-off sale is known in closed form. No fleet; B BTC and no cash; a zero-rate
// term loan of D USD due on the last simulated day; a strategy that sells X BTC into cash on day 0
// at the start price S0 and holds the rest; BTC follows GBM with drift μ > 0 (the scenario's
// override) and the calibration's σ; discount rate 0, no terminal value.
//
// On day 364 (the horizon's last, the loan's maturity) the firm pays D from cash X·S0 and sells free
// BTC at S_T for the rest, so it defaults iff X·S0 + (B − X)·S_T < D, i.e. iff S_T < K(X) =
// (D − X·S0)/(B − X); K falls with X when D < B·S0. NPV = max(0, X·S0 + (B − X)·S_T − D), whose mean
// falls with X (d/dX = E[(S0 − S_T)·1{no default}] < 0 when μ > 0): unconstrained, the optimum is the
// smallest sale. With P(default) ≤ p, the optimum is the smallest X with P(S_T < K(X)) ≤ p, i.e.
// K(X*) = q_p, the p-quantile of S_T = S0·exp((μ − σ²/2)T + σ√T·Z), T = 364/365:
//     X* = (D − B·q_p) / (S0 − q_p).
constexpr double kBtc = 1000;
constexpr double kLoanUsd = 65e6;
constexpr double kDriftAnnual = 0.5;
constexpr int kLastDay = 364;  // 2026-02-01 + 1 year = 365 days: days 0-364

std::string closed_form_toml() {
  return testing::sell_then_hold_toml(
      testing::scenario_toml("closed-form treasury", 1, 2000, 5, "terminal_ebitda_multiple = 0\n", 0), kDriftAnnual, kBtc,
      kLoanUsd, 500);
}

firm::Scenario read_treasury_scenario() {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hashpivot_optimizer_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << closed_form_toml();
  firm::Scenario s = io::read_scenario(path.string());
  std::filesystem::remove(path);
  return s;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// Φ⁻¹(p) by bisection on the CDF (exact to 1e-12).
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (normal_cdf(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// The price on the last day of each path, from the market model itself (the same draws the
// optimizer's runs see): the brute-force reference for the sample optimum.
std::vector<double> final_prices(const model::MarketModel& market, std::uint64_t seed, std::int64_t paths) {
  const random::CounterRng rng(seed);
  std::vector<double> prices;
  for (std::int64_t p = 0; p < paths; ++p) {
    model::MarketPathState state = start_market_path(market, rng, static_cast<std::uint32_t>(p));
    model::MarketDay day;
    for (int d = 0; d <= kLastDay; ++d) step_market_day(market, rng, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(d), state, day);
    prices.push_back(day.price_usd_per_btc);
  }
  return prices;
}

OptimizerSettings sale_settings(const firm::Scenario& s) {
  OptimizerSettings o;
  o.ranges = {{"sale_btc", 1.0, kBtc - 1.0}};
  o.paths = s.run.paths;
  o.seed = s.run.seed;
  o.out_of_sample_seed = s.run.seed + 1;
  o.threads = 2;
  o.max_evaluations = 50;
  o.x_tolerance = 1e-3;
  return o;
}

TEST(Optimizer, finds_the_closed_form_sale_under_a_default_probability_limit) {
  const firm::Scenario s = read_treasury_scenario();
  const model::MarketModel market = io::load_market_model(s);
  ASSERT_EQ(market.price_model, model::PriceModel::kGbm);
  const double s0 = s.market.btc_price_usd;
  const double mu = market.gbm.mu_annual, sigma = market.gbm.sigma_annual;
  ASSERT_DOUBLE_EQ(mu, kDriftAnnual);
  const double p = 0.05;
  OptimizerSettings settings = sale_settings(s);
  settings.max_default_prob = p;
  const OptimizationResult r = optimize_strategy(s, market, 0, settings);
  const double found = r.best.parameters.at(0);
  EXPECT_TRUE(r.best.feasible);
  EXPECT_LE(r.best.p_default.value, p);
  EXPECT_LE(r.evaluations, settings.max_evaluations);

  // 1. Against the sample optimum on the same paths (brute force): path i defaults iff X < X_i =
  // (D − B·S_i)/(S0 − S_i); with m = ⌊p·n⌋ defaults allowed, the smallest feasible X is the
  // (m+1)-th largest X_i. The search stops within a few x tolerances of it (the sale rounds nothing).
  const std::vector<double> prices = final_prices(market, s.run.seed, s.run.paths);
  std::vector<double> thresholds;
  for (const double price : prices) thresholds.push_back(price < s0 ? (kLoanUsd - kBtc * price) / (s0 - price) : -1e300);
  std::sort(thresholds.begin(), thresholds.end(), std::greater<>());
  const auto allowed = static_cast<std::size_t>(std::floor(p * static_cast<double>(prices.size())));
  const double sample_optimum = thresholds.at(allowed);
  const double range = settings.ranges[0].high - settings.ranges[0].low;
  EXPECT_GE(found, sample_optimum - 1e-6 * range);  // feasible: not below it
  EXPECT_NEAR(found, sample_optimum, 5 * settings.x_tolerance * range) << "sample optimum " << sample_optimum;

  // 2. Against the closed form: X* = (D − B·q_p)/(S0 − q_p). The sample p-quantile has SE
  // √(p(1−p)/n) / f(q_p), f the lognormal density of S_T; X moves by dX/dq = (D − B·S0)/(S0 − q)²
  // per USD of quantile. Allow 4 SE plus the search's tolerance.
  const double years = kLastDay / 365.0;
  const double z = normal_quantile(p);
  const double q = s0 * std::exp((mu - 0.5 * sigma * sigma) * years + sigma * std::sqrt(years) * z);
  const double closed_form = (kLoanUsd - kBtc * q) / (s0 - q);
  const double density = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi) / (q * sigma * std::sqrt(years));
  const double quantile_se = std::sqrt(p * (1 - p) / static_cast<double>(s.run.paths)) / density;
  const double x_se = std::abs((kLoanUsd - kBtc * s0) / ((s0 - q) * (s0 - q))) * quantile_se;
  EXPECT_NEAR(found, closed_form, 4 * x_se + 5 * settings.x_tolerance * range) << "SE " << x_se;
  EXPECT_GT(closed_form, settings.ranges[0].low + 8 * x_se);  // the constraint binds inside the range

  // Out of sample the same sale defaults on about p of fresh paths (within 4 SE of p).
  EXPECT_NEAR(r.best_out_of_sample.p_default.value, p, 4 * std::sqrt(p * (1 - p) / static_cast<double>(s.run.paths)));
}

TEST(Optimizer, without_a_constraint_the_smallest_sale_is_best_when_btc_outgrows_cash) {
  const firm::Scenario s = read_treasury_scenario();
  const model::MarketModel market = io::load_market_model(s);
  OptimizerSettings settings = sale_settings(s);
  settings.max_evaluations = 30;
  const OptimizationResult r = optimize_strategy(s, market, 0, settings);
  EXPECT_NEAR(r.best.parameters.at(0), settings.ranges[0].low, 5 * settings.x_tolerance * (kBtc - 2));
  EXPECT_TRUE(r.at_bound.at(0));
  // The declared 500 BTC sale is worse on the same paths.
  EXPECT_GT(r.best.objective.value, r.declared.objective.value);
}

// The search's runs replay the markets the first simulated (sim::MarketReplay), and the fresh re-runs
// theirs: every evaluation, and so the whole search, is the same to the bit as without a replay.
TEST(Optimizer, the_market_replay_changes_no_bit_of_the_result) {
  const firm::Scenario s = read_treasury_scenario();
  const model::MarketModel market = io::load_market_model(s);
  OptimizerSettings settings = sale_settings(s);
  settings.max_evaluations = 12;
  settings.paths = 600;  // three blocks, the last partial
  settings.out_of_sample_paths = 520;
  for (const bool reduced : {false, true}) {
    SCOPED_TRACE(reduced ? "variance reduction" : "plain");
    settings.variance_reduction = reduced;
    settings.market_replay_budget_bytes = sim::kDefaultMarketReplayBudgetBytes;
    const OptimizationResult replayed = optimize_strategy(s, market, 0, settings);
    settings.market_replay_budget_bytes = 0;
    const OptimizationResult simulated = optimize_strategy(s, market, 0, settings);
    EXPECT_EQ(replayed.evaluations, simulated.evaluations);
    const auto same = [](const PointEvaluation& a, const PointEvaluation& b, const char* what) {
      EXPECT_EQ(a.parameters, b.parameters) << what;
      for (const auto& [x, y] : {std::pair{a.objective, b.objective}, std::pair{a.mean_npv_usd, b.mean_npv_usd},
                                 std::pair{a.cvar_usd, b.cvar_usd}, std::pair{a.p_default, b.p_default}}) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(x.value), std::bit_cast<std::uint64_t>(y.value)) << what;
        EXPECT_EQ(std::bit_cast<std::uint64_t>(x.standard_error), std::bit_cast<std::uint64_t>(y.standard_error)) << what;
      }
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a.penalized), std::bit_cast<std::uint64_t>(b.penalized)) << what;
    };
    same(replayed.declared, simulated.declared, "declared");
    same(replayed.best, simulated.best, "best");
    same(replayed.declared_out_of_sample, simulated.declared_out_of_sample, "declared, fresh paths");
    same(replayed.best_out_of_sample, simulated.best_out_of_sample, "best, fresh paths");
  }
}

// ---- Objectives and their standard errors -----------------------------------------------------

// Statistics of one strategy fed with `npvs`, as run_simulation accumulates them.
sim::StrategyStatistics statistics_of(const std::vector<double>& npvs, const sim::CrraUtility& u) {
  sim::StrategyStatistics st("s", 1, npvs.size(), 1);
  for (const double x : npvs) {
    st.npv_usd.add(x);
    st.npv_worst.add(x);
    st.npv_utility.add(u.utility(x));
  }
  return st;
}

std::vector<double> lognormal_sample(std::size_t n) {
  std::vector<double> x;
  for (std::size_t i = 0; i < n; ++i) {
    const double u1 = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    // A deterministic, shuffled sample of exp(N(0, 1)) · 1e6 (the order must not matter).
    x.push_back(1e6 * std::exp(normal_quantile(u1)));
  }
  std::rotate(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n / 3), x.end());
  return x;
}

TEST(Optimizer, mean_cvar_objective_and_se_match_a_per_path_recomputation) {
  const std::vector<double> x = lognormal_sample(2000);
  const sim::StrategyStatistics st = statistics_of(x, {});
  const double lambda = 0.4;
  const Estimate e = objective_estimate(parse_objective("mean-cvar:0.4"), st);
  // Brute force: sort, the worst K = 100 values, VaR = the 100th; per-path influence
  // (1−λ)(x − mean) − (λ/a)(y − mean y) with y = (VaR − x)^+, a = K/n; SE = sd(influence)/√n.
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = x.size(), k = 100;
  double mean = 0, cvar = 0;
  for (const double v : x) mean += v / static_cast<double>(n);
  for (std::size_t i = 0; i < k; ++i) cvar += sorted[i] / static_cast<double>(k);
  const double var = sorted[k - 1];
  const double a = static_cast<double>(k) / static_cast<double>(n);
  double mean_y = 0;
  for (const double v : x) mean_y += std::max(0.0, var - v) / static_cast<double>(n);
  double ss = 0;
  for (const double v : x) {
    const double influence = (1 - lambda) * (v - mean) - lambda / a * (std::max(0.0, var - v) - mean_y);
    ss += influence * influence;
  }
  const double se = std::sqrt(ss / static_cast<double>(n) / static_cast<double>(n));
  EXPECT_NEAR(e.value, (1 - lambda) * mean + lambda * cvar, 1e-9 * mean);
  // The brute force divides by n, stats::Moments' variance by n − 1: equal to that order.
  EXPECT_NEAR(e.standard_error, se, 2e-3 * se);
  // λ = 1: CVaR alone, the same as cvar_estimate.
  const Estimate only_tail = objective_estimate(parse_objective("mean-cvar:1"), st);
  EXPECT_NEAR(only_tail.value, cvar_estimate(st).value, 1e-9 * mean);
  EXPECT_NEAR(only_tail.standard_error, cvar_estimate(st).standard_error, 1e-9 * se);
}

TEST(Optimizer, crra_objective_is_the_certainty_equivalent_with_a_delta_method_se) {
  const std::vector<double> x = lognormal_sample(1000);
  Objective o = parse_objective("crra:2");
  o.wealth_offset_usd = 5e5;
  const sim::StrategyStatistics st = statistics_of(x, {o.gamma, o.wealth_offset_usd});
  // γ = 2: u(W) = −1/W, CE = 1/mean(1/W) − offset (harmonic mean of W), SE by the delta method with
  // u′(W) = 1/W².
  double mean_inverse = 0;
  for (const double v : x) mean_inverse += 1 / (o.wealth_offset_usd + v) / static_cast<double>(x.size());
  const double ce = 1 / mean_inverse - o.wealth_offset_usd;
  const Estimate e = objective_estimate(o, st);
  EXPECT_NEAR(e.value, ce, 1e-9 * ce);
  const double w = ce + o.wealth_offset_usd;
  EXPECT_NEAR(e.standard_error, st.npv_utility.standard_error() * w * w, 1e-9 * e.standard_error);
}

TEST(Optimizer, parses_objectives_and_rejects_bad_ones) {
  EXPECT_EQ(parse_objective("npv").kind, ObjectiveKind::kMeanNpv);
  EXPECT_DOUBLE_EQ(parse_objective("mean-cvar:0.25").lambda, 0.25);
  EXPECT_DOUBLE_EQ(parse_objective("crra:3").gamma, 3);
  EXPECT_EQ(objective_name(parse_objective("mean-cvar:0.25")), "mean-cvar:0.25");
  for (const char* bad : {"mean", "mean-cvar", "mean-cvar:1.5", "mean-cvar:x", "crra:-1", "crra:", "cvar:0.5"})
    EXPECT_THROW((void)parse_objective(bad), ParameterError) << bad;
}

TEST(Optimizer, rejects_ranges_the_strategy_cannot_take) {
  const firm::Scenario s = read_treasury_scenario();
  const model::MarketModel market = io::load_market_model(s);
  OptimizerSettings settings = sale_settings(s);
  settings.ranges = {{"pivot_mw", 1, 2}};  // the strategy does not pivot
  EXPECT_THROW((void)optimize_strategy(s, market, 0, settings), ParameterError);
  settings.ranges = {{"sale_btc", 5, 5}};
  EXPECT_THROW((void)optimize_strategy(s, market, 0, settings), ParameterError);
  settings.ranges = {{"sale_day", 0, 400}};  // past the 365-day horizon
  EXPECT_THROW((void)optimize_strategy(s, market, 0, settings), ParameterError);
}

}  // namespace
}  // namespace hashpivot::study
