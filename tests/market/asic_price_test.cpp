#include "hashpivot/market/asic_price.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(AsicPrice, equals_the_tier_base_price_at_hashprice_ratio_one) {
  AsicPriceModel m;
  m.base_usd_per_th = {7.5, 4.0, 2.0, 0.5};
  m.hashprice_elasticity = 1.3;
  for (std::size_t t = 0; t < kAsicTiers; ++t)
    EXPECT_EQ(m.usd_per_th(static_cast<AsicTier>(t), 1.0, 0.0), m.base_usd_per_th[t]);
}

TEST(AsicPrice, doubling_hashprice_scales_the_price_by_two_to_the_beta) {
  for (const double beta : {0.5, 1.0, 1.5, 2.0}) {
    AsicPriceModel m;
    m.hashprice_elasticity = beta;
    const double base = m.usd_per_th(AsicTier::kBelow25, 0.8, 0.0);
    EXPECT_DOUBLE_EQ(m.usd_per_th(AsicTier::kBelow25, 1.6, 0.0), base * std::pow(2.0, beta)) << beta;
  }
  AsicPriceModel unit;  // β = 1: doubling hashprice doubles the price exactly
  EXPECT_EQ(unit.usd_per_th(AsicTier::kBelow25, 2.0, 0.0), 2 * kS21HydroDec2025UsdPerTh);
}

TEST(AsicPrice, noise_is_lognormal_with_the_configured_sd) {
  AsicPriceModel m;
  m.noise_sd_log = 0.1;
  const random::CounterRng rng(4);
  double sum = 0, sum2 = 0;
  constexpr std::uint32_t kDraws = 20000;
  for (std::uint32_t t = 0; t < kDraws; ++t) {
    const double l = std::log(m.usd_per_th(AsicTier::kBelow25, 1.0, asic_price_shock(rng, 0, t)) /
                              m.base_usd_per_th[0]);
    sum += l;
    sum2 += l * l;
  }
  const double n = kDraws;
  const double var = (sum2 - sum * sum / n) / (n - 1);
  EXPECT_NEAR(sum / n, 0, 5 * 0.1 / std::sqrt(n));
  EXPECT_NEAR(var, 0.01, 5 * 0.01 * std::sqrt(2 / (n - 1)));
}

TEST(AsicPrice, tiers_follow_the_luxor_bounds) {
  EXPECT_EQ(asic_tier_of(13.5), AsicTier::kBelow25);  // S21 XP (docs/model.md §4)
  EXPECT_EQ(asic_tier_of(22.5), AsicTier::kBelow25);  // S19 XP
  EXPECT_EQ(asic_tier_of(25.0), AsicTier::k25To38);
  EXPECT_EQ(asic_tier_of(30.5), AsicTier::k25To38);   // S19j Pro: 3,050 W / 100 TH/s
  EXPECT_EQ(asic_tier_of(38.0), AsicTier::k38To68);
  EXPECT_EQ(asic_tier_of(68.0), AsicTier::kAbove68);
}

TEST(AsicPrice, the_default_is_sourced_and_the_report_fits_nothing) {
  const AsicPriceModel m;
  EXPECT_EQ(m.base_usd_per_th[0], 7.5);  // docs/model.md §3: $7–8/TH S21 hydro/immersion, Dec 2025
  for (std::size_t t = 1; t < kAsicTiers; ++t) EXPECT_TRUE(std::isnan(m.base_usd_per_th[t]));
  EXPECT_EQ(m.hashprice_elasticity, 1.0);
  const FitReport r = asic_price_report(m);
  EXPECT_EQ(r.factor, "asic_price");
  EXPECT_EQ(r.method.substr(0, 7), "sourced");
  EXPECT_TRUE(std::isnan(r.log_likelihood));
  for (const Estimate& e : r.parameters) EXPECT_TRUE(std::isnan(e.se)) << e.name;
}

// docs/model.md §2 check: D = 144.4 T, price $68,000, reward 3.161 BTC → ≈ $29.9/PH/day.
TEST(AsicPrice, hashprice_from_a_history_matches_the_model_md_check) {
  DailyHistory h;
  h.first_day = 0;
  h.price_usd = {kNaN, 68000};
  h.difficulty = {kNaN, 144.4e12};
  h.block_count = {kNaN, 144};
  h.supply_btc = {19'000'000, 19'000'000 + 3.125 * 144};
  h.fees_btc = {kNaN, 0.036 * 144};
  h.hashrate_ths = {kNaN, kNaN};
  EXPECT_NEAR(mean_hashprice_usd_per_ph_day(h, 0, 1), 29.9, 0.05);
}

TEST(AsicPrice, report_on_the_real_history_sets_the_assumption_beside_two_sourced_quotes) {
  const DailyHistory h =
      read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv");
  const FitReport r = asic_price_report(AsicPriceModel{}, h);
  for (const GoodnessOfFit& g : r.fit) EXPECT_TRUE(std::isfinite(g.history)) << g.name;
  ASSERT_EQ(r.fit.size(), 3u);
  EXPECT_GT(r.fit[0].history, 1.0);  // hashprice fell from Jul 2023 to Dec 2025
  EXPECT_GT(r.fit[1].history, 0.0);
}

}  // namespace
}  // namespace hashpivot::market
