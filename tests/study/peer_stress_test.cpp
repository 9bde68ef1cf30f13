// The peer stresses' markets against their definitions (closed forms and the real 2022 history), and
// a firm's outcome on them against its balance sheet.

#include "hashpivot/study/peer_stress.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/study/history_backtest.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::study {
namespace {

const std::string kHistory = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
DayNumber day(const char* text) { return *parse_date(text); }

const market::DailyHistory& real_history() {
  static const market::DailyHistory h = market::read_daily_history_csv(kHistory);
  return h;
}

// Test inputs: the shared [market] of 2026-02-01 (support/test_market.hpp) and `firm` tables.
firm::Scenario scenario_with(const std::string& firm, const std::string& name) {
  using namespace testing;
  return read_test_scenario(name, scenario_toml("stress firm", 5, 100, 1, "", 0.15) + test_market_toml() + firm);
}

const firm::Scenario& market_scenario() {
  static const firm::Scenario s = scenario_with(
      testing::xp_machine_toml() + testing::site_toml("hosted", 10, 70) + testing::fleet_toml("XP", "hosted", 0) +
          testing::treasury_toml(1000, 5e6, 0) + testing::strategy_toml("hold"),
      "stress_market.toml");
  return s;
}

constexpr int kDays = 1826;

std::vector<HistoryMarketDay> stressed_days(PeerStress stress) {
  const firm::Scenario& s = market_scenario();
  const market::DailyHistory h = stress_history(stress, s.market, s.run.start_date, kDays, &real_history());
  EXPECT_EQ(h.days(), static_cast<std::size_t>(kDays) + 1);
  return history_market_days(h, s.run.start_date, s.run.start_date + kDays - 1);
}

TEST(PeerStress, btc_halved_in_quarter_halves_the_price_log_linearly_over_91_days) {
  const std::vector<HistoryMarketDay> m = stressed_days(PeerStress::kBtcHalvedInQuarter);
  const double s0 = 78702.39;
  const double d0 = chain::difficulty_from_bits(0x1701fca1);
  EXPECT_DOUBLE_EQ(m[0].price_usd_per_btc, s0);
  EXPECT_NEAR(m[45].price_usd_per_btc, s0 * std::pow(0.5, 45.0 / 91.0), 1e-9 * s0);
  EXPECT_NEAR(m[91].price_usd_per_btc, s0 / 2, 1e-9 * s0);
  EXPECT_NEAR(m[1000].price_usd_per_btc, s0 / 2, 1e-9 * s0);
  for (const std::size_t d : {0u, 91u, 1825u}) {
    EXPECT_DOUBLE_EQ(m[d].difficulty, d0);
    EXPECT_NEAR(m[d].fees_btc_per_block, 0.019, 1e-15);
  }
}

TEST(PeerStress, the_subsidy_halves_on_the_day_the_height_passes_1050000) {
  const std::vector<HistoryMarketDay> m = stressed_days(PeerStress::kHalvingFlatPrice);
  // 144 blocks a day from height 934,542: day 801 mines 1,049,886..1,050,029, 114 blocks at 3.125
  // BTC and 30 at 1.5625 (the fifth halving, at 5 × 210,000).
  EXPECT_DOUBLE_EQ(m[0].issuance_btc_per_block, 3.125);
  EXPECT_DOUBLE_EQ(m[800].issuance_btc_per_block, 3.125);
  EXPECT_NEAR(m[801].issuance_btc_per_block, (114 * 3.125 + 30 * 1.5625) / 144, 1e-12);
  EXPECT_DOUBLE_EQ(m[802].issuance_btc_per_block, 1.5625);
  EXPECT_DOUBLE_EQ(m[1825].price_usd_per_btc, m[0].price_usd_per_btc);
  EXPECT_EQ(m[1825].filled, (std::array<bool, kHistoryInputs>{}));  // every input is the stress's own
}

TEST(PeerStress, hashrate_surge_raises_the_difficulty_20_percent_in_a_quarter) {
  const std::vector<HistoryMarketDay> m = stressed_days(PeerStress::kHashrateSurge);
  const double d0 = chain::difficulty_from_bits(0x1701fca1);
  EXPECT_DOUBLE_EQ(m[0].difficulty, d0);
  EXPECT_NEAR(m[91].difficulty, 1.2 * d0, 1e-9 * d0);
  EXPECT_NEAR(m[1500].difficulty, 1.2 * d0, 1e-9 * d0);
  // Hashprice in BTC falls by the difficulty's ratio (the same reward per block on days 0 and 91).
  EXPECT_NEAR(m[91].hashprice_btc_per_ph_day / m[0].hashprice_btc_per_ph_day, 1 / 1.2, 1e-9);
}

TEST(PeerStress, replay_2022_moves_from_todays_levels_as_the_2022_history_moved) {
  const std::vector<HistoryMarketDay> m = stressed_days(PeerStress::kReplay2022);
  const market::DailyHistory& h = real_history();
  const DayNumber jan1 = day("2022-01-01");
  for (const int d : {0, 100, 320, 364}) {
    SCOPED_TRACE(d);
    EXPECT_NEAR(m[static_cast<std::size_t>(d)].price_usd_per_btc / m[0].price_usd_per_btc,
                h.value_on(h.price_usd, jan1 + d) / h.value_on(h.price_usd, jan1), 1e-12);
    EXPECT_NEAR(m[static_cast<std::size_t>(d)].difficulty / m[0].difficulty,
                h.value_on(h.difficulty, jan1 + d) / h.value_on(h.difficulty, jan1), 1e-12);
  }
  // After 2022 the year's last ratios hold.
  EXPECT_DOUBLE_EQ(m[900].price_usd_per_btc, m[364].price_usd_per_btc);
  // The replayed USD hashprice falls as 2022's did: by its 2022 low it is under 40% of day 0's.
  double low = m[0].hashprice_usd_per_ph_day;
  for (int d = 0; d < 365; ++d) low = std::min(low, m[static_cast<std::size_t>(d)].hashprice_usd_per_ph_day);
  EXPECT_LT(low / m[0].hashprice_usd_per_ph_day, 0.4);
}

TEST(PeerStress, replay_2022_without_the_history_is_an_error) {
  const firm::Scenario& s = market_scenario();
  EXPECT_THROW((void)stress_history(PeerStress::kReplay2022, s.market, s.run.start_date, 10, nullptr), InputError);
}

// A firm with no machines, no costs and no debt ends with its cash and its BTC at the last price.
TEST(PeerStress, a_pure_treasury_ends_with_cash_plus_btc_at_the_stressed_price) {
  const firm::Scenario& s = market_scenario();
  const market::DailyHistory h =
      stress_history(PeerStress::kBtcHalvedInQuarter, s.market, s.run.start_date, kDays, nullptr);
  const PeerStressOutcome o = run_peer_stress(s, 0, h);
  EXPECT_FALSE(o.default_day.has_value());
  EXPECT_EQ(o.btc_sold, 0.0);
  EXPECT_NEAR(o.equity_value_end_usd, 5e6 + 1000 * 78702.39 / 2, 1e-6);
}

// A firm with no revenue or costs that owes a BTC-backed loan (120 $M at 9%, due 2030-06-01) pays its
// interest and principal by selling BTC. At a flat price that is, in closed form, the debt service
// less its cash, 120 $M × (1 + 0.09 × 1581 / 365) − 5 $M = 161.8 $M, over the price: 2,056 BTC of its
// 5,500 (3,000 free, 2,500 pledged). When BTC halves, the margin call makes it repay early from the
// collateral: more BTC leaves, and it still ends with the rest at the last price.
TEST(PeerStress, a_firm_serving_a_loan_from_btc_sells_the_debt_service_over_the_price) {
  const firm::Scenario s = scenario_with(
      testing::xp_machine_toml() + testing::site_toml("hosted", 10, 70) + testing::fleet_toml("XP", "hosted", 0) +
          testing::treasury_toml(3000, 5e6, 0) +
          testing::btc_backed_debt_toml("btc_loan", 120e6, 0.09, "2030-06-01", 2500, 0.5) +
          testing::strategy_toml("hold"),
      "stress_loan.toml");
  const auto outcome = [&](PeerStress stress) {
    return run_peer_stress(s, 0, stress_history(stress, s.market, s.run.start_date, kDays, nullptr));
  };
  const double s0 = 78702.39;
  const PeerStressOutcome flat = outcome(PeerStress::kHalvingFlatPrice);
  const double flat_out = flat.btc_sold + flat.btc_liquidated;
  const double debt_service_usd = 120e6 * (1 + 0.09 * 1581 / 365.0) - 5e6;
  EXPECT_FALSE(flat.default_day.has_value());
  EXPECT_NEAR(flat_out, debt_service_usd / s0, 0.01 * debt_service_usd / s0);
  EXPECT_NEAR(flat.equity_value_end_usd, (5500 - flat_out) * s0, 1e-6 * flat.equity_value_end_usd);
  const PeerStressOutcome halved = outcome(PeerStress::kBtcHalvedInQuarter);
  const double halved_out = halved.btc_sold + halved.btc_liquidated;
  EXPECT_FALSE(halved.default_day.has_value());
  EXPECT_GT(halved_out, flat_out + 1000);
  EXPECT_NEAR(halved.equity_value_end_usd, (5500 - halved_out) * s0 / 2, 1e-6 * halved.equity_value_end_usd);
}

}  // namespace
}  // namespace hashpivot::study
