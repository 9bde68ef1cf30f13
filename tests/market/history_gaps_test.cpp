// Calibration on a history with unknown days: the fits skip the days they lack and never fill them, so a
// one-day gap and a fifty-day gap between the same known days give the same fit.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hashpivot/market/fees.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace {

using namespace hashpivot;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Log fees per block from a log-OU path; `gap` unknown days inserted after day 300.
market::DailyHistory history_with_gap(int gap) {
  const random::CounterRng rng(7);
  market::DailyHistory h;
  h.first_day = 17'000;
  double x = std::log(0.2);
  for (int d = 0; d < 600; ++d) {
    x += 0.05 * (std::log(0.2) - x) + 0.15 * rng.normals({random::Stream::kTest, 0, static_cast<std::uint32_t>(d)})[0];
    if (d == 300)
      for (int g = 0; g < gap; ++g) {
        for (auto* v : {&h.price_usd, &h.hashrate_ths, &h.difficulty, &h.supply_btc}) v->push_back(kNaN);
        h.block_count.push_back(kNaN);
        h.fees_btc.push_back(kNaN);
      }
    h.price_usd.push_back(kNaN);
    h.hashrate_ths.push_back(kNaN);
    h.difficulty.push_back(kNaN);
    h.supply_btc.push_back(kNaN);
    h.block_count.push_back(144);
    h.fees_btc.push_back(144 * std::exp(x));
  }
  return h;
}

TEST(HistoryGaps, fee_fit_skips_unknown_days_and_does_not_fill_them) {
  const market::FitReport one = market::calibrate_fees(history_with_gap(1));
  const market::FitReport fifty = market::calibrate_fees(history_with_gap(50));
  // 600 known days, 599 consecutive pairs less the one the gap breaks.
  EXPECT_EQ(one.observations, 598);
  EXPECT_EQ(fifty.observations, 598);
  ASSERT_EQ(one.parameters.size(), fifty.parameters.size());
  for (std::size_t i = 0; i < one.parameters.size(); ++i)
    EXPECT_EQ(one.parameters[i].value, fifty.parameters[i].value) << one.parameters[i].name;
  // A fill (forward or linear) would add pairs across the gap: none were added.
  const market::FitReport none = market::calibrate_fees(history_with_gap(0));
  EXPECT_EQ(none.observations, 599);
}

}  // namespace
