// Real options by LSM (engine/real_options.hpp), checked against independent references:
//  - a binomial tree for a one-factor GBM hashprice (built here, not from a scenario), whose
//    backward dynamic programme over monthly decision nodes values the convert option and the
//    running/idle switching flexibility exactly in the tree's limit;
//  - the closed form of zero-cost switching, E[Σ_m d^m max(R_m, I_m)], on the same paths;
//  - a lease so large that converting at once is optimal: option = convert-now.
// The LSM rule is fitted on one set of paths and valued on independent ones: low-biased, so the
// checks against the tree are one-sided beyond 3 standard errors (an allowance of 2% of the
// tree's value for the regression rule's suboptimality, as lsm_test.cpp allows for puts).

#include "hashpivot/valuation/real_options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::valuation {
namespace {

// A hashprice that drifts down with high volatility, monthly decisions over three years, discount
// 15% a year; the mining margin of a month is a·(H − c), known at the month's start.
struct Gbm {
  double h0 = 50;
  double mu = -0.3;     // per year
  double sigma = 0.6;   // per √year
  std::size_t months = 36;
  double discount = std::pow(1.15, -1.0 / 12.0);
  double margin_per_unit = 1.0;   // a, money per month per unit of H
  double breakeven = 40;          // c
  [[nodiscard]] double margin(double h) const { return margin_per_unit * (h - breakeven); }
};

/// [dates][paths] exact GBM at the months: H_0 = h0, H_m = H_{m−1}·exp((μ − σ²/2)Δt + σ√Δt·Z).
std::vector<double> gbm_paths(const Gbm& g, std::size_t paths, std::uint64_t seed) {
  const random::CounterRng rng(seed);
  const double dt = 1.0 / 12.0;
  std::vector<double> h(paths * g.months);
  for (std::size_t p = 0; p < paths; ++p) {
    double x = g.h0;
    h[p] = x;
    for (std::size_t m = 1; m < g.months; ++m) {
      const double z = rng.normals({random::Stream::kTest, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(m)})[0];
      x *= std::exp((g.mu - 0.5 * g.sigma * g.sigma) * dt + g.sigma * std::sqrt(dt) * z);
      h[m * paths + p] = x;
    }
  }
  return h;
}

ConvertSample convert_gbm_sample(const Gbm& g, double convert_value, std::size_t paths, std::uint64_t seed) {
  const std::vector<double> h = gbm_paths(g, paths, seed);
  ConvertSample s(paths, g.months);
  s.discount_per_date = g.discount;
  for (std::size_t p = 0; p < paths; ++p) {
    double lost = 0;
    for (std::size_t m = g.months; m-- > 0;) {
      const double x = h[m * paths + p];
      lost = g.margin(x) + g.discount * lost;
      s.state_at(m)[p] = x;
      s.exercise_at(m)[p] = convert_value - lost;
    }
  }
  return s;
}

SwitchingSample switching_gbm_sample(const Gbm& g, double idle_cost, double shutdown, double restart, std::size_t paths,
                                     std::uint64_t seed) {
  const std::vector<double> h = gbm_paths(g, paths, seed);
  SwitchingSample s(paths, g.months);
  s.discount_per_date = g.discount;
  s.shutdown_cost = shutdown;
  s.restart_cost = restart;
  s.cash_known_at_decision = true;
  for (std::size_t i = 0; i < h.size(); ++i) {
    s.state[i] = h[i];
    s.running_cash[i] = g.margin(h[i]);
    s.idle_cash[i] = -idle_cost;
  }
  std::ranges::fill(s.idle_terminal, -restart);
  return s;
}

// ---- The tree ---------------------------------------------------------------------------------

/// A recombining binomial tree of H with `per_month` steps a month, matching the GBM's mean:
/// u = e^{σ√Δt}, p = (e^{μΔt} − 1/u)/(u − 1/u); decisions at the month nodes.
struct Tree {
  Tree(const Gbm& g, std::size_t per_month) : gbm(g), n(per_month), steps(g.months * per_month) {
    const double dt = 1.0 / 12.0 / static_cast<double>(n);
    u = std::exp(g.sigma * std::sqrt(dt));
    p = (std::exp(g.mu * dt) - 1.0 / u) / (u - 1.0 / u);
    step_discount = std::pow(g.discount, 1.0 / static_cast<double>(n));
  }
  [[nodiscard]] double h(std::size_t i, std::size_t j) const {
    return gbm.h0 * std::pow(u, 2.0 * static_cast<double>(j) - static_cast<double>(i));
  }
  /// One step back: v[j] ← disc·(p·v[j+1] + (1−p)·v[j]), j ≤ i.
  void roll(std::vector<double>& v, std::size_t i) const {
    for (std::size_t j = 0; j <= i; ++j) v[j] = step_discount * (p * v[j + 1] + (1 - p) * v[j]);
  }
  Gbm gbm;
  std::size_t n, steps;
  double u = 0, p = 0, step_discount = 0;
};

/// Option to convert (worth G at any month) relative to mining on forever: W_0 − Mine_0, with
/// W_m = max(G, f(H) + d·E[W_{m+1}]), Mine_m = f(H) + d·E[Mine_{m+1}], both 0 at the horizon.
double tree_convert_option(const Gbm& g, double convert_value, std::size_t per_month) {
  const Tree t(g, per_month);
  std::vector<double> w(t.steps + 1, 0.0), mine(t.steps + 1, 0.0);
  for (std::size_t i = t.steps; i-- > 0;) {
    t.roll(w, i);
    t.roll(mine, i);
    if (i % t.n != 0) continue;
    for (std::size_t j = 0; j <= i; ++j) {
      const double f = g.margin(t.h(i, j));
      w[j] = std::max(convert_value, f + w[j]);
      mine[j] = f + mine[j];
    }
  }
  return w[0] - mine[0];
}

/// Switching flexibility: start running; run_m = max(Y_r, Y_i − K_sd), idle_m = max(Y_i, Y_r − K_rs),
/// Y_r = f(H) + d·E[run_{m+1}], Y_i = −idle + d·E[idle_{m+1}]; terminals 0 and −K_rs. Minus always running.
double tree_switching_flexibility(const Gbm& g, double idle_cost, double shutdown, double restart, std::size_t per_month) {
  const Tree t(g, per_month);
  std::vector<double> run(t.steps + 1, 0.0), idle(t.steps + 1, -restart), always(t.steps + 1, 0.0);
  for (std::size_t i = t.steps; i-- > 0;) {
    t.roll(run, i);
    t.roll(idle, i);
    t.roll(always, i);
    if (i % t.n != 0) continue;
    for (std::size_t j = 0; j <= i; ++j) {
      const double f = g.margin(t.h(i, j));
      const double yr = f + run[j];
      const double yi = -idle_cost + idle[j];
      run[j] = std::max(yr, yi - shutdown);
      idle[j] = std::max(yi, yr - restart);
      always[j] = f + always[j];
    }
  }
  return run[0] - always[0];
}

TEST(RealOptionsTree, converges_in_the_steps_per_month) {
  const Gbm g;
  const double a = tree_convert_option(g, 150, 100);
  const double b = tree_convert_option(g, 150, 200);
  EXPECT_GT(a, 1.0);  // a non-trivial option for the checks below
  EXPECT_NEAR(a, b, 2e-3 * a);
  const double s1 = tree_switching_flexibility(g, 2, 3, 10, 100);
  const double s2 = tree_switching_flexibility(g, 2, 3, 10, 200);
  EXPECT_GT(s1, 1.0);
  EXPECT_NEAR(s1, s2, 2e-3 * s1);
}

TEST(RealOptionsConvert, lsm_matches_the_tree_within_its_standard_error) {
  const Gbm g;
  const double convert_value = 150;
  const double tree = tree_convert_option(g, convert_value, 200);
  const ConvertFit fit = fit_convert(convert_gbm_sample(g, convert_value, 20000, 11), 3);
  const ConvertResult r = evaluate_convert(fit.policy, convert_gbm_sample(g, convert_value, 20000, 12));
  RecordProperty("tree", std::to_string(tree));
  RecordProperty("lsm", std::to_string(r.value) + " +- " + std::to_string(r.standard_error));
  EXPECT_FALSE(r.convert_today);
  EXPECT_LT(r.convert_now, r.continuation);
  EXPECT_LE(r.value, tree + 3 * r.standard_error) << "tree " << tree;
  EXPECT_GE(r.value, tree - 3 * r.standard_error - 0.02 * tree) << "tree " << tree;
  EXPECT_NEAR(r.waiting, r.value - std::max(0.0, r.convert_now), 1e-12);
  // Converting beats waiting at low hashprice: the boundary is "below" at the dates that exercise.
  std::size_t below = 0;
  for (std::size_t m = 1; m < g.months; ++m) below += r.boundary[m].side == DecisionBoundary::Side::kBelow ? 1u : 0u;
  EXPECT_GT(below, g.months / 2);
  double converted = 0;
  for (const double f : r.exercise_fraction) converted += f;
  EXPECT_GT(converted, 0.05);
  EXPECT_LE(converted, 1.0 + 1e-12);
}

// Mining breaks even at H = c; the month's margin at the boundary h* must be negative enough that
// converting (G now) beats G·d plus the margin: check that the in-sample decisions match the boundary.
TEST(RealOptionsConvert, boundary_separates_the_rule_decisions) {
  const Gbm g;
  const ConvertSample s = convert_gbm_sample(g, 150, 8000, 21);
  const ConvertFit fit = fit_convert(s, 3);
  for (std::size_t m = 1; m < g.months; ++m) {
    const DecisionBoundary& b = fit.in_sample.boundary[m];
    if (b.side != DecisionBoundary::Side::kBelow) continue;
    EXPECT_GT(fit.policy.gain[m](b.state * 0.98), 0.0) << m;
    EXPECT_LE(fit.policy.gain[m](b.state * 1.02), 0.0) << m;
  }
}

TEST(RealOptionsConvert, a_huge_lease_converts_at_once_everywhere) {
  const Gbm g;
  const double convert_value = 1e5;
  const ConvertFit fit = fit_convert(convert_gbm_sample(g, convert_value, 4000, 31), 3);
  const ConvertResult r = evaluate_convert(fit.policy, convert_gbm_sample(g, convert_value, 4000, 32));
  EXPECT_TRUE(r.convert_today);
  EXPECT_EQ(r.value, r.convert_now);
  EXPECT_EQ(r.exercise_fraction[0], 1.0);
  EXPECT_NEAR(r.waiting, 0.0, 1e-9);
  for (std::size_t m = 1; m < g.months; ++m) EXPECT_EQ(r.boundary[m].side, DecisionBoundary::Side::kEverywhere) << m;
}

TEST(RealOptionsSwitching, lsm_matches_the_tree_within_its_standard_error) {
  const Gbm g;
  const double idle = 2, shutdown = 3, restart = 10;
  const double tree = tree_switching_flexibility(g, idle, shutdown, restart, 200);
  const SwitchingFit fit = fit_switching(switching_gbm_sample(g, idle, shutdown, restart, 20000, 41), 3);
  const SwitchingResult r = evaluate_switching(fit.policy, switching_gbm_sample(g, idle, shutdown, restart, 20000, 42));
  RecordProperty("tree", std::to_string(tree));
  RecordProperty("lsm", std::to_string(r.flexibility) + " +- " + std::to_string(r.flexibility_se));
  EXPECT_LE(r.flexibility, tree + 3 * r.flexibility_se) << "tree " << tree;
  EXPECT_GE(r.flexibility, tree - 3 * r.flexibility_se - 0.02 * tree) << "tree " << tree;
  EXPECT_NEAR(r.value - r.always_running, r.flexibility, 1e-9 * std::abs(r.value));
}

TEST(RealOptionsSwitching, zero_cost_switching_is_the_closed_form_on_the_same_paths) {
  const Gbm g;
  const double idle = 2;
  const SwitchingSample s = switching_gbm_sample(g, idle, 0, 0, 4000, 51);
  double closed = 0;
  for (std::size_t p = 0; p < s.paths; ++p) {
    double d = 1;
    for (std::size_t m = 0; m < s.dates; ++m, d *= s.discount_per_date)
      closed += d * std::max(s.running_cash[m * s.paths + p], s.idle_cash[m * s.paths + p]);
  }
  closed /= static_cast<double>(s.paths);
  const SwitchingFit fit = fit_switching(s, 3);
  EXPECT_NEAR(fit.in_sample.value, closed, 1e-9 * std::abs(closed));
  // The same rule on other paths is also exact there (with zero costs it only compares this month).
  const SwitchingSample other = switching_gbm_sample(g, idle, 0, 0, 4000, 52);
  double closed_other = 0;
  for (std::size_t p = 0; p < other.paths; ++p) {
    double d = 1;
    for (std::size_t m = 0; m < other.dates; ++m, d *= other.discount_per_date)
      closed_other += d * std::max(other.running_cash[m * other.paths + p], other.idle_cash[m * other.paths + p]);
  }
  closed_other /= static_cast<double>(other.paths);
  EXPECT_NEAR(evaluate_switching(fit.policy, other).value, closed_other, 1e-9 * std::abs(closed_other));
}

TEST(RealOptionsSwitching, prohibitive_costs_leave_no_flexibility) {
  const Gbm g;
  const SwitchingFit fit = fit_switching(switching_gbm_sample(g, 2, 1e9, 1e9, 2000, 61), 3);
  EXPECT_EQ(fit.in_sample.flexibility, 0.0);
  for (const double f : fit.in_sample.idle_fraction) EXPECT_EQ(f, 0.0);
}

TEST(RealOptionsRegression, recovers_a_cubic_exactly) {
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(10.0 + 0.3 * i);
    y.push_back(2 - 0.5 * x.back() + 0.01 * x.back() * x.back() * x.back());
  }
  const PolynomialFit f = fit_polynomial(x, y, 3);
  for (const double v : {10.0, 14.2, 24.7}) EXPECT_NEAR(f(v), 2 - 0.5 * v + 0.01 * v * v * v, 1e-8);
  const PolynomialFit constant = fit_polynomial(std::vector<double>(5, 3.0), std::vector<double>{1, 2, 3, 4, 5}, 3);
  EXPECT_EQ(constant.degree, 0);
  EXPECT_DOUBLE_EQ(constant(100), 3.0);
}

// ---- A scenario's site ----------------------------------------------------------------------

const std::string kCango = std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml";

TEST(RealOptionsSite, unknown_site_names_the_known_ones) {
  const firm::Scenario s = io::read_scenario(kCango);
  try {
    (void)site_mining(s, "nowhere");
    FAIL() << "no exception";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "site");
    EXPECT_NE(e.problem().find("nowhere"), std::string::npos);
    EXPECT_NE(e.problem().find("hosted"), std::string::npos);
    EXPECT_NE(e.problem().find("georgia"), std::string::npos);
  }
  const SiteMining georgia = site_mining(s, "georgia");
  EXPECT_NEAR(georgia.mining_it_mw, 9523 * 3024 / 1e6, 1e-9);
  EXPECT_TRUE(georgia.conversion.has_value());
  EXPECT_DOUBLE_EQ(resolve_convert_mw(s, georgia, {}), 15.0);  // the scenario's pivot_mw on georgia
  try {
    (void)resolve_convert_mw(s, georgia, {.convert_mw = 31.0});
    FAIL() << "no exception";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "convert_mw");
  }
}

// The site's figures are the ones the firm's daily step uses, recomputed here by hand from the
// scenario's georgia site (9,523 S19 XP class machines, 140 TH/s and 3,024 W each, pue 1, fixed
// $54.64/MWh of energy, no opex) and its treasury's pool fee.
TEST(RealOptionsSite, site_figures_are_the_firm_plans) {
  const firm::Scenario s = io::read_scenario(kCango);
  const SiteMining georgia = site_mining(s, "georgia");
  EXPECT_FALSE(georgia.index_power);
  EXPECT_EQ(georgia.power_price_usd_per_mwh, 54.64);
  EXPECT_EQ(georgia.pue, 1.0);
  EXPECT_EQ(georgia.capacity_mw, 30.0);
  EXPECT_EQ(georgia.opex_usd_per_mw_year, 0.0);
  EXPECT_EQ(georgia.pool_fee, s.treasury.pool_fee);
  double hashrate_th = 0;
  double load_mw = 0;
  for (const SiteMining::Entry& e : georgia.entries) {
    hashrate_th += e.hashrate_th;
    load_mw += e.load_mw / e.uptime;
    EXPECT_NEAR(e.efficiency_j_per_th, 3024.0 / 140.0, 1e-12);
  }
  EXPECT_NEAR(hashrate_th, 9523 * 140.0, 1e-6);
  EXPECT_NEAR(load_mw, 9523 * 3024 / 1e6, 1e-9);
}

// Path p's months depend only on (seed, p): simulating [0, 6) at once equals [0, 2) then [2, 6)
// (how the ranks of a process group split the paths).
TEST(RealOptionsSite, path_ranges_concatenate_to_the_whole) {
  firm::Scenario s = io::read_scenario(kCango);
  s.run.horizon_years = 1;
  const model::MarketModel market = io::load_market_model(s);
  const SiteMining site = site_mining(s, "georgia");
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  const std::size_t months = calendar.months();
  EXPECT_EQ(months, 12u);
  SiteMonths all(6, months), head(2, months), tail(4, months);
  simulate_site_months(market, site, calendar, 7, 0, all);
  simulate_site_months(market, site, calendar, 7, 0, head);
  simulate_site_months(market, site, calendar, 7, 2, tail);
  for (std::size_t i = 0; i < 2 * months; ++i) EXPECT_EQ(all.margin_curtailed_usd[i], head.margin_curtailed_usd[i]);
  for (std::size_t i = 0; i < 4 * months; ++i) {
    EXPECT_EQ(all.margin_running_usd[2 * months + i], tail.margin_running_usd[i]);
    EXPECT_EQ(all.hashprice_usd_per_ph_day[2 * months + i], tail.hashprice_usd_per_ph_day[i]);
  }
  // Curtailing never earns less than running through every day.
  for (std::size_t i = 0; i < 6 * months; ++i) EXPECT_GE(all.margin_curtailed_usd[i], all.margin_running_usd[i] - 1e-6);
}

// Threads take contiguous ranges of rows, each path depending only on (seed, p): the months are the
// same bits for any thread count, including more threads than paths.
TEST(RealOptionsSite, any_thread_count_simulates_the_same_months) {
  firm::Scenario s = io::read_scenario(kCango);
  s.run.horizon_years = 1;
  const model::MarketModel market = io::load_market_model(s);
  const SiteMining site = site_mining(s, "georgia");
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  SiteMonths one(7, calendar.months());
  simulate_site_months(market, site, calendar, 7, 3, one, 1);
  for (const unsigned threads : {2u, 3u, 9u}) {
    SiteMonths many(7, calendar.months());
    simulate_site_months(market, site, calendar, 7, 3, many, threads);
    EXPECT_EQ(many.hashprice_usd_per_ph_day, one.hashprice_usd_per_ph_day) << threads;
    EXPECT_EQ(many.margin_curtailed_usd, one.margin_curtailed_usd) << threads;
    EXPECT_EQ(many.margin_running_usd, one.margin_running_usd) << threads;
    EXPECT_EQ(many.start_hashprice_usd_per_ph_day, one.start_hashprice_usd_per_ph_day) << threads;
  }
}

// G_m by hand for a lease with no lead time, no default and no terminal value: an annuity.
TEST(RealOptionsSite, conversion_value_is_the_discounted_lease_less_capex) {
  const firm::Conversion c{.capex_usd_per_mw = 1e6,
                          .tenant_funded_fraction = 0.25,
                          .lead_time_months = 0,
                          .lease_usd_per_mw_year = 120000,
                          .escalator_annual = 0.0,
                          .term_years = 1,
                          .noi_margin = 0.5,
                          .tenant_default_prob_annual = 0.0,
                          .project_debt_loan_to_cost = 0.0,
                          .project_debt_rate_annual = 0.0,
                          .terminal_value = firm::ConversionTerminal::kEbitdaMultiple,
                          .residual_value_usd_per_mw = 0.0,
                          .lease_discount_rate_annual = std::nullopt};
  const double d = 0.99;
  const std::vector<double> g = conversion_values(c, 2, 24, d, 0);
  double expected = -2 * 1e6 * 0.75;
  for (int k = 0; k < 12; ++k) expected += std::pow(d, k) * 120000.0 / 12 * 2 * 0.5;
  EXPECT_NEAR(g[0], expected, 1e-6);
  // Decided in the last month: capex, one month of NOI, nothing after the horizon (multiple 0).
  EXPECT_NEAR(g[23], -1.5e6 + 10000, 1e-6);
}

// With project finance, by hand: a 2-year lease (NOI 10,000 a month in year 1, 10,300 in year 2), no
// lead time, half the firm's capex of 1.5M lent at 12% (1% a month) and repaid as a 24-month
// annuity; a 12-month horizon. G_0 = −750,000 + Σ_{k<12} d^k (NOI − A) + d^12 (the remaining 12
// months of lease discounted at the lease's 10% + the residual discounted 12 months − the balance
// after 12 payments, rolled by hand).
TEST(RealOptionsSite, a_financed_conversion_values_the_equity_flows_the_remaining_lease_and_the_debt_left) {
  firm::Conversion c{.capex_usd_per_mw = 1e6,
                     .tenant_funded_fraction = 0.25,
                     .lead_time_months = 0,
                     .lease_usd_per_mw_year = 120000,
                     .escalator_annual = 0.03,
                     .term_years = 2,
                     .noi_margin = 0.5,
                     .tenant_default_prob_annual = 0.0,
                     .project_debt_loan_to_cost = 0.5,
                     .project_debt_rate_annual = 0.12,
                     .terminal_value = firm::ConversionTerminal::kContractedLease,
                     .residual_value_usd_per_mw = 4e5,
                     .lease_discount_rate_annual = 0.10};
  const double d = 0.99;
  const std::vector<double> g = conversion_values(c, 2, 12, d, 4.0);
  const double debt = 750000, r = 0.01;
  const double payment = debt * r * std::pow(1 + r, 24) / (std::pow(1 + r, 24) - 1);
  const auto noi = [](int k) { return (k < 12 ? 120000.0 : 120000.0 * 1.03) / 12 * 2 * 0.5; };
  double expected = -750000;
  for (int k = 0; k < 12; ++k) expected += std::pow(d, k) * (noi(k) - payment);
  double balance = debt;
  for (int k = 0; k < 12; ++k) balance = balance * (1 + r) - payment;
  const double ld = std::pow(1.10, -1.0 / 12);
  double lease = 0;
  for (int k = 12; k < 24; ++k) lease += std::pow(ld, k - 12) * noi(k);
  expected += std::pow(d, 12) * (lease + 4e5 * 2 * std::pow(ld, 12) - balance);
  EXPECT_NEAR(g[0], expected, 1e-6 * std::abs(expected));
  // Under the multiple with the same debt: the annual NOI in force × 4 − the balance left.
  c.terminal_value = firm::ConversionTerminal::kEbitdaMultiple;
  const std::vector<double> m = conversion_values(c, 2, 12, d, 4.0);
  const double flows = expected - std::pow(d, 12) * (lease + 4e5 * 2 * std::pow(ld, 12) - balance);
  EXPECT_NEAR(m[0], flows + std::pow(d, 12) * (4.0 * 12 * noi(12) - balance), 1e-6 * std::abs(expected));
}

}  // namespace
}  // namespace hashpivot::valuation
