#include "hashpivot/study/sensitivity.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::study {
namespace {

// Test inputs, not a calibrated case: one fixed-price site of `mw_sites` machines, a convertible
// second site, no debt unless asked, and the strategies given.
std::string firm_toml(const std::string& price_model, const std::string& treasury, const std::string& strategies,
                      const std::string& debt = "", const std::string& market_lines = "") {
  using namespace testing;
  return scenario_toml("sensitivity test", 1, 256, 5, "terminal_ebitda_multiple = 0\n") +
         test_market_toml("btc_price_model = \"" + price_model + "\"\n" + market_lines) + xp_machine_toml() +
         site_toml("hosted", 100, 70) + site_toml("owned", 20, 60, conversion_toml(9e6, 3, 1.7e6)) +
         fleet_toml("XP", "hosted", 20000) + fleet_toml("XP", "owned", 5000) + treasury + debt + strategies;
}

firm::Scenario scenario_from(const std::string& text, const std::string& name) {
  return testing::read_test_scenario(name, text);
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

const TornadoBar& bar_of(const StrategySensitivity& st, SensitivityInput input) {
  for (const TornadoBar& b : st.bars)
    if (b.bump.input == input) return b;
  throw std::logic_error("no bar");
}

/// The test firm with cash, BTC and SG&A, and two strategies: hold, and convert 10 MW of "owned" on
/// 2026-03-01; `market_lines` go into its [market].
firm::Scenario hold_and_convert(const std::string& price_model, const std::string& name,
                                const std::string& market_lines = "") {
  return scenario_from(
      firm_toml(price_model, "[treasury]\nbtc = 500\ncash_usd = 30e6\nsga_usd_per_year = 20e6\n",
                "[[strategies]]\nname = \"hold\"\n[[strategies]]\nname = \"convert\"\npivot = \"schedule\"\n"
                "pivot_site = \"owned\"\npivot_mw = 10\npivot_date = 2026-03-01\n", "", market_lines),
      name);
}

SensitivityOptions options_for(const firm::Scenario& s, std::int64_t paths) {
  SensitivityOptions o;
  o.paths = paths;
  o.seed = s.run.seed;
  o.threads = 2;
  return o;
}

TEST(FindRoot, finds_the_cube_root_of_two_and_reports_no_root_without_a_sign_change) {
  int evaluations = 0;
  double slope = 0;
  const auto root = find_root([](double x) { return x * x * x - 2; }, 0, 4, 1e-12, evaluations, &slope);
  ASSERT_TRUE(root.has_value());
  EXPECT_NEAR(*root, std::cbrt(2.0), 1e-11);
  EXPECT_NEAR(slope, 3 * std::cbrt(4.0), 1e-3);  // f'(x) = 3x² at the root
  EXPECT_LT(evaluations, 40);
  int none_evaluations = 0;
  EXPECT_FALSE(find_root([](double x) { return x * x + 1; }, -1, 1, 1e-9, none_evaluations).has_value());
  EXPECT_EQ(none_evaluations, 2);
}

// The outward search finds the roots Brent's method finds on the whole bracket, from either side of
// the start and for either direction of f, with fewer evaluations when the root is near the start.
TEST(FindRootFrom, finds_roots_on_either_side_of_the_start_in_fewer_evaluations) {
  const auto cube = [](double x) { return x * x * x - 2; };  // rising; root ∛2, above the start
  int from_start = 0;
  const auto root = find_root_from(cube, 1, true, 0.1, 10, 1e-12, from_start);
  ASSERT_TRUE(root.has_value());
  EXPECT_NEAR(*root, std::cbrt(2.0), 1e-11);
  int whole_bracket = 0;
  ASSERT_TRUE(find_root(cube, 0.1, 10, 1e-12, whole_bracket).has_value());
  EXPECT_LT(from_start, whole_bracket);

  int falling = 0;  // falling; root 3: the search doubles to 2, then 4, and Brent finishes in [2, 4]
  const auto three = find_root_from([](double x) { return 3 - x; }, 1, false, 0, 10, 1e-12, falling);
  ASSERT_TRUE(three.has_value());
  EXPECT_NEAR(*three, 3.0, 1e-11);

  // A root far below the start, with the bracket's low end at 0: halving to 1/16, then the low end.
  int below = 0;
  const auto small = find_root_from([](double x) { return x - 1e-3; }, 1, true, 0, 10, 1e-12, below);
  ASSERT_TRUE(small.has_value());
  EXPECT_NEAR(*small, 1e-3, 1e-11);
}

TEST(FindRootFrom, reports_none_when_f_keeps_its_sign_to_the_end_of_the_bracket) {
  // Rising and positive everywhere in [0.1, 10]: its root would lie below. The search visits 1,
  // 0.5, 0.25, 0.125 and the low end 0.1 (the next halving, 0.0625, is below it), then stops.
  int evaluations = 0;
  EXPECT_FALSE(find_root_from([](double x) { return x + 1; }, 1, true, 0.1, 10, 1e-9, evaluations).has_value());
  EXPECT_EQ(evaluations, 5);
  // Falling and positive: the root would lie above; 1, 2, 4, 8 and the high end 10.
  int above = 0;
  EXPECT_FALSE(find_root_from([](double x) { return 20 - x; }, 1, false, 0, 10, 1e-9, above).has_value());
  EXPECT_EQ(above, 5);
  // A start outside the bracket is clamped into it.
  int clamped = 0;
  const auto root = find_root_from([](double x) { return x - 15; }, 1, true, 10, 20, 1e-12, clamped);
  ASSERT_TRUE(root.has_value());
  EXPECT_NEAR(*root, 15.0, 1e-11);
}

// The fees bump moves the opening and long-run log levels alike, so every day's fees scale by the
// same factor; the break-even's price scaling multiplies every day's price.
TEST(Sensitivity, fee_bump_and_price_scaling_scale_every_day_of_every_path) {
  const firm::Scenario s = scenario_from(firm_toml("regime_switching", "[treasury]\nbtc = 0\ncash_usd = 1e9\n",
                                                   "[[strategies]]\nname = \"hold\"\n"),
                                         "sens_scaling.toml");
  const model::MarketModel base = io::load_market_model(s);
  const std::vector<InputBump> bumps = make_bumps(s, base, CalibrationErrors{}, 0.2);
  firm::Scenario moved_scenario = s;
  model::MarketModel fees_up = base;
  apply_bump(bumps[static_cast<std::size_t>(SensitivityInput::kFees)], +1, moved_scenario, fees_up);
  model::MarketModel price_up = base;
  price_up.btc_price_usd *= 1.7;
  const random::CounterRng rng(9);
  for (std::uint32_t path = 0; path < 3; ++path) {
    model::MarketPathState a = start_market_path(base, rng, path), b = start_market_path(fees_up, rng, path),
                    c = start_market_path(price_up, rng, path);
    model::MarketDay da, db, dc;
    for (std::uint32_t day = 0; day < 200; ++day) {
      step_market_day(base, rng, path, day, a, da);
      step_market_day(fees_up, rng, path, day, b, db);
      step_market_day(price_up, rng, path, day, c, dc);
      ASSERT_NEAR(db.fees_btc_per_block / da.fees_btc_per_block, 1.2, 1e-9) << "day " << day;
      ASSERT_NEAR(dc.price_usd_per_btc / da.price_usd_per_btc, 1.7, 1e-9) << "day " << day;
      ASSERT_EQ(dc.hashprice_btc_per_ph_day, da.hashprice_btc_per_ph_day) << "day " << day;
    }
  }
}

// Closed form: no curtailment, a constant BTC price (zero drift and volatility) and hashrate
// independent of price. The break-even is of operations: financing is removed, so the loan that
// sinks this firm in the tornado's runs does not move it. Then BTC mined does not depend on the price
// and mean EBITDA = S·E[mined] − power − SG&A, linear in the price S and the power price P:
//   S* = (power + SG&A) / E[mined],   P* = (S0·E[mined] − SG&A) / MWh.
// E[mined] is recomputed here from the market alone (FPPS: PH/s × hashprice_btc × (1 − pool fee)).
TEST(Sensitivity, break_evens_match_the_closed_form_of_a_firm_whose_ebitda_is_linear) {
  const firm::Scenario s =
      scenario_from(firm_toml("gbm", "[treasury]\nbtc = 0\ncash_usd = 5e6\nsga_usd_per_year = 20e6\npool_fee = 0.02\n",
                              "[[strategies]]\nname = \"hold\"\n",
                              "[[debt]]\nname = \"term\"\nkind = \"term\"\nprincipal_usd = 500e6\nrate_annual = 0.1\n"
                              "maturity = 2026-06-01\n"),
                    "sens_linear.toml");
  model::MarketModel market = io::load_market_model(s);
  market.gbm.mu_annual = 0;
  market.gbm.sigma_annual = 0;
  market.hashrate.price_beta = 0;
  constexpr std::int64_t kPaths = 256;
  const int days = add_years(s.run.start_date, s.run.horizon_years) - s.run.start_date;

  const double fleet_ph = (20000 + 5000) * 140 / 1000.0;
  const random::CounterRng rng(s.run.seed);
  double mined_sum = 0;
  for (std::uint32_t p = 0; p < kPaths; ++p) {
    model::MarketPathState state = start_market_path(market, rng, p);
    model::MarketDay day;
    for (int d = 0; d < days; ++d) {
      step_market_day(market, rng, p, static_cast<std::uint32_t>(d), state, day);
      mined_sum += fleet_ph * day.hashprice_btc_per_ph_day * (1 - 0.02);
    }
  }
  const double mined = mined_sum / kPaths;
  const double power_usd = days * 24.0 * (20000 * 3150 / 1e6 * 70 + 5000 * 3150 / 1e6 * 60);
  const double sga_usd = 20e6 / 365 * days;
  const double btc_break_even = (power_usd + sga_usd) / mined;
  const double mwh = days * 24.0 * (25000 * 3150 / 1e6);
  const double mean_price = (100 * 70 + 20 * 60) / 120.0;
  // The power factor m scales both sites: S0·mined − m·power − SG&A = 0.
  const double power_factor = (78702.39 * mined - sga_usd) / power_usd;
  ASSERT_GT(mwh, 0);

  SensitivityOptions o = options_for(s, kPaths);
  o.tolerance = 1e-7;
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, o);
  const StrategySensitivity& st = r.strategies.at(0);
  ASSERT_TRUE(st.btc_price_usd && st.btc_price_usd->found);
  EXPECT_NEAR(st.btc_price_usd->value, btc_break_even, 1e-5 * btc_break_even);
  ASSERT_TRUE(st.power_price_usd_per_mwh && st.power_price_usd_per_mwh->found);
  EXPECT_NEAR(st.power_price_usd_per_mwh->factor, power_factor, 1e-5 * power_factor);
  EXPECT_NEAR(st.power_price_usd_per_mwh->value, power_factor * mean_price, 1e-5 * power_factor * mean_price);
  EXPECT_GT(st.btc_price_usd->se, 0);
  EXPECT_EQ(st.base.p_default, 1);  // the $500M loan due in four months: every path defaults
}

// With a bracket the root is outside of, the answer is "none", not an error.
TEST(Sensitivity, a_break_even_outside_the_bracket_is_reported_as_none) {
  const firm::Scenario s =
      scenario_from(firm_toml("gbm", "[treasury]\nbtc = 0\ncash_usd = 1e12\nsga_usd_per_year = 20e6\n",
                              "[[strategies]]\nname = \"hold\"\n"),
                    "sens_none.toml");
  const model::MarketModel market = io::load_market_model(s);
  SensitivityOptions o = options_for(s, 256);
  o.btc_factor_low = 10;  // at ten times the price this miner is far above break-even
  o.btc_factor_high = 20;
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, o);
  ASSERT_TRUE(r.strategies.at(0).btc_price_usd.has_value());
  EXPECT_FALSE(r.strategies[0].btc_price_usd->found);
  // The search starts at the bracket's low end (the base, 1×, clamped into it), where f is already
  // positive, and f rises with the price: one run says there is no root in the bracket.
  EXPECT_EQ(r.strategies[0].btc_price_usd->evaluations, 1);
}

// Common random numbers: moving nothing (a zero relative bump, no calibrated SE) reproduces the
// base run bit for bit, and the base run is run_simulation's.
TEST(Sensitivity, bumping_nothing_reproduces_the_base_run_bit_for_bit) {
  const firm::Scenario s = hold_and_convert("jump_diffusion", "sens_nothing.toml");
  const model::MarketModel market = io::load_market_model(s);
  SensitivityOptions o = options_for(s, 300);
  o.relative_bump = 0;
  o.break_evens = false;
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, o);
  const sim::RunResult direct = sim::run_simulation(s, market, {300, s.run.seed, 1, {}});
  ASSERT_EQ(r.strategies.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const StrategySensitivity& st = r.strategies[k];
    EXPECT_TRUE(same_bits(st.base.npv_mean_usd, direct.strategies[k].npv_usd.mean())) << st.strategy;
    EXPECT_TRUE(same_bits(st.base.p_default, direct.strategies[k].defaulted.probability())) << st.strategy;
    ASSERT_EQ(st.bars.size(), kSensitivityInputs);
    for (const TornadoBar& b : st.bars) {
      const std::string what = st.strategy + " " + std::string(sensitivity_input_name(b.bump.input));
      EXPECT_TRUE(same_bits(b.low.npv_mean_usd, st.base.npv_mean_usd)) << what;
      EXPECT_TRUE(same_bits(b.high.npv_mean_usd, st.base.npv_mean_usd)) << what;
      EXPECT_TRUE(same_bits(b.high.p_default, st.base.p_default)) << what;
      EXPECT_EQ(b.npv_swing_usd(), 0.0) << what;
    }
    EXPECT_FALSE(st.btc_price_usd.has_value());
  }
}

// The power price's break-even replays the base run's markets (sim::MarketReplay): every figure of the
// sensitivity, break-evens included, is the same to the bit as without a replay.
TEST(Sensitivity, the_market_replay_changes_no_bit_of_the_result) {
  const firm::Scenario s = hold_and_convert("gbm", "sens_replay.toml");
  const model::MarketModel market = io::load_market_model(s);
  SensitivityOptions options = options_for(s, 300);
  const SensitivityResult replayed = run_sensitivity(s, market, CalibrationErrors{}, options);
  options.market_replay_budget_bytes = 0;
  const SensitivityResult simulated = run_sensitivity(s, market, CalibrationErrors{}, options);
  EXPECT_EQ(replayed.runs, simulated.runs);
  ASSERT_EQ(replayed.strategies.size(), simulated.strategies.size());
  const auto same_outcome = [](const SensitivityOutcome& a, const SensitivityOutcome& b) {
    return same_bits(a.npv_mean_usd, b.npv_mean_usd) && same_bits(a.npv_se_usd, b.npv_se_usd) &&
           same_bits(a.p_default, b.p_default) && same_bits(a.ebitda_usd_per_year, b.ebitda_usd_per_year) &&
           same_bits(a.ebitda_se_usd_per_year, b.ebitda_se_usd_per_year);
  };
  for (std::size_t k = 0; k < replayed.strategies.size(); ++k) {
    const StrategySensitivity& a = replayed.strategies[k];
    const StrategySensitivity& b = simulated.strategies[k];
    SCOPED_TRACE(a.strategy);
    EXPECT_TRUE(same_outcome(a.base, b.base));
    ASSERT_EQ(a.bars.size(), b.bars.size());
    for (std::size_t i = 0; i < a.bars.size(); ++i)
      EXPECT_TRUE(same_outcome(a.bars[i].low, b.bars[i].low) && same_outcome(a.bars[i].high, b.bars[i].high))
          << sensitivity_input_name(a.bars[i].bump.input);
    for (const auto& [x, y] : {std::pair{a.btc_price_usd, b.btc_price_usd},
                               std::pair{a.power_price_usd_per_mwh, b.power_price_usd_per_mwh}}) {
      ASSERT_TRUE(x && y);
      EXPECT_EQ(x->found, y->found);
      EXPECT_TRUE(same_bits(x->value, y->value) && same_bits(x->se, y->se)) << x->value << " vs " << y->value;
      EXPECT_EQ(x->evaluations, y->evaluations);
    }
    ASSERT_TRUE(a.power_price_usd_per_mwh->found);  // the replayed break-even was searched
  }
}

// Each strategy's two break-evens start at the base value, where neither scales anything: they share
// that run, so the runs made are the tornado's and every break-even's values of f, less one per
// strategy.
TEST(Sensitivity, the_two_break_evens_share_their_run_at_the_base_value) {
  const firm::Scenario s = hold_and_convert("gbm", "sens_shared_base.toml");
  const model::MarketModel market = io::load_market_model(s);
  const SensitivityOptions options = options_for(s, 200);
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, options);
  SensitivityOptions tornado_only = options;
  tornado_only.break_evens = false;
  const int tornado_runs = run_sensitivity(s, market, CalibrationErrors{}, tornado_only).runs;
  int break_even_runs = 0;
  for (const StrategySensitivity& st : r.strategies) {
    ASSERT_TRUE(st.btc_price_usd && st.power_price_usd_per_mwh);
    break_even_runs += st.btc_price_usd->evaluations + st.power_price_usd_per_mwh->evaluations - 1;
  }
  EXPECT_EQ(r.runs, tornado_runs + break_even_runs);
  ASSERT_EQ(r.strategies.size(), 2U);
}

// moves_market is what lets sensitivity share the base run's markets among the firm-only inputs: it
// must say "moves" exactly when apply_bump changes a simulated market day. Each input is bumped down
// and up, and the market of the bumped model is stepped beside the base one on a few paths.
TEST(Sensitivity, moves_market_is_true_exactly_for_the_inputs_whose_bump_changes_the_simulated_markets) {
  // Both hashrate models: the margin-driven network's supply share is the hashrate input there.
  for (const std::string hashrate : {"exogenous", "margin_driven"}) {
    const firm::Scenario s =
        hold_and_convert("gbm", "sens_moves_" + hashrate + ".toml", "hashrate_model = \"" + hashrate + "\"");
    const model::MarketModel base = io::load_market_model(s);
    ASSERT_EQ(base.hashrate_model == firm::HashrateModel::kMarginDriven, hashrate == "margin_driven");
    const std::vector<InputBump> bumps = make_bumps(s, base, CalibrationErrors{}, 0.2);
    const random::CounterRng rng(s.run.seed);
    for (const InputBump& bump : bumps) {
      ASSERT_NE(bump.basis, BumpBasis::kAbsent) << sensitivity_input_name(bump.input);
      for (const int direction : {-1, +1}) {
        firm::Scenario bumped_scenario = s;
        model::MarketModel bumped = base;
        apply_bump(bump, direction, bumped_scenario, bumped);
        bool moved = false;
        for (std::uint32_t path = 0; path < 3 && !moved; ++path) {
          model::MarketPathState a = start_market_path(base, rng, path), b = start_market_path(bumped, rng, path);
          model::MarketDay da, db;
          for (std::uint32_t day = 0; day < 60 && !moved; ++day) {
            step_market_day(base, rng, path, day, a, da);
            step_market_day(bumped, rng, path, day, b, db);
            moved = !same_bits(da.price_usd_per_btc, db.price_usd_per_btc) ||
                    !same_bits(da.fees_btc_per_block, db.fees_btc_per_block) ||
                    !same_bits(da.network_hashrate_ths, db.network_hashrate_ths) ||
                    !same_bits(da.hashprice_usd_per_ph_day, db.hashprice_usd_per_ph_day) ||
                    !same_bits(da.energy_factor, db.energy_factor) || da.blocks != db.blocks;
          }
        }
        EXPECT_EQ(moved, moves_market(bump.input))
            << hashrate << ", " << sensitivity_input_name(bump.input) << ", direction " << direction;
      }
    }
  }
}

// The inputs of the firm alone (power price, conversion capex, lease rate) run with the base as the
// firms of one run, on one simulation of the markets: each end equals a run of its own of the scenario
// with that input moved by hand, bit for bit; the progress names the shared run once, and the run
// count still counts every run it stands for.
TEST(Sensitivity, inputs_of_the_firm_share_the_base_runs_markets_and_equal_their_own_runs) {
  const firm::Scenario s = hold_and_convert("gbm", "sens_together.toml");
  const model::MarketModel market = io::load_market_model(s);
  SensitivityOptions o = options_for(s, 300);
  o.break_evens = false;
  std::vector<std::string> labels;
  o.progress = [&](const std::string& label, int, int) { labels.push_back(label); };
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, o);
  EXPECT_EQ(r.runs, 1 + 2 * 7);
  ASSERT_FALSE(labels.empty());
  EXPECT_EQ(labels.front(), "base and 3 inputs of the firm");
  EXPECT_EQ(labels.size(), 1u + 2 * 4);  // the shared run, then the four market inputs' two ends
  const auto by_hand = [&](SensitivityInput input, double factor) {
    firm::Scenario moved = s;
    for (firm::Site& site : moved.sites) {
      if (input == SensitivityInput::kPowerPrice) site.power_price_usd_per_mwh *= factor;
      if (input == SensitivityInput::kConversionCapex && site.conversion) site.conversion->capex_usd_per_mw *= factor;
      if (input == SensitivityInput::kLeaseRate && site.conversion) site.conversion->lease_usd_per_mw_year *= factor;
    }
    return sim::run_simulation(moved, market, {300, s.run.seed, 1, {}});
  };
  for (const SensitivityInput input :
       {SensitivityInput::kPowerPrice, SensitivityInput::kConversionCapex, SensitivityInput::kLeaseRate}) {
    const sim::RunResult low = by_hand(input, 1 - o.relative_bump);
    const sim::RunResult high = by_hand(input, 1 + o.relative_bump);
    for (std::size_t k = 0; k < 2; ++k) {
      const TornadoBar& b = bar_of(r.strategies[k], input);
      const std::string what = r.strategies[k].strategy + " " + std::string(sensitivity_input_name(input));
      EXPECT_TRUE(same_bits(b.low.npv_mean_usd, low.strategies[k].npv_usd.mean())) << what;
      EXPECT_TRUE(same_bits(b.high.npv_mean_usd, high.strategies[k].npv_usd.mean())) << what;
      EXPECT_TRUE(same_bits(b.low.p_default, low.strategies[k].defaulted.probability())) << what;
      EXPECT_TRUE(same_bits(b.high.ebitda_usd_per_year, high.strategies[k].ebitda_usd_per_year.mean())) << what;
    }
  }
  // The convert strategy sees all three: none of its firm bars is flat.
  for (const SensitivityInput input :
       {SensitivityInput::kPowerPrice, SensitivityInput::kConversionCapex, SensitivityInput::kLeaseRate})
    EXPECT_NE(bar_of(r.strategies[1], input).npv_swing_usd(), 0.0) << sensitivity_input_name(input);
}

// Inputs that cannot matter: a strategy that never converts does not see the conversion's capex or
// lease (exactly zero swing, and a run of the moved scenario made by hand gives the base's bits, so
// the tornado takes the base's result for them instead of running them), and a scenario with no
// convertible site has them absent.
TEST(Sensitivity, inputs_a_strategy_never_uses_have_exactly_zero_swing) {
  const std::string hold = "[[strategies]]\nname = \"hold\"\n";
  const firm::Scenario s =
      scenario_from(firm_toml("gbm", "[treasury]\nbtc = 500\ncash_usd = 30e6\nsga_usd_per_year = 20e6\n", hold),
                    "sens_unused.toml");
  const model::MarketModel market = io::load_market_model(s);
  SensitivityOptions o = options_for(s, 256);
  o.break_evens = false;
  std::vector<std::string> labels;
  o.progress = [&](const std::string& label, int, int) { labels.push_back(label); };
  const SensitivityResult r = run_sensitivity(s, market, CalibrationErrors{}, o);
  const StrategySensitivity& st = r.strategies.at(0);
  ASSERT_FALSE(labels.empty());
  EXPECT_EQ(labels.front(), "base and 1 input of the firm");  // the power price; capex and lease not run
  EXPECT_EQ(r.runs, 1 + 2 * 7);                                // the runs it stands for, all counted
  for (const SensitivityInput input : {SensitivityInput::kConversionCapex, SensitivityInput::kLeaseRate}) {
    const TornadoBar& b = bar_of(st, input);
    EXPECT_EQ(b.bump.basis, BumpBasis::kRelative);
    EXPECT_EQ(b.npv_swing_usd(), 0.0);
    EXPECT_TRUE(same_bits(b.low.p_default, b.high.p_default));
    firm::Scenario moved = s;
    for (firm::Site& site : moved.sites) {
      if (!site.conversion) continue;
      site.conversion->capex_usd_per_mw *= 1 + o.relative_bump;
      site.conversion->lease_usd_per_mw_year *= 1 - o.relative_bump;
    }
    const sim::RunResult by_hand = sim::run_simulation(moved, market, {256, s.run.seed, 1, {}});
    EXPECT_TRUE(same_bits(by_hand.strategies[0].npv_usd.mean(), b.high.npv_mean_usd));
    EXPECT_TRUE(same_bits(by_hand.strategies[0].npv_se_usd(), b.high.npv_se_usd));
    EXPECT_TRUE(same_bits(by_hand.strategies[0].ebitda_usd_per_year.mean(), b.low.ebitda_usd_per_year));
  }
  // The tornado is sorted by |swing|: the unused inputs come last.
  for (std::size_t i = 1; i < st.bars.size(); ++i)
    EXPECT_GE(std::abs(st.bars[i - 1].npv_swing_usd()), std::abs(st.bars[i].npv_swing_usd()));

  // No convertible site at all: absent, no runs, zero swing.
  std::string text = firm_toml("gbm", "[treasury]\nbtc = 0\ncash_usd = 30e6\n", hold);
  const auto from = text.find("[sites.conversion]");
  text.erase(from, text.find("[[fleet]]") - from);
  const firm::Scenario plain = scenario_from(text, "sens_plain.toml");
  const SensitivityResult rp = run_sensitivity(plain, io::load_market_model(plain), CalibrationErrors{}, o);
  const TornadoBar& capex = bar_of(rp.strategies.at(0), SensitivityInput::kConversionCapex);
  EXPECT_EQ(capex.bump.basis, BumpBasis::kAbsent);
  EXPECT_TRUE(std::isnan(capex.bump.base));
  EXPECT_EQ(capex.npv_swing_usd(), 0.0);
  EXPECT_EQ(rp.runs, 1 + 2 * 5);
}

// The economics fix the signs: dearer power, faster network growth and dearer conversion lower the
// NPV; a higher price drift, higher fees and a higher lease raise it.
TEST(Sensitivity, swings_have_the_signs_the_economics_require) {
  const firm::Scenario s = scenario_from(
      firm_toml("gbm", "[treasury]\nbtc = 500\ncash_usd = 200e6\nsga_usd_per_year = 20e6\n",
                "[[strategies]]\nname = \"convert\"\npivot = \"schedule\"\npivot_site = \"owned\"\npivot_mw = 15\n"
                "pivot_date = 2026-02-02\n"),
      "sens_signs.toml");
  const model::MarketModel market = io::load_market_model(s);
  const CalibrationErrors errors = calibration_errors(s, io::read_market_inputs(s).calibration);
  EXPECT_GT(errors.btc_price_mu_annual, 0);
  EXPECT_GT(errors.hashrate_drift_annual, 0);
  SensitivityOptions o = options_for(s, 512);
  o.break_evens = false;
  const SensitivityResult r = run_sensitivity(s, market, errors, o);
  const StrategySensitivity& st = r.strategies.at(0);
  EXPECT_LT(bar_of(st, SensitivityInput::kPowerPrice).npv_swing_usd(), 0);
  EXPECT_LT(bar_of(st, SensitivityInput::kHashrateGrowth).npv_swing_usd(), 0);
  EXPECT_LT(bar_of(st, SensitivityInput::kConversionCapex).npv_swing_usd(), 0);
  EXPECT_GT(bar_of(st, SensitivityInput::kBtcPriceDrift).npv_swing_usd(), 0);
  EXPECT_GT(bar_of(st, SensitivityInput::kFees).npv_swing_usd(), 0);
  EXPECT_GT(bar_of(st, SensitivityInput::kLeaseRate).npv_swing_usd(), 0);
  // The SE-based bumps are the calibration's: drift ± SE(μ) around the calibrated μ.
  const InputBump& drift = bar_of(st, SensitivityInput::kBtcPriceDrift).bump;
  EXPECT_EQ(drift.basis, BumpBasis::kCalibrationSe);
  EXPECT_DOUBLE_EQ(drift.high - drift.base, errors.btc_price_mu_annual);
  EXPECT_DOUBLE_EQ(drift.base, market.gbm.mu_annual);
}

}  // namespace
}  // namespace hashpivot::study
