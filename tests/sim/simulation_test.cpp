#include "hashpivot/sim/simulation.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/sim/market_replay.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/allocation_counter.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::sim {
namespace {

// Test inputs, not a calibrated case: a miner near break-even with a BTC-backed loan, an index
// site it can convert, and four strategies that exercise every policy.
const std::string kMinerHeader = testing::scenario_toml("test miner", 2, 300, 11, "terminal_ebitda_multiple = 3\n");

std::string btc_loan_toml(double collateral_btc) {
  return testing::btc_backed_debt_toml("btc_loan", 120e6, 0.09, "2027-06-01", collateral_btc, 0.5);
}

std::string miner_toml(const std::string& price_model = "jump_diffusion") {
  using namespace testing;
  const std::string texas = "power_contract = \"index\"\ncurtailment_credit_usd_per_mwh = 5\n" +
                            conversion_toml(9e6, 12, 1.7e6, "tenant_default_prob_annual = 0.05\n");
  return kMinerHeader + test_market_toml("btc_price_model = \"" + price_model + "\"") +
         xp_machine_toml() + site_toml("hosted", 400, 70) + site_toml("texas", 60, 40, texas) +
         fleet_toml("XP", "hosted", 100000, "uptime = 0.9\nfailure_rate_annual = 0.05\nbook_value_usd = 100e6\n") +
         fleet_toml("XP", "texas", 15000) + treasury_toml(2000, 60e6, 30e6, "pool_fee = 0.02\ntax_rate = 0.2\n") +
         btc_loan_toml(2500) + strategy_toml("hold") +
         strategy_toml("sell_and_repay", "[[strategies.sales]]\ndate = 2026-02-07\nbtc = 1500\nuse = \"repay:btc_loan\"\n") +
         strategy_toml("sell_production", "sell = \"sell_all_mined\"\ncurtail = \"economic\"\n") +
         strategy_toml("convert", "pivot = \"schedule\"\npivot_site = \"texas\"\npivot_mw = 40\npivot_date = 2026-03-01\n");
}

firm::Scenario scenario_from(const std::string& text, const std::string& name) {
  return testing::read_test_scenario(name, text);
}

RunResult run(const firm::Scenario& s, std::int64_t paths, unsigned threads) {
  const model::MarketModel market = io::load_market_model(s);
  return run_simulation(s, market, {paths, s.run.seed, threads, {}});
}

void expect_bitwise_equal(double a, double b, const std::string& what) {
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b)) << what << ": " << a << " vs " << b;
}

TEST(Simulation, results_are_bit_identical_for_any_thread_count) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_threads.toml");
  // 1,700 paths: seven blocks, the last one partial: more blocks than the ring of threads + 2
  // accumulators, so slots are reused while the threads finish unevenly.
  const RunResult one = run(s, 1700, 1);
  for (const unsigned threads : {2u, 3u}) {
    const RunResult many = run(s, 1700, threads);
    ASSERT_EQ(many.strategies.size(), one.strategies.size());
    for (std::size_t i = 0; i < one.strategies.size(); ++i) {
      const StrategyStatistics& a = one.strategies[i];
      const StrategyStatistics& b = many.strategies[i];
      const std::string tag = a.name + " with " + std::to_string(threads) + " threads";
      expect_bitwise_equal(a.npv_usd.mean(), b.npv_usd.mean(), tag + " npv mean");
      expect_bitwise_equal(a.npv_usd.variance(), b.npv_usd.variance(), tag + " npv variance");
      expect_bitwise_equal(a.npv_quantiles.quantile(0.05), b.npv_quantiles.quantile(0.05), tag + " npv p5");
      expect_bitwise_equal(a.cvar_usd(), b.cvar_usd(), tag + " cvar");
      expect_bitwise_equal(a.btc_mined.mean(), b.btc_mined.mean(), tag + " btc mined");
      expect_bitwise_equal(a.all_in_cost_usd_per_btc(), b.all_in_cost_usd_per_btc(), tag + " all-in");
      expect_bitwise_equal(a.npv_vs_first.difference().mean(), b.npv_vs_first.difference().mean(), tag + " paired");
      EXPECT_EQ(a.defaulted.events(), b.defaulted.events()) << tag;
    }
    expect_bitwise_equal(one.firm_series.moments(1, 10, 0).mean(), many.firm_series.moments(1, 10, 0).mean(), "cash month 10");
    expect_bitwise_equal(one.firm_series.moments(1, 10, 0).variance(), many.firm_series.moments(1, 10, 0).variance(),
                         "cash month 10 variance");
    expect_bitwise_equal(one.market_series.quantile(0, 10, 0, 0.5), many.market_series.quantile(0, 10, 0, 0.5),
                         "price month 10 median");
  }
}

// A brute-force recomputation of one path: the market stepped by hand, every strategy's firm
// stepped by hand, the NPV formula written out. With one path the run's means are that path.
TEST(Simulation, one_path_equals_a_hand_written_loop_over_market_and_firm) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_brute.toml");
  const model::MarketModel market = io::load_market_model(s);
  const RunResult r = run_simulation(s, market, {1, s.run.seed, 1, {}});
  const random::CounterRng rng(s.run.seed);
  const int days = add_years(s.run.start_date, s.run.horizon_years) - s.run.start_date;
  for (std::size_t k = 0; k < s.strategies.size(); ++k) {
    const firm::FirmPlan plan = firm::make_plan(s, k);
    firm::FirmState state = firm::make_state(plan);
    // The tenant's default time: the kFirm draw of path 0, site 1 (the convertible one).
    const double hazard = -std::log1p(-0.05) / 365.0;
    state.sites[1].tenant_default_after_days =
        static_cast<int>(-std::log(rng.uniforms({random::Stream::kFirm, 0, 0, 1})[0]) / hazard);
    model::MarketPathState ms = start_market_path(market, rng, 0);
    model::MarketDay md;
    double mined = 0, sold = 0, ebitda_last_year = 0, price = 0;
    bool margin_called = false;
    for (int d = 0; d < days; ++d) {
      step_market_day(market, rng, 0, static_cast<std::uint32_t>(d), ms, md);
      const std::vector<double> power{70.0, 40.0 * md.energy_factor};
      std::vector<double> hourly(48, 0.0);
      for (std::size_t h = 0; h < 24; ++h) hourly[24 + h] = power[1] * market.energy_hour_factor[h];
      firm::DayAccounts a{};
      firm::step_day(plan, d, {md.price_usd_per_btc, md.hashprice_btc_per_ph_day, md.hashprice_usd_per_ph_day, power, hourly},
                     state, a);
      mined += a.btc_mined;
      sold += a.btc_sold;
      margin_called = margin_called || a.margin_calls > 0;
      if (d >= days - 365) ebitda_last_year += a.ebitda_usd;
      price = md.price_usd_per_btc;
    }
    double npv = 0;
    if (!state.defaulted) {
      double btc = state.free_btc, debt = 0;
      for (const firm::DebtState& d : state.debts) {
        btc += d.collateral_btc;
        debt += d.principal_usd;
      }
      npv = std::max(0.0, state.cash_usd + btc * price - debt + 3.0 * std::max(0.0, ebitda_last_year)) /
            std::pow(1.1, days / 365.0);
    }
    const StrategyStatistics& st = r.strategies[k];
    EXPECT_NEAR(st.npv_usd.mean(), npv, 1e-6 * std::max(1.0, npv)) << st.name;
    EXPECT_NEAR(st.btc_mined.mean(), mined, 1e-9 * mined) << st.name;
    EXPECT_EQ(st.btc_sold.mean(), sold) << st.name;
    EXPECT_EQ(st.margin_called.events(), margin_called ? 1u : 0u) << st.name;
    EXPECT_EQ(st.defaulted.events(), state.defaulted ? 1u : 0u) << st.name;
  }
}

/// A firm with no machines and no costs that holds 1000 BTC and $5M; `more` is appended (debts,
/// strategies).
std::string pure_treasury_toml(const std::string& more) {
  return kMinerHeader + testing::test_market_toml("btc_price_model = \"gbm\"") +
         testing::xp_machine_toml() + testing::site_toml("hosted", 10, 70) + testing::fleet_toml("XP", "hosted", 0) +
         testing::treasury_toml(1000, 5e6, 0) + more;
}

// Closed form: a firm with no machines, no costs and no debt that holds BTC and cash under GBM:
// E[NPV] = (cash + BTC · S0 · e^{μT}) / (1 + r)^T.
TEST(Simulation, a_pure_treasury_under_gbm_has_the_closed_form_mean_npv) {
  const std::string text = pure_treasury_toml(testing::strategy_toml("hold"));
  const firm::Scenario s = scenario_from(text, "simulation_treasury.toml");
  const model::MarketModel market = io::load_market_model(s);
  const RunResult r = run_simulation(s, market, {3000, 3, 2, {}});
  const double years = r.horizon_days / 365.0;
  const double expected = (5e6 + 1000 * 78702.39 * std::exp(market.gbm.mu_annual * years)) / std::pow(1.1, years);
  const StrategyStatistics& st = r.strategies[0];
  EXPECT_NEAR(st.npv_usd.mean(), expected, 4 * st.npv_usd.standard_error());
  EXPECT_EQ(st.defaulted.events(), 0u);
  EXPECT_EQ(st.btc_mined.mean(), 0.0);
}

// A one-off sale is the only sale (no costs, so no remedies, and a holding policy): BTC sold is
// that sale on every path, exactly. Without a loan, no path has a margin call.
TEST(Simulation, btc_sold_is_the_one_off_sale_when_it_is_the_only_sale) {
  const firm::Scenario s = scenario_from(pure_treasury_toml(R"(
[[strategies]]
name = "hold"

[[strategies]]
name = "sell_once"
[[strategies.sales]]
date = 2026-06-01
btc = 123.456
use = "cash"
)"),
                                         "simulation_btc_sold.toml");
  const RunResult r = run(s, 300, 2);
  EXPECT_EQ(r.strategies[0].btc_sold.mean(), 0.0);
  EXPECT_EQ(r.strategies[1].btc_sold.mean(), 123.456);
  EXPECT_EQ(r.strategies[1].btc_sold.standard_error(), 0.0);
  EXPECT_EQ(r.strategies[1].btc_sold.count(), 300u);
  for (const StrategyStatistics& st : r.strategies) {
    EXPECT_EQ(st.defaulted.events(), 0u);
    EXPECT_EQ(st.margin_called.trials(), 300u);
    EXPECT_EQ(st.margin_called.events(), 0u) << st.name;
  }
  // The metric table reads them.
  const MetricValues values = metric_values(r.strategies[1]);
  EXPECT_EQ(values[metric_index("btc_sold_mean_btc")], 123.456);
  EXPECT_EQ(values[metric_index("p_margin_call")], 0.0);
}

// ---- Pool payout and market impact ---------------------------------------------------------------

// The test miner with `pool` inserted after its [treasury] table (a "[pool]" or "[market_impact]" text).
firm::Scenario miner_with(const std::string& table, const std::string& name) {
  std::string text = miner_toml();
  const std::string anchor = "tax_rate = 0.2\n";
  text.insert(text.find(anchor) + anchor.size(), table);
  return scenario_from(text, name);
}

// A [pool] that says FPPS, and an impact coefficient of 0, are today's run bit for bit.
TEST(Simulation, fpps_and_zero_impact_leave_every_result_unchanged) {
  const RunResult plain = run(scenario_from(miner_toml(), "simulation_plain.toml"), 300, 2);
  const RunResult fpps = run(miner_with("\n[pool]\nscheme = \"fpps\"\nshare_of_network = 0.3\n", "simulation_fpps.toml"), 300, 2);
  const RunResult no_impact = run(miner_with("\n[market_impact]\ncoefficient = 0\n", "simulation_k0.toml"), 300, 2);
  for (const RunResult* other : {&fpps, &no_impact}) {
    for (std::size_t i = 0; i < plain.strategies.size(); ++i) {
      const StrategyStatistics& a = plain.strategies[i];
      const StrategyStatistics& b = other->strategies[i];
      expect_bitwise_equal(a.npv_usd.mean(), b.npv_usd.mean(), a.name + " npv");
      expect_bitwise_equal(a.btc_mined.mean(), b.btc_mined.mean(), a.name + " btc mined");
      expect_bitwise_equal(a.btc_sold.mean(), b.btc_sold.mean(), a.name + " btc sold");
      expect_bitwise_equal(a.hashcost_usd_per_ph_day(), b.hashcost_usd_per_ph_day(), a.name + " hashcost");
      EXPECT_EQ(b.slippage_usd.mean(), 0.0) << a.name;
    }
  }
}

// Shares with a dispersed NAV multiple and an ATM of size 0 leave every firm-level result as it was
// (the multiple's draw is a counter of its own); NPV per share is NPV over the shares, path by path;
// without shares the per-share metrics are unknown (NaN). A raising ATM issues shares.
TEST(Simulation, shares_and_a_zero_size_atm_leave_every_result_unchanged) {
  const std::string shares = "\n[firm]\nshares_outstanding = 5e6\n[equity]\nnav_multiple = 1.3\n"
                             "nav_multiple_dispersion = 0.4\ndaily_volume_shares = 1e6\n";
  const std::string atm = "[strategies.atm]\nmax_volume_share = 0.2\nsize_usd = ";
  const RunResult plain = run(scenario_from(miner_toml() + testing::strategy_toml("atm0"), "equity_plain.toml"), 200, 2);
  std::string text = miner_toml();
  text.insert(text.find("tax_rate = 0.2\n") + 15, shares);
  text += testing::strategy_toml("atm0", atm + "0\n");
  const RunResult zero = run(scenario_from(text, "equity_zero.toml"), 200, 2);
  for (std::size_t i = 0; i < plain.strategies.size(); ++i) {
    const StrategyStatistics& a = plain.strategies[i];
    const StrategyStatistics& b = zero.strategies[i];
    expect_bitwise_equal(a.npv_usd.mean(), b.npv_usd.mean(), a.name + " npv");
    expect_bitwise_equal(a.defaulted.probability(), b.defaulted.probability(), a.name + " p(default)");
    expect_bitwise_equal(a.btc_sold.mean(), b.btc_sold.mean(), a.name + " btc sold");
    EXPECT_TRUE(std::isnan(a.npv_per_share_usd.mean())) << a.name;
    EXPECT_TRUE(std::isnan(a.shares_issued.mean())) << a.name;
    EXPECT_NEAR(b.npv_per_share_usd.mean(), b.npv_usd.mean() / 5e6, 1e-12 * b.npv_usd.mean()) << a.name;
    EXPECT_EQ(b.shares_issued.mean(), 0.0) << a.name;
  }
  // An ATM that raises $50M from the start issues shares; its bits do not depend on the threads.
  std::string raising = miner_toml();
  raising.insert(raising.find("tax_rate = 0.2\n") + 15, shares);
  raising += testing::strategy_toml("atm", atm + "100e6\nraise_usd = 50e6\n");
  const firm::Scenario s = scenario_from(raising, "equity_raise.toml");
  const RunResult one = run(s, 100, 1);
  const RunResult two = run(s, 100, 2);
  const StrategyStatistics& issuer = one.strategies.back();
  EXPECT_GT(issuer.shares_issued.mean(), 0.0);
  expect_bitwise_equal(issuer.npv_per_share_usd.mean(), two.strategies.back().npv_per_share_usd.mean(), "per share");
  expect_bitwise_equal(issuer.shares_issued.mean(), two.strategies.back().shares_issued.mean(), "shares issued");
}

// PPLNS with a 2% pool (λ ≈ 2.9 blocks a day): what the luck adds to BTC mined (btc_pool_luck) has
// mean 0 over the horizon, within its sampling error (a day's luck is independent of whether the
// firm is still alive that day; BTC mined itself may fall: bad luck can bring a default forward,
// good luck cannot undo one); BTC mined spreads more per path; the draws do not depend on the
// thread count.
TEST(Simulation, pplns_luck_adds_nothing_on_average_and_spreads_btc_mined) {
  const RunResult fpps = run(scenario_from(miner_toml(), "simulation_plain.toml"), 1000, 2);
  const firm::Scenario s = miner_with("\n[pool]\nscheme = \"pplns\"\nshare_of_network = 0.02\n", "simulation_pplns.toml");
  const RunResult pplns = run(s, 1000, 2);
  const RunResult pplns_one_thread = run(s, 1000, 1);
  double luck_btc = 0, luck_variance = 0;
  for (std::size_t m = 0; m < pplns.months.size(); ++m) {
    const stats::Moments& month = pplns.accounts.at(0, m, &firm::DayAccounts::btc_pool_luck);
    luck_btc += month.mean();
    luck_variance += month.variance();  // the months' luck is independent
    EXPECT_EQ(fpps.accounts.at(0, m, &firm::DayAccounts::btc_pool_luck).mean(), 0.0);
  }
  EXPECT_GT(luck_variance, 0.0);
  EXPECT_NEAR(luck_btc, 0.0, 4.0 * std::sqrt(luck_variance / 1000.0));
  EXPECT_GT(pplns.strategies[0].btc_mined.variance(), fpps.strategies[0].btc_mined.variance());
  expect_bitwise_equal(pplns.strategies[0].btc_mined.mean(), pplns_one_thread.strategies[0].btc_mined.mean(),
                       "pplns threads");
}

// The sale of 1,500 BTC on 2026-02-07 under the defaults of [market_impact] (c = 2/3 × 0.0235 /
// sqrt(100,000)) costs price × c × 1500^1.5 on each path; without the table nothing is charged.
TEST(Simulation, market_impact_charges_the_square_root_law_on_the_sales) {
  const firm::Scenario s = miner_with("\n[market_impact]\n", "simulation_impact.toml");
  const RunResult r = run(s, 200, 2);
  const RunResult plain = run(scenario_from(miner_toml(), "simulation_plain.toml"), 200, 2);
  EXPECT_EQ(plain.strategies[1].slippage_usd.mean(), 0.0);
  const StrategyStatistics& sold = r.strategies[1];
  const double c = 2.0 / 3.0 * 0.0235 / std::sqrt(100'000.0);
  // At least the one-off sale's slippage at a price of $40,000 or more (the sale is in the first week).
  EXPECT_GT(sold.slippage_usd.mean(), 40'000 * c * std::pow(1500.0, 1.5));
  EXPECT_LT(sold.npv_usd.mean(), plain.strategies[1].npv_usd.mean());
  const MetricValues values = metric_values(sold);
  EXPECT_EQ(values[metric_index("slippage_mean_usd")], sold.slippage_usd.mean());
}

// A strategy that replaces the 15,000 XP in Texas (no failures) with 15,000 new ones delivered on
// 2026-03-31: on each path alive then it buys and sells 15,000 machines; the others buy none.
TEST(Simulation, a_refresh_reports_the_machines_bought_and_sold) {
  const firm::Scenario s = scenario_from(miner_toml() + R"(
[[strategies]]
name = "refresh"
[[strategies.refresh]]
date = 2026-03-01
machine = "XP"
count = 15000
site = "texas"
replaces = "XP"
lead_time_days = 30
deposit_fraction = 0.25
)",
                                         "simulation_refresh.toml");
  const RunResult r = run(s, 200, 2);
  const StrategyStatistics& refresh = r.strategies.back();
  EXPECT_GT(refresh.machines_bought.mean(), 0.9 * 15'000);
  EXPECT_LE(refresh.machines_bought.mean(), 15'000);
  EXPECT_EQ(refresh.machines_sold.mean(), refresh.machines_bought.mean());
  EXPECT_EQ(r.strategies[0].machines_bought.mean(), 0.0);
  const MetricValues values = metric_values(refresh);
  EXPECT_EQ(values[metric_index("machines_bought_mean")], refresh.machines_bought.mean());
  EXPECT_EQ(values[metric_index("machines_sold_mean")], refresh.machines_sold.mean());
}

// The test miner's BTC-backed loan ($120M) on 50 BTC instead of 2500 (about $4M): its LTV is far
// above the call level from the first day, so every path has a margin call.
TEST(Simulation, a_loan_above_its_call_level_on_day_0_is_a_margin_call_on_every_path) {
  const firm::Scenario s = scenario_from(pure_treasury_toml(btc_loan_toml(50) + testing::strategy_toml("hold")),
                                         "simulation_margin_call.toml");
  const RunResult r = run(s, 300, 2);
  const StrategyStatistics& st = r.strategies[0];
  EXPECT_EQ(st.margin_called.trials(), 300u);
  EXPECT_EQ(st.margin_called.events(), 300u);
  const MetricValues values = metric_values(st);
  EXPECT_EQ(values[metric_index("p_margin_call")], 1.0);
  EXPECT_EQ(values[metric_index("p_margin_call_se")], 0.0);
}

// The table's own rules, on which every generated output relies.
TEST(MetricTable, columns_and_json_pointers_are_unique_and_the_places_consistent) {
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const Metric& m = kMetrics[i];
    SCOPED_TRACE(std::string(m.column));
    EXPECT_FALSE(m.column.empty());
    EXPECT_EQ(m.column.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string_view::npos);
    ASSERT_TRUE(m.json.starts_with('/'));
    EXPECT_GE(m.store_version, 1);
    if (i > 0) {
      EXPECT_GE(m.store_version, kMetrics[i - 1].store_version) << "new rows go at the end";
    }
    const bool labelled = m.place == MetricPlace::kStrategyTable || m.place == MetricPlace::kAgainstFirst;
    EXPECT_EQ(!m.label.empty(), labelled);
    if (m.place == MetricPlace::kSameCell) {
      ASSERT_GT(i, 0u);
      EXPECT_TRUE(kMetrics[i - 1].place == MetricPlace::kAgainstFirst || kMetrics[i - 1].place == MetricPlace::kSameCell);
    }
    for (std::size_t j = 0; j < kMetricCount; ++j) {
      if (j == i) continue;
      EXPECT_NE(m.column, kMetrics[j].column);
      EXPECT_NE(m.json, kMetrics[j].json);
      // One pointer inside another's value would overwrite it.
      EXPECT_FALSE(kMetrics[j].json.starts_with(std::string(m.json) + "/")) << kMetrics[j].json;
    }
  }
  EXPECT_EQ(kMetricsStoreVersion, 9);
}

// The loop allocates nothing per path: ten times the paths, the same number of allocations.
TEST(Simulation, allocations_do_not_grow_with_the_number_of_paths) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_alloc.toml");
  const model::MarketModel market = io::load_market_model(s);
  const auto count = [&](std::int64_t paths) {
    const std::uint64_t before = testing::heap_allocations();
    const RunResult r = run_simulation(s, market, {paths, 5, 1, {}});
    EXPECT_EQ(r.paths, paths);
    return testing::heap_allocations() - before;
  };
  EXPECT_EQ(count(1280), count(256));
}

TEST(Simulation, common_random_numbers_make_identical_strategies_identical) {
  std::string text = miner_toml();
  text += "\n[[strategies]]\nname = \"hold_again\"\n";
  const firm::Scenario s = scenario_from(text, "simulation_crn.toml");
  const RunResult r = run(s, 300, 2);
  const StrategyStatistics& twin = r.strategies.back();
  EXPECT_EQ(twin.npv_vs_first.difference().mean(), 0.0);
  EXPECT_EQ(twin.npv_vs_first.difference().variance(), 0.0);
  EXPECT_EQ(twin.npv_usd.mean(), r.strategies.front().npv_usd.mean());
}

TEST(Simulation, monthly_calendar_and_default_months_are_consistent) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_months.toml");
  const RunResult r = run(s, 256, 2);
  ASSERT_EQ(r.months.size(), 24u);  // 2026-02 … 2028-01
  EXPECT_EQ(r.months.front(), "2026-02");
  EXPECT_EQ(r.months.back(), "2028-01");
  EXPECT_EQ(r.horizon_days, 730);
  for (const StrategyStatistics& st : r.strategies) {
    EXPECT_EQ(st.default_month.paths(), 256u);
    EXPECT_EQ(st.default_month.total().events(), st.defaulted.events()) << st.name;
    EXPECT_EQ(r.firm_series.moments(0, 23, 0).count(), 256u);
  }
  // Monthly accounts add up to the horizon totals.
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    double mined = 0, sold = 0, ebitda = 0;
    for (std::size_t m = 0; m < r.months.size(); ++m) {
      mined += r.accounts.at(k, m, &firm::DayAccounts::btc_mined).mean();
      ebitda += r.accounts.at(k, m, &firm::DayAccounts::ebitda_usd).mean();
      sold += r.accounts.at(k, m, &firm::DayAccounts::btc_sold).mean();
    }
    EXPECT_NEAR(mined, r.strategies[k].btc_mined.mean(), 1e-9 * mined) << r.strategies[k].name;
    EXPECT_NEAR(sold, r.strategies[k].btc_sold.mean(), 1e-9 * sold + 1e-12) << r.strategies[k].name;
    EXPECT_NEAR(ebitda / (730 / 365.0), r.strategies[k].ebitda_usd_per_year.mean(), 1e-6 * std::abs(ebitda) + 1e-6)
        << r.strategies[k].name;
  }
  // Difficulty (in T) at the first month end: the start's bits give about 141.7 T.
  const double difficulty_t = r.market_series.quantile(0, 0, static_cast<std::size_t>(MarketSeries::kDifficultyT), 0.5);
  EXPECT_GT(difficulty_t, 100.0);
  EXPECT_LT(difficulty_t, 200.0);
  // The market is common: its month-end price count is the paths.
  EXPECT_EQ(r.market_series.moments(0, 0, static_cast<std::size_t>(MarketSeries::kBtcPriceUsd)).count(), 256u);
}

// ---- Ranks: the MPI split, with threads standing in for processes ------------------------------

/// What an in-process group of ranks shares: the messages to the root (first in, first out per
/// sender, as MPI keeps them) and the broadcasts in order. fail() wakes every waiting rank with an
/// exception, as MPI_Abort would end them.
class Mailroom {
 public:
  explicit Mailroom(int ranks) : to_root_(static_cast<std::size_t>(ranks)), sent_(static_cast<std::size_t>(ranks), 0) {}
  void send(int from, std::vector<std::byte> bytes) {
    const std::lock_guard lock(mutex_);
    to_root_[static_cast<std::size_t>(from)].push_back(std::move(bytes));
    ++sent_[static_cast<std::size_t>(from)];
    changed_.notify_all();
  }
  std::vector<std::byte> receive(int from) {
    std::unique_lock lock(mutex_);
    auto& queue = to_root_[static_cast<std::size_t>(from)];
    changed_.wait(lock, [&] { return failed_ || !queue.empty(); });
    if (failed_) throw std::runtime_error("another rank failed");
    std::vector<std::byte> bytes = std::move(queue.front());
    queue.pop_front();
    return bytes;
  }
  void publish(const std::vector<std::byte>& bytes) {
    const std::lock_guard lock(mutex_);
    broadcasts_.push_back(bytes);
    changed_.notify_all();
  }
  std::vector<std::byte> broadcast(std::size_t index) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return failed_ || broadcasts_.size() > index; });
    if (failed_) throw std::runtime_error("another rank failed");
    return broadcasts_[index];
  }
  void fail() {
    const std::lock_guard lock(mutex_);
    failed_ = true;
    changed_.notify_all();
  }
  std::size_t messages_sent_by(int rank) {
    const std::lock_guard lock(mutex_);
    return sent_[static_cast<std::size_t>(rank)];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::deque<std::vector<std::byte>>> to_root_;
  std::vector<std::vector<std::byte>> broadcasts_;
  std::vector<std::size_t> sent_;
  bool failed_ = false;
};

class ThreadRank final : public ProcessGroup {
 public:
  ThreadRank(Mailroom& room, int rank, int size) : room_(room), rank_(rank), size_(size) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  void broadcast(std::vector<std::byte>& bytes) const override {
    if (rank_ == 0)
      room_.publish(bytes);
    else
      bytes = room_.broadcast(broadcasts_seen_);
    ++broadcasts_seen_;
  }
  void send_to_root(std::span<const std::byte> bytes) const override {
    EXPECT_NE(rank_, 0);
    room_.send(rank_, std::vector<std::byte>(bytes.begin(), bytes.end()));
  }
  [[nodiscard]] std::vector<std::byte> receive_from(int rank) const override {
    EXPECT_EQ(rank_, 0);
    return room_.receive(rank);
  }

 private:
  Mailroom& room_;
  int rank_;
  int size_;
  mutable std::size_t broadcasts_seen_ = 0;
};

struct RankRuns {
  std::vector<RunResult> results;            // per rank, when it finished
  std::vector<std::exception_ptr> errors;    // per rank, when it threw
};

/// Runs `ranks` ranks as threads, each with `threads` worker threads; rank r uses seeds[r].
RankRuns run_on_ranks(const firm::Scenario& s, const model::MarketModel& market, std::int64_t paths, unsigned threads,
                      Mailroom& room, const std::vector<std::uint64_t>& seeds, bool variance_reduction = false) {
  const int ranks = static_cast<int>(seeds.size());
  std::vector<std::optional<RunResult>> results(seeds.size());
  RankRuns runs;
  runs.errors.resize(seeds.size());
  std::vector<std::thread> pool;
  for (int r = 0; r < ranks; ++r) {
    pool.emplace_back([&, r] {
      const ThreadRank group(room, r, ranks);
      RunOptions options{paths, seeds[static_cast<std::size_t>(r)], threads, {}};
      options.group = &group;
      options.variance_reduction = variance_reduction;
      try {
        results[static_cast<std::size_t>(r)].emplace(run_simulation(s, market, options));
      } catch (...) {
        runs.errors[static_cast<std::size_t>(r)] = std::current_exception();
        room.fail();
      }
    });
  }
  for (std::thread& t : pool) t.join();
  for (auto& result : results)
    if (result) runs.results.push_back(std::move(*result));
  return runs;
}

/// Every statistic of a result, as bytes: equal bytes are equal bits (the serialization tests in
/// statistics_test.cpp check the round trip against each statistic's accessors).
std::vector<std::byte> state_of(const RunResult& r) {
  stats::ByteWriter out;
  for (const StrategyStatistics& s : r.strategies) s.serialize(out);
  r.firm_series.serialize(out);
  r.market_series.serialize(out);
  r.accounts.serialize(out);
  return out.bytes();
}

TEST(Simulation, ranks_and_threads_give_the_bits_of_one_process) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_ranks_" + std::to_string(::getpid()) + ".toml");
  const model::MarketModel market = io::load_market_model(s);
  // Four chunks, the last one partial: with 2 and 3 ranks the round robin wraps, and rounds of
  // 3 and 2 threads cross chunk ends.
  constexpr std::int64_t kPaths = 3 * kBlocksPerChunk * kPathsPerBlock + 100;
  const std::int64_t chunks = (kPaths + kBlocksPerChunk * kPathsPerBlock - 1) / (kBlocksPerChunk * kPathsPerBlock);
  ASSERT_EQ(chunks, 4);
  const RunResult one = run(s, kPaths, 1);
  const std::vector<std::byte> expected = state_of(one);
  for (const auto& [ranks, threads] : {std::pair{2, 3u}, std::pair{3, 2u}}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks of " + std::to_string(threads) + " threads");
    Mailroom room(ranks);
    RankRuns runs = run_on_ranks(s, market, kPaths, threads, room, std::vector<std::uint64_t>(static_cast<std::size_t>(ranks), s.run.seed));
    ASSERT_EQ(runs.results.size(), static_cast<std::size_t>(ranks));
    for (int r = 0; r < ranks; ++r) {
      const RunResult& got = runs.results[static_cast<std::size_t>(r)];
      EXPECT_EQ(got.paths, one.paths);
      EXPECT_EQ(got.threads, threads);  // per rank, as one process with these threads reports
      EXPECT_TRUE(state_of(got) == expected) << "rank " << r;
      for (std::size_t k = 0; k < one.strategies.size(); ++k) {
        expect_bitwise_equal(got.strategies[k].npv_usd.mean(), one.strategies[k].npv_usd.mean(), "npv mean");
        expect_bitwise_equal(got.strategies[k].npv_usd.variance(), one.strategies[k].npv_usd.variance(), "npv var");
        expect_bitwise_equal(got.strategies[k].cvar_usd(), one.strategies[k].cvar_usd(), "cvar");
        EXPECT_EQ(got.strategies[k].npv_worst.kept_values(), one.strategies[k].npv_worst.kept_values());
      }
      // Each non-root rank sent its own chunks (r, r + ranks, …) and nothing else.
      if (r > 0) {
        EXPECT_EQ(room.messages_sent_by(r), static_cast<std::size_t>((chunks - r + ranks - 1) / ranks));
      }
    }
  }
}

TEST(Simulation, a_rank_with_another_seed_is_refused_not_merged) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_seeds_" + std::to_string(::getpid()) + ".toml");
  const model::MarketModel market = io::load_market_model(s);
  Mailroom room(2);
  const RankRuns runs = run_on_ranks(s, market, 2 * kBlocksPerChunk * kPathsPerBlock, 1, room, {s.run.seed, s.run.seed + 1});
  EXPECT_TRUE(runs.results.empty());
  ASSERT_TRUE(runs.errors[0]);
  try {
    std::rethrow_exception(runs.errors[0]);
  } catch (const stats::SerializationError& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
  }
}


// A hashprice forward sold over March 2026 (the run's second calendar month) at the mean simulated
// hashprice index of March on the same paths (the run's market series: each path's mean index over
// the month, averaged over paths) has mean P&L zero within 3 standard errors, and one a dollar
// above it earns a dollar × PH/s × 31 days more on every path; its peak margin is at least its
// initial margin. A zero-notional forward leaves every statistic bit for bit as the strategy
// without it (common random numbers: the same paths for every strategy).
TEST(Simulation, a_forward_at_the_mean_simulated_index_has_zero_mean_pnl) {
  using namespace testing;
  const std::string firm = scenario_toml("forward", 1, 2000, 5) + test_market_toml("btc_price_model = \"gbm\"") +
                           s21_machine_toml() + site_toml("site", 40, 50) + fleet_toml("S21", "site", 10000) +
                           treasury_toml(100, 1e8, 0) + strategy_toml("hold");
  const auto forward = [](const std::string& name, double ph_s, double fixed_usd_per_ph_day) {
    return strategy_toml(name, fmt::format("[[strategies.hedges]]\nkind = \"hashprice_forward\"\ndate = 2026-03-01\n"
                                           "tenor_months = 1\nnotional_ph_s = {}\nfixed_usd_per_ph_day = {}\n",
                                           ph_s, fixed_usd_per_ph_day));
  };
  const RunResult zero = run(scenario_from(firm + forward("zero", 0, 40), "forward_zero.toml"), 2000, 2);
  const StrategyStatistics& hold = zero.strategies[0];
  const StrategyStatistics& none = zero.strategies[1];
  expect_bitwise_equal(none.npv_usd.mean(), hold.npv_usd.mean(), "npv mean");
  expect_bitwise_equal(none.npv_usd.variance(), hold.npv_usd.variance(), "npv variance");
  expect_bitwise_equal(none.survivor_net_worth_cvar_usd(), hold.survivor_net_worth_cvar_usd(), "net worth cvar");
  EXPECT_EQ(none.hedge_pnl_usd.mean(), 0.0);
  EXPECT_EQ(none.margin_posted_quantiles.quantile(0.95), 0.0);

  const double march_index =
      zero.market_series.moments(0, 1, static_cast<std::size_t>(MarketSeries::kHashpriceUsdPerPhDay)).mean();
  ASSERT_GT(march_index, 0.0);
  const double ph_s = 1000.0;
  const RunResult fair = run(scenario_from(firm + forward("fair", ph_s, march_index) +
                                               forward("dollar_above", ph_s, march_index + 1.0),
                                           "forward_fair.toml"),
                             2000, 2);
  const StrategyStatistics& at_mean = fair.strategies[1];
  EXPECT_EQ(at_mean.defaulted.probability(), 0.0);
  EXPECT_GT(at_mean.hedge_pnl_usd.standard_error(), 0.0);
  EXPECT_NEAR(at_mean.hedge_pnl_usd.mean(), 0.0, 3.0 * at_mean.hedge_pnl_usd.standard_error());
  EXPECT_NEAR(fair.strategies[2].hedge_pnl_usd.mean() - at_mean.hedge_pnl_usd.mean(), ph_s * 31.0, 1e-6 * ph_s * 31.0);
  const double initial_margin = 0.35 * march_index * ph_s * 31.0;
  EXPECT_GE(at_mean.margin_posted_usd.mean(), initial_margin * (1.0 - 1e-12));
  EXPECT_GE(at_mean.margin_posted_quantiles.quantile(0.95), at_mean.margin_posted_usd.mean() * (1.0 - 1e-3));
}


RunResult run_reduced(const firm::Scenario& s, const model::MarketModel& market, std::int64_t paths, unsigned threads) {
  RunOptions options{paths, s.run.seed, threads, {}};
  options.variance_reduction = true;
  return run_simulation(s, market, options);
}

// Variance reduction keeps the determinism rule: pairs never span blocks, so 1, 2 and 3 threads and 2
// and 3 ranks give the same bits (2,101 paths: three chunks, one per rank with 3); an odd path count
// leaves the last path a unit of its own.
TEST(VarianceReduction, results_are_bit_identical_for_any_thread_count) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_vr_threads.toml");
  const model::MarketModel market = io::load_market_model(s);
  const RunResult one = run_reduced(s, market, 2101, 1);
  EXPECT_TRUE(one.variance_reduction);
  for (const StrategyStatistics& st : one.strategies) {
    EXPECT_EQ(st.npv_controlled.count(), 1051u) << st.name;  // 1,050 pairs and the lone last path
    EXPECT_EQ(st.npv_controlled.controls(), model::PriceControls::kCount);
    EXPECT_EQ(st.npv_usd.count(), 2101u);
    EXPECT_EQ(st.npv_vs_first.difference().count(), 1051u);
    EXPECT_EQ(st.npv_vs_first.candidate_wins().trials(), 2101u);
  }
  for (const unsigned threads : {2u, 3u}) {
    const RunResult many = run_reduced(s, market, 2101, threads);
    EXPECT_TRUE(state_of(many) == state_of(one)) << threads << " threads";
  }
  // And 2 and 3 ranks (in-process, as the MPI tests run them with mpirun).
  for (const int ranks : {2, 3}) {
    Mailroom room(ranks);
    const RankRuns runs =
        run_on_ranks(s, market, 2101, 2, room, std::vector<std::uint64_t>(static_cast<std::size_t>(ranks), s.run.seed), true);
    ASSERT_EQ(runs.results.size(), static_cast<std::size_t>(ranks));
    for (const RunResult& got : runs.results) EXPECT_TRUE(state_of(got) == state_of(one)) << ranks << " ranks";
  }
}

// Closed form: a pure treasury's NPV is linear in the last day's price, NPV = (cash + BTC · S_T)/(1 + r)^T,
// so the control variate removes all its variance and the estimate is the exact
// (cash + BTC · S_0 · e^{μ(T − 1 day)})/(1 + r)^T (the last day is day T − 1: T − 1 daily returns).
TEST(VarianceReduction, a_pure_treasurys_mean_npv_is_exact_with_the_price_control) {
  const firm::Scenario s = scenario_from(pure_treasury_toml(testing::strategy_toml("hold")), "simulation_vr_treasury.toml");
  const model::MarketModel market = io::load_market_model(s);
  const RunResult r = run_reduced(s, market, 600, 2);
  const double steps_years = (r.horizon_days - 1) / 365.0;
  const double expected =
      (5e6 + 1000 * 78702.39 * std::exp(market.gbm.mu_annual * steps_years)) / std::pow(1.1, r.horizon_days / 365.0);
  const StrategyStatistics& st = r.strategies[0];
  // Exact up to rounding, which the near-collinear controls (S_T and ln S_T) amplify: a millionth,
  // where the plain SE is over a thousandth.
  EXPECT_NEAR(st.npv_mean_usd(), expected, 1e-6 * expected);
  EXPECT_LT(st.npv_se_usd(), 1e-6 * expected);
  EXPECT_GT(st.npv_usd.standard_error(), 1e-3 * expected);
  EXPECT_NEAR(st.npv_controlled.coefficients()[0], 1000 * 78702.39 / std::pow(1.1, r.horizon_days / 365.0),
              1e-4 * 1000 * 78702.39);
}

// On the test miner (every policy, jumps, defaults): the reduced and the plain mean NPV agree within
// their combined 4 SE for every strategy, the reduced SE is the smaller, and the metric table's
// se_plain is the plain SE of the same paths.
TEST(VarianceReduction, the_reduced_mean_agrees_with_the_plain_one_and_its_se_is_smaller) {
  const firm::Scenario s = scenario_from(miner_toml(), "simulation_vr_miner.toml");
  const model::MarketModel market = io::load_market_model(s);
  const RunResult plain = run_simulation(s, market, {2048, s.run.seed, 2, {}});
  const RunResult reduced = run_reduced(s, market, 2048, 2);
  for (std::size_t k = 0; k < plain.strategies.size(); ++k) {
    const StrategyStatistics& a = plain.strategies[k];
    const StrategyStatistics& b = reduced.strategies[k];
    SCOPED_TRACE(a.name);
    EXPECT_EQ(a.npv_mean_usd(), a.npv_usd.mean());  // without it, the table's mean is the plain one
    EXPECT_NEAR(b.npv_mean_usd(), a.npv_mean_usd(), 4 * std::hypot(a.npv_se_usd(), b.npv_se_usd()));
    EXPECT_LT(b.npv_se_usd(), a.npv_se_usd());
    EXPECT_EQ(metric_values(b)[metric_index("npv_se_plain_usd")], b.npv_usd.standard_error());
    EXPECT_EQ(metric_values(b)[metric_index("npv_se_usd")], b.npv_se_usd());
  }
}

// ---- Market replay --------------------------------------------------------------------------------

// A run that stores the market days and a run that replays them give the bits of a plain run, for
// every strategy of the test miner (an index site with hourly curtailment, a PPLNS pool, jumps,
// defaults), with and without variance reduction, on other thread counts than the run that stored
// them; 520 paths: three blocks, the last partial.
// The block step (RunOptions::block_step: the firms of kLanes paths at once, firm::step_day_lanes) gives
// the bits of the path-by-path step, whole results compared: on Cango (fixed-price sites, FPPS: every
// set of kLanes paths goes side by side), whose strategies take each way a block has (a plan in lanes, one
// path by path, the dated days, a lender's day), with a last block of 11 paths (two sets of 4 and 3
// alone), plain and with variance reduction, on 1 and 2 threads, with the copy of the step for each
// instruction set, and with stored markets.
TEST(BlockStep, the_block_step_gives_the_bits_of_the_path_by_path_step) {
  firm::Scenario s = io::read_scenario(std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml");
  s.run.horizon_years = 2;
  const model::MarketModel market = io::load_market_model(s);
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  constexpr std::int64_t kPaths = kPathsPerBlock + 11;
  for (const bool reduced : {false, true}) {
    SCOPED_TRACE(reduced ? "variance reduction" : "plain");
    RunOptions options{kPaths, s.run.seed, 1, {}};
    options.variance_reduction = reduced;
    options.block_step = false;
    const std::vector<std::byte> expected = state_of(run_simulation(s, market, options));
    options.block_step = true;
    for (const unsigned threads : {1u, 2u}) {
      options.threads = threads;
      EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << threads << " threads";
    }
    // Each copy of the block step this processor runs (the default is the widest).
    for (const auto set : {firm::lanes::InstructionSet::kBaseline, firm::lanes::InstructionSet::kAvx2}) {
      options.lane_instruction_set = set;
      if (firm::lane_instruction_set_available(set))
        EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << firm::name_of(set);
      else
        EXPECT_THROW(run_simulation(s, market, options), std::invalid_argument) << firm::name_of(set);
    }
    options.lane_instruction_set = firm::widest_lane_instruction_set();
    MarketReplay replay(market, s.run.seed, kPaths, calendar, reduced, false);
    options.market_replay = &replay;
    EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << "storing the markets";
    EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << "replaying them";
  }
}

TEST(MarketReplay, stored_and_replayed_runs_give_the_bits_of_a_plain_run) {
  const firm::Scenario s = miner_with("\n[pool]\nscheme = \"pplns\"\nshare_of_network = 0.02\n", "replay_pplns.toml");
  model::MarketModel market = io::load_market_model(s);
  ASSERT_TRUE(market.has_energy_index);
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  constexpr std::int64_t kPaths = 520;
  for (const bool reduced : {false, true}) {
    SCOPED_TRACE(reduced ? "variance reduction" : "plain");
    RunOptions options{kPaths, s.run.seed, 2, {}};
    options.variance_reduction = reduced;
    const std::vector<std::byte> expected = state_of(run_simulation(s, market, options));
    MarketReplay replay(market, s.run.seed, kPaths, calendar, reduced, true);
    EXPECT_FALSE(replay.has_block(0));
    options.market_replay = &replay;
    EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << "the run that stored the days";
    for (std::uint32_t block = 0; block < 3; ++block) EXPECT_TRUE(replay.has_block(block)) << block;
    for (const unsigned threads : {1u, 3u}) {
      options.threads = threads;
      EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected) << "replayed on " << threads << " threads";
    }
    // The replayed runs read the stored days: with the fee level moved in the very model the replay
    // was stored for (which a caller must not do), a replayed run still gives the stored bits, while
    // a simulated one moves.
    const double fee_level = market.fees.log_fees.theta_log;
    market.fees.log_fees.theta_log = fee_level + 1.0;
    EXPECT_TRUE(state_of(run_simulation(s, market, options)) == expected);
    options.market_replay = nullptr;
    EXPECT_FALSE(state_of(run_simulation(s, market, options)) == expected);
    market.fees.log_fees.theta_log = fee_level;
  }
}

// A replay is used only by runs it was stored for, and only keeps what their firms read.
TEST(MarketReplay, a_run_it_does_not_match_is_refused) {
  const firm::Scenario s = miner_with("\n[pool]\nscheme = \"pplns\"\nshare_of_network = 0.02\n", "replay_refused.toml");
  const model::MarketModel market = io::load_market_model(s);
  const model::MarketModel same_inputs = market;  // another object: the replay knows its own
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  MarketReplay replay(market, s.run.seed, 300, calendar, false, true);
  RunOptions options{300, s.run.seed, 1, {}};
  options.market_replay = &replay;
  RunOptions other_seed = options;
  other_seed.seed += 1;
  EXPECT_THROW((void)run_simulation(s, market, other_seed), std::invalid_argument);
  RunOptions other_paths = options;
  other_paths.paths = 301;
  EXPECT_THROW((void)run_simulation(s, market, other_paths), std::invalid_argument);
  RunOptions reduced = options;
  reduced.variance_reduction = true;
  EXPECT_THROW((void)run_simulation(s, market, reduced), std::invalid_argument);
  EXPECT_THROW((void)run_simulation(s, same_inputs, options), std::invalid_argument);
  // A PPLNS pool's luck reads the network's days, which this replay does not keep.
  MarketReplay without_network(market, s.run.seed, 300, calendar, false, false);
  options.market_replay = &without_network;
  EXPECT_THROW((void)run_simulation(s, market, options), std::invalid_argument);
  EXPECT_FALSE(without_network.has_block(0));
}

// What optimize and sensitivity weigh against their budget: two doubles a path-day, one more for an energy index,
// two more for the network, and two a path-month, plus a byte a block.
TEST(MarketReplay, bytes_needed_counts_the_fields_kept) {
  const firm::Scenario s = scenario_from(miner_toml(), "replay_bytes.toml");
  const model::MarketModel market = io::load_market_model(s);
  const Calendar calendar = make_calendar(s.run.start_date, s.run.horizon_years);
  const auto days = static_cast<std::uint64_t>(calendar.horizon_days);
  const std::uint64_t months = calendar.months();
  const std::uint64_t paths = 1000;
  const std::uint64_t blocks = 4;  // 1000 paths of 256
  constexpr std::uint64_t kDouble = sizeof(double);
  EXPECT_EQ(MarketReplay::bytes_needed(market, 1000, calendar, false), kDouble * paths * (3 * days + 2 * months) + blocks);
  EXPECT_EQ(MarketReplay::bytes_needed(market, 1000, calendar, true), kDouble * paths * (5 * days + 2 * months) + blocks);
  model::MarketModel fixed = market;
  fixed.has_energy_index = false;
  EXPECT_EQ(MarketReplay::bytes_needed(fixed, 1000, calendar, false), kDouble * paths * (2 * days + 2 * months) + blocks);
  // The commands' factory: the scenario's horizon, the network's days only for a pool that pays luck,
  // and nothing above the budget.
  const std::uint64_t fpps_bytes = MarketReplay::bytes_needed(market, 1000, calendar, false);
  const std::optional<MarketReplay> fits = MarketReplay::within_budget(market, s, s.run.seed, 1000, false, fpps_bytes);
  ASSERT_TRUE(fits.has_value());
  EXPECT_FALSE(fits->with_network());
  EXPECT_TRUE(fits->matches(market, s.run.seed, 1000, calendar.horizon_days, false));
  EXPECT_FALSE(MarketReplay::within_budget(market, s, s.run.seed, 1000, false, fpps_bytes - 1).has_value());
  const firm::Scenario pplns = miner_with("\n[pool]\nscheme = \"pplns\"\nshare_of_network = 0.02\n", "replay_bytes_pplns.toml");
  const std::uint64_t pplns_bytes = MarketReplay::bytes_needed(market, 1000, calendar, true);
  EXPECT_FALSE(MarketReplay::within_budget(market, pplns, s.run.seed, 1000, false, pplns_bytes - 1).has_value());
  const std::optional<MarketReplay> with_network =
      MarketReplay::within_budget(market, pplns, s.run.seed, 1000, false, pplns_bytes);
  ASSERT_TRUE(with_network.has_value());
  EXPECT_TRUE(with_network->with_network());
}

}  // namespace
}  // namespace hashpivot::sim
