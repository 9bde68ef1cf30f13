#include "hashpivot/network/backtest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "hashpivot/core/error.hpp"

namespace hashpivot::network {
namespace {

const market::DailyHistory& real_history() {
  static const market::DailyHistory h = market::read_daily_history_csv(
      std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv");
  return h;
}

BacktestOptions coin_metrics_range() {
  BacktestOptions o;
  o.from = parse_date("2016-01-01");
  o.to = parse_date("2020-07-27");
  o.seed = 1;
  o.paths = 64;
  return o;
}

/// The 2016-01-01 … 2020-07-27 run, once for the tests that read it.
const BacktestResult& coin_metrics_run() {
  static const BacktestResult r = run_backtest(real_history(), coin_metrics_range());
  return r;
}

TEST(Backtest, starts_at_the_real_retarget_with_the_real_bits_height_and_time) {
  const BacktestResult& r = coin_metrics_run();
  // Epoch 195 (data/chain/btc_difficulty_epochs.csv): height 393,120, bits 0x1809b31b, first block
  // at 1452667178 (2016-01-13 06:39:38 UTC).
  EXPECT_EQ(format_date(r.start_day), "2016-01-13");
  EXPECT_EQ(r.start_height, 393'120);
  EXPECT_FALSE(r.start_height_estimated);
  EXPECT_EQ(r.start_bits, 0x1809b31bu);
  EXPECT_NEAR(r.start_time_unix, 1452667178.0, 3 * 3600.0);  // placed from the day's mixed DiffMean
}

TEST(Backtest, holds_the_errors_reached_against_coin_metrics_2016_to_july_2020) {
  // Reached (seed 1, 64 paths, driver: centred 7-day mean leaving the day out): blocks MAPE 7.60%,
  // difficulty MAPE 0.85%, total blocks −0.02%, on 1,657 days. The daily blocks MAPE cannot go much
  // below √(2/(π·144)) = 6.6%: the real count is a Poisson draw around the hashrate. The published
  // 0.83% for blocks was a mean error, which for a ratio to a Poisson count sits near +1/144 = 0.7%
  // even for a perfect forecast (ours: blocks_mean_signed_error_pct ≈ 0.81%).
  const BacktestResult& r = coin_metrics_run();
  RecordProperty("blocks_mape_pct", std::to_string(r.blocks_mape_pct));
  RecordProperty("difficulty_mape_pct", std::to_string(r.difficulty_mape_pct));
  EXPECT_EQ(r.days_scored, 1657);
  EXPECT_EQ(r.days_skipped, 0);
  EXPECT_LT(r.blocks_mape_pct, 7.8);
  EXPECT_GT(r.blocks_mape_pct, 6.0);  // below the Poisson floor would mean the forecast saw the answer
  EXPECT_LT(r.difficulty_mape_pct, 0.95);
  EXPECT_LT(std::abs(r.blocks_total_error_pct), 0.2);
  EXPECT_LT(std::abs(r.difficulty_bias_pct), 0.3);
  EXPECT_NEAR(r.retargets_simulated, r.retargets_real, 2.0);
}

TEST(Backtest, driving_a_day_with_its_own_hashrate_reproduces_its_count_which_is_why_the_default_leaves_it_out) {
  BacktestOptions o = coin_metrics_range();
  o.to = parse_date("2017-01-31");
  o.paths = 16;
  o.driver = HashrateDriver::kRaw;
  const BacktestResult raw = run_backtest(real_history(), o);
  o.driver = HashrateDriver::kCentredLeaveOneOut;
  const BacktestResult honest = run_backtest(real_history(), o);
  EXPECT_LT(raw.blocks_mape_pct, 3.0);
  EXPECT_GT(honest.blocks_mape_pct, 6.0);
}

TEST(Backtest, the_leave_one_out_driver_never_sees_the_day_itself) {
  market::DailyHistory h;
  h.first_day = 17000;
  h.hashrate_ths = {1, 1, 1, 1000, 1, 1, 1, 1};
  const auto loo = hashrate_driver_ths(h, HashrateDriver::kCentredLeaveOneOut, 7);
  EXPECT_DOUBLE_EQ(loo[3], 1.0);
  EXPECT_GT(loo[2], 100.0);
  const auto trailing = hashrate_driver_ths(h, HashrateDriver::kTrailing, 2);
  EXPECT_DOUBLE_EQ(trailing[4], 500.5);
}

TEST(Backtest, unknown_days_are_skipped_and_counted) {
  BacktestOptions o;
  o.from = parse_date("2025-03-01");
  o.to = parse_date("2025-12-31");
  o.paths = 4;
  const BacktestResult r = run_backtest(real_history(), o);
  EXPECT_GT(r.days_skipped, 100);  // block counts unknown 2025-04-17 … 2025-08-10
  EXPECT_EQ(r.days_scored + r.days_skipped, r.days_simulated);
  EXPECT_GT(r.driver_days_filled, 100);
  EXPECT_TRUE(std::isfinite(r.blocks_mape_pct));
}

TEST(Backtest, a_range_without_a_retarget_is_an_input_error) {
  BacktestOptions o;
  o.from = parse_date("2016-01-14");
  o.to = parse_date("2016-01-16");
  EXPECT_THROW((void)run_backtest(real_history(), o), InputError);
  o.to = parse_date("2016-03-01");
  o.paths = 0;
  EXPECT_THROW((void)run_backtest(real_history(), o), InputError);
}

}  // namespace
}  // namespace hashpivot::network
