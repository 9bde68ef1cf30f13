#include "hashpivot/model/market_model.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/market/fit.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"

namespace hashpivot::model {
namespace {

const std::string kCalibration = std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration/halving_2024_market.toml";

std::string market_test_toml(const std::string& market_extra, const std::string& start = "2026-02-01",
                             const std::string& site_contract = "fixed") {
  using namespace testing;
  return scenario_toml("market test", 4, 0, 1, "", 0.1, start) +
         test_market_toml(market_extra) + xp_machine_toml() +
         site_toml("site", 10, 40, "power_contract = \"" + site_contract + "\"\n") + fleet_toml("XP", "site", 100) +
         treasury_toml(0, 1e6, 0) + strategy_toml("hold");
}

MarketModel model_from(const std::string& text) {
  return io::load_market_model(testing::read_test_scenario("market_model_test.toml", text));
}

struct Sample {
  double mean = 0, sd = 0, se = 0;
};
Sample summarize(const std::vector<double>& x) {
  Sample s;
  for (const double v : x) s.mean += v;
  s.mean /= static_cast<double>(x.size());
  for (const double v : x) s.sd += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(x.size() - 1));
  s.se = s.sd / std::sqrt(static_cast<double>(x.size()));
  return s;
}

/// Runs `paths` paths for `days` days and hands each day's market to `observe(path, day, md)`.
template <typename Observe>
void simulate(const MarketModel& m, std::uint32_t paths, std::uint32_t days, Observe observe) {
  const random::CounterRng rng(99);
  for (std::uint32_t p = 0; p < paths; ++p) {
    MarketPathState s = start_market_path(m, rng, p);
    MarketDay md;
    for (std::uint32_t d = 0; d < days; ++d) {
      step_market_day(m, rng, p, d, s, md);
      observe(p, d, md);
    }
  }
}

// GBM with the scenario's drift: E[ln S_T − ln S_0] = (μ − σ²/2)T, Var = σ²T.
TEST(MarketModel, gbm_price_has_the_closed_form_log_moments_with_the_drift_override) {
  const MarketModel m = model_from(market_test_toml("btc_price_model = \"gbm\"\nbtc_price_drift_annual = -0.2"));
  ASSERT_EQ(m.gbm.mu_annual, -0.2);
  constexpr std::uint32_t kDays = 366;  // 365 returns
  std::vector<double> log_change;
  simulate(m, 2000, kDays, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
    if (d == kDays - 1) log_change.push_back(std::log(md.price_usd_per_btc / 78702.39));
  });
  const Sample s = summarize(log_change);
  const double sigma = m.gbm.sigma_annual;
  EXPECT_NEAR(s.mean, -0.2 - 0.5 * sigma * sigma, 4 * s.se);
  EXPECT_NEAR(s.sd, sigma, 0.05 * sigma);
}

// The vectorized fill of a path's draws is the per-day function bit for bit (both tails and the
// centre of the quantile occur among 3 × 2000 normals), and a day's draws depend on nothing but
// (seed, path, day): a second fill of another path in between changes nothing.
TEST(MarketModel, a_paths_batched_draws_equal_the_per_day_draws_bit_for_bit) {
  const random::CounterRng rng(20260201);
  MarketPathDraws batch, other;
  constexpr std::uint32_t kDays = 2000;
  draw_market_path(rng, 7, kDays, batch);
  draw_market_path(rng, 8, 10, other);
  int tails = 0;
  for (std::uint32_t d = 0; d < kDays; ++d) {
    const MarketDayDraws one = market_day_draws(rng, 7, d);
    EXPECT_EQ(batch.normal0[d], one.normal0) << d;
    EXPECT_EQ(batch.normal1[d], one.normal1) << d;
    EXPECT_EQ(batch.normal2[d], one.normal2) << d;
    EXPECT_EQ(batch.fee_spike_uniform[d], one.fee_spike_uniform) << d;
    EXPECT_EQ(batch.price_uniform[d], one.price_uniform) << d;
    if (std::abs(one.normal0) > 1.44) ++tails;  // |u − ½| > 0.425
  }
  EXPECT_GT(tails, 100);
  EXPECT_NE(batch.normal0[5], other.normal0[5]);
}

// Antithetic draws: a path's mirror has each normal negated and each uniform at 1 − u, exactly.
TEST(MarketModel, mirrored_draws_negate_the_normals_and_reflect_the_uniforms) {
  const random::CounterRng rng(20260201);
  MarketPathDraws plain, mirrored;
  constexpr std::uint32_t kDays = 500;
  draw_market_path(rng, 4, kDays, plain);
  draw_market_path(rng, 4, kDays, mirrored);
  mirror_market_draws(mirrored, kDays);
  for (std::uint32_t d = 0; d < kDays; ++d) {
    EXPECT_EQ(mirrored.normal0[d], -plain.normal0[d]) << d;
    EXPECT_EQ(mirrored.normal1[d], -plain.normal1[d]) << d;
    EXPECT_EQ(mirrored.normal2[d], -plain.normal2[d]) << d;
    EXPECT_EQ(mirrored.fee_spike_uniform[d] + plain.fee_spike_uniform[d], 1.0) << d;
    EXPECT_EQ(mirrored.price_uniform[d] + plain.price_uniform[d], 1.0) << d;
    EXPECT_GT(mirrored.price_uniform[d], 0.0);
    EXPECT_LT(mirrored.price_uniform[d], 1.0);
  }
}

// The control variates' known means: E[S_d]/S_0. GBM against its textbook closed form e^{μd/365};
// every model with a closed form against the mean of S_d/S_0 over simulated paths (the independent
// reference: the step itself), within 4 SE; none for the block bootstrap.
TEST(MarketModel, expected_price_ratio_is_the_closed_form_and_the_simulated_mean) {
  constexpr std::uint32_t kDays = 366;
  for (const char* model : {"gbm", "jump_diffusion", "regime_switching"}) {
    SCOPED_TRACE(model);
    const MarketModel m = model_from(market_test_toml(std::string("btc_price_model = \"") + model + "\""));
    const std::vector<double> ratio = expected_price_ratio_by_day(m, kDays);
    ASSERT_EQ(ratio.size(), kDays);
    EXPECT_EQ(ratio[0], 1.0);
    if (m.price_model == PriceModel::kGbm) {
      for (std::uint32_t d : {1u, 100u, 365u}) EXPECT_NEAR(ratio[d], std::exp(m.gbm.mu_annual * d / 365.0), 1e-12);
    }
    std::vector<double> last, mid, log_last;
    simulate(m, 6000, kDays, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
      if (d == kDays - 1) last.push_back(md.price_usd_per_btc / m.btc_price_usd);
      if (d == kDays - 1) log_last.push_back(std::log(md.price_usd_per_btc / m.btc_price_usd));
      if (d == 120) mid.push_back(md.price_usd_per_btc / m.btc_price_usd);
    });
    const Sample at_end = summarize(last);
    const Sample at_mid = summarize(mid);
    const Sample log_at_end = summarize(log_last);
    EXPECT_NEAR(at_end.mean, ratio[kDays - 1], 4 * at_end.se);
    EXPECT_NEAR(at_mid.mean, ratio[120], 4 * at_mid.se);
    EXPECT_NEAR(log_at_end.mean, expected_log_price_change(m, kDays - 1), 4 * log_at_end.se);
    // The controls' means: the last day's ratio, the mean ratio over the days, the log change.
    const std::vector<double> means = PriceControls::means(m, kDays);
    ASSERT_EQ(means.size(), PriceControls::kCount);
    EXPECT_EQ(means[0], ratio[kDays - 1]);
    double sum = 0;
    for (const double r : ratio) sum += r;
    EXPECT_NEAR(means[1], sum / kDays, 1e-15 * sum);
    EXPECT_EQ(means[2], expected_log_price_change(m, kDays - 1));
  }
  const std::string history = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
  EXPECT_TRUE(expected_price_ratio_by_day(
                  model_from(market_test_toml("btc_price_model = \"block_bootstrap\"\nhistory = \"" + history + "\"")),
                  kDays)
                  .empty());
}

// Two regimes against brute force: the sum over all 2^d regime sequences of their probability
// (stationary start, the Markov chain's stays) times the product of the days' factors.
TEST(MarketModel, regime_switching_expected_price_ratio_equals_the_enumeration_of_regime_paths) {
  const MarketModel m = model_from(market_test_toml("btc_price_model = \"regime_switching\""));
  const market::RegimeSwitchingPrice& rs = m.regime_switching;
  const auto factor = [&](int regime) {
    const double mu = regime == 0 ? rs.bull_mu_annual : rs.bear_mu_annual;
    return std::exp(mu / 365.0);  // E[e^{(μ − σ²/2)dt + σ√dt z}] = e^{μ dt}
  };
  constexpr int kDays = 12;
  const std::vector<double> ratio = expected_price_ratio_by_day(m, kDays + 1);
  for (int days = 1; days <= kDays; ++days) {
    double expected = 0;
    for (unsigned code = 0; code < (1u << (days + 1)); ++code) {
      // Bit t: the regime of day t (0 bull, 1 bear); day 0 draws the stationary start.
      int regime = static_cast<int>(code & 1u);
      const double pi_bull = rs.stationary_bull_probability();
      double weight = regime == 0 ? pi_bull : 1 - pi_bull;
      for (int t = 1; t <= days; ++t) {
        const int next = static_cast<int>((code >> t) & 1u);
        const double stay = regime == 0 ? rs.p_stay_bull_daily : rs.p_stay_bear_daily;
        weight *= (next == regime ? stay : 1 - stay) * factor(next);
        regime = next;
      }
      expected += weight;
    }
    EXPECT_NEAR(ratio[static_cast<std::size_t>(days)], expected, 1e-13) << days;
  }
  // The log change: the chain starts stationary, so every day has the stationary mix of drifts.
  const double pi = rs.stationary_bull_probability();
  EXPECT_NEAR(expected_log_price_change(m, 365),
              pi * (rs.bull_mu_annual - rs.bull_sigma_annual * rs.bull_sigma_annual / 2) +
                  (1 - pi) * (rs.bear_mu_annual - rs.bear_sigma_annual * rs.bear_sigma_annual / 2),
              1e-14);
}

// Exogenous hashrate: E[ln H_T/H_0] = drift·T (the halving-era calibration has no price term).
// Difficulty follows it through Core's retargets: at the end, D · 2^32 / (H · 600) ≈ 1 (it lags
// growth by about an epoch, so a little below one).
TEST(MarketModel, hashrate_grows_at_its_drift_and_difficulty_follows_it) {
  const MarketModel m = model_from(market_test_toml("hashrate_drift_annual = 0.3"));
  ASSERT_NEAR(m.hashrate.drift_per_day * 365, 0.3, 1e-12);
  ASSERT_EQ(m.hashrate.price_beta, 0.0);
  constexpr std::uint32_t kDays = 366;
  std::vector<double> growth, ratio;
  simulate(m, 400, kDays, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
    if (d == kDays - 1) {
      growth.push_back(std::log(md.network_hashrate_ths / 866.2e6));
      ratio.push_back(md.difficulty * 4294967296.0 / (md.network_hashrate_ths * 1e12 * 600.0));
    }
  });
  const Sample g = summarize(growth);
  EXPECT_NEAR(g.mean, 0.3, 4 * g.se);
  // 5 standard errors of a normal sample's sd, sd / √(2(n − 1)).
  EXPECT_NEAR(g.sd, m.hashrate.sigma_per_day * std::sqrt(365.0),
              5 * g.sd / std::sqrt(2.0 * static_cast<double>(growth.size() - 1)));
  const Sample r = summarize(ratio);
  // An epoch's lag at 30%/yr is about e^{−0.3·14/365} ≈ 0.989; the tolerance covers ±1 epoch.
  EXPECT_GT(r.mean, 0.96);
  EXPECT_LT(r.mean, 1.01);
}

// The margin-driven network answers the hashprice: on the paths where BTC falls most, hashrate falls
// (machines whose power costs more than they earn switch off) and difficulty follows it down at the
// retargets; on the paths where it rises most, both rise. The exogenous model of the same calibration
// (no price term) shows no such split, so the test cannot pass by the shocks alone.
TEST(MarketModel, margin_driven_hashrate_falls_on_low_price_paths_and_difficulty_follows) {
  // Started at the hashrate the difficulty in force implies (the bundled scenarios' start), so that the
  // first retarget does not move difficulty by itself.
  auto at_equilibrium = [](std::string text) {
    const std::string storm = "network_hashrate_ehs = 866.2", settled = "network_hashrate_ehs = 1014.1";
    return text.replace(text.find(storm), storm.size(), settled);
  };
  const MarketModel margin = model_from(at_equilibrium(market_test_toml("hashrate_model = \"margin_driven\"")));
  const MarketModel exogenous = model_from(at_equilibrium(market_test_toml("")));
  ASSERT_EQ(margin.hashrate_model, firm::HashrateModel::kMarginDriven);
  constexpr std::uint32_t kPaths = 300, kDays = 366;
  struct End {
    double log_price_change, log_hashrate_change, log_difficulty_change;
    double log_hashrate_from_peak = 0, log_difficulty_from_peak = 0;  // end value against the year's highest
  };
  auto ends = [&](const MarketModel& m) {
    std::vector<End> out(kPaths);
    std::vector<double> peak_hashrate(kPaths, 0.0), peak_difficulty(kPaths, 0.0);
    simulate(m, kPaths, kDays, [&](std::uint32_t p, std::uint32_t d, const MarketDay& md) {
      peak_hashrate[p] = std::max(peak_hashrate[p], md.network_hashrate_ths);
      peak_difficulty[p] = std::max(peak_difficulty[p], md.difficulty);
      if (d == kDays - 1)
        out[p] = {std::log(md.price_usd_per_btc / m.btc_price_usd),
                  std::log(md.network_hashrate_ths / m.network_hashrate_ths),
                  std::log(md.difficulty / m.chain.difficulty),
                  std::log(md.network_hashrate_ths / peak_hashrate[p]),
                  std::log(md.difficulty / peak_difficulty[p])};
    });
    std::sort(out.begin(), out.end(), [](const End& a, const End& b) { return a.log_price_change < b.log_price_change; });
    return out;
  };
  auto mean_of = [](const std::vector<End>& v, std::size_t from, std::size_t to, double End::*field) {
    double sum = 0;
    for (std::size_t i = from; i < to; ++i) sum += v[i].*field;
    return sum / static_cast<double>(to - from);
  };
  constexpr std::size_t kDecile = kPaths / 10, kTail = kPaths / 50;
  const std::vector<End> m = ends(margin), x = ends(exogenous);
  const double low_hashrate = mean_of(m, 0, kDecile, &End::log_hashrate_change);
  const double high_hashrate = mean_of(m, kPaths - kDecile, kPaths, &End::log_hashrate_change);
  const double low_difficulty = mean_of(m, 0, kDecile, &End::log_difficulty_change);
  const double high_difficulty = mean_of(m, kPaths - kDecile, kPaths, &End::log_difficulty_change);
  EXPECT_LT(mean_of(m, 0, kTail, &End::log_price_change), -0.9);
  // In the worst 2% (BTC down about 60% in the year) the network falls from its peak (machines switch off,
  // orders stop) and difficulty follows it down at the retargets. The exogenous model's worst-price paths
  // fall less from theirs (only its shocks move it).
  const double tail_hashrate_fall = mean_of(m, 0, kTail, &End::log_hashrate_from_peak);
  EXPECT_LT(tail_hashrate_fall, -0.15) << "hashrate falls where BTC fell most";
  EXPECT_LT(mean_of(m, 0, kTail, &End::log_difficulty_from_peak), -0.15) << "difficulty follows it down";
  EXPECT_LT(tail_hashrate_fall, mean_of(x, 0, kTail, &End::log_hashrate_from_peak));
  // Across the deciles: the lowest-price paths' network grows far less than the highest-price paths'.
  EXPECT_GT(high_hashrate - low_hashrate, 0.1);
  EXPECT_GT(high_difficulty - low_difficulty, 0.1);
  // The exogenous model: the same split is noise (its hashrate shock is only weakly correlated with price).
  const double exogenous_split = mean_of(x, kPaths - kDecile, kPaths, &End::log_hashrate_change) -
                                 mean_of(x, 0, kDecile, &End::log_hashrate_change);
  EXPECT_LT(std::abs(exogenous_split), (high_hashrate - low_hashrate) / 2);
}

// The day's hashprice is (subsidy + fees) · 86400 · 10^15 / (2^32 · D), with the subsidy of the
// next block's height: it halves at 1,050,000 (expected in 2028) within a four-year run.
TEST(MarketModel, hashprice_is_the_closed_form_of_its_inputs_and_sees_the_halving) {
  const MarketModel m = model_from(market_test_toml(""));
  bool saw_halving = false;
  simulate(m, 3, 4 * 365, [&](std::uint32_t, std::uint32_t, const MarketDay& md) {
    const double subsidy = md.height < 1'050'000 ? 3.125 : 1.5625;
    EXPECT_DOUBLE_EQ(md.reward_btc_per_block, subsidy + md.fees_btc_per_block);
    const double hashprice = md.reward_btc_per_block * 86400.0 * 1e15 / (4294967296.0 * md.difficulty);
    EXPECT_NEAR(md.hashprice_btc_per_ph_day, hashprice, 1e-12 * hashprice);
    EXPECT_DOUBLE_EQ(md.hashprice_usd_per_ph_day, md.hashprice_btc_per_ph_day * md.price_usd_per_btc);
    saw_halving = saw_halving || md.height >= 1'050'000;
  });
  EXPECT_TRUE(saw_halving);
}

// Fees revert to the calibrated stationary mean of the log: θ + p·μ_J/κ.
TEST(MarketModel, fees_revert_to_their_stationary_log_mean) {
  const MarketModel m = model_from(market_test_toml(""));
  std::vector<double> log_fees;
  simulate(m, 2000, 200, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
    if (d == 199) log_fees.push_back(std::log(md.fees_btc_per_block));
  });
  const Sample s = summarize(log_fees);
  EXPECT_NEAR(s.mean, m.fees.log_fees.stationary_mean(), 4 * s.se);
  EXPECT_NEAR(s.sd, std::sqrt(m.fees.log_fees.stationary_variance()), 0.1 * s.sd);
}

// Index power starts at the site's price and its log factor keeps a stationary mean of zero.
TEST(MarketModel, index_power_factor_is_centred_on_the_sites_price) {
  const MarketModel m = model_from(market_test_toml("", "2026-02-01", "index"));
  ASSERT_TRUE(m.has_energy_index);
  double shape_mean = 0;
  for (const double f : m.energy_hour_factor) shape_mean += f;
  EXPECT_NEAR(shape_mean / 24.0, 1.0, 1e-12);
  std::vector<double> log_factor;
  simulate(m, 2000, 60, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
    if (d == 0) {
      EXPECT_EQ(md.energy_factor, 1.0);
    }
    if (d == 59) log_factor.push_back(std::log(md.energy_factor));
  });
  const Sample s = summarize(log_factor);
  EXPECT_NEAR(s.mean, 0.0, 4 * s.se);
}

// The bootstrap resamples only returns before the start date: no look-ahead.
TEST(MarketModel, block_bootstrap_uses_only_history_before_the_start) {
  const std::string history = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
  const MarketModel m = model_from(
      market_test_toml("btc_price_model = \"block_bootstrap\"\nhistory = \"" + history + "\"", "2020-01-01"));
  ASSERT_EQ(m.price_model, PriceModel::kBlockBootstrap);
  const market::DailyHistory before = market::read_daily_history_csv(history, std::nullopt, *parse_date("2019-12-31"));
  EXPECT_EQ(m.bootstrap.log_returns, market::btc_log_returns(before));
  const market::DailyHistory all = market::read_daily_history_csv(history);
  EXPECT_LT(m.bootstrap.log_returns.size(), market::btc_log_returns(all).size());
}

// With a drift override the bootstrap sample is re-centred: (mean log return + variance / 2) × 365
// equals the stated drift, and the spread of the returns is unchanged.
TEST(MarketModel, block_bootstrap_is_recentred_on_an_overridden_drift) {
  const std::string history = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
  const MarketModel m = model_from(market_test_toml(
      "btc_price_model = \"block_bootstrap\"\nhistory = \"" + history + "\"\nbtc_price_drift_annual = 0.05", "2020-01-01"));
  const market::DailyHistory before = market::read_daily_history_csv(history, std::nullopt, *parse_date("2019-12-31"));
  const std::vector<double> original = market::btc_log_returns(before);
  const Sample recentred = summarize(m.bootstrap.log_returns);
  const Sample raw = summarize(original);
  EXPECT_NEAR((recentred.mean + 0.5 * recentred.sd * recentred.sd) * 365.0, 0.05, 1e-9);
  EXPECT_NEAR(recentred.sd, raw.sd, 1e-12);
}

TEST(MarketModel, rejects_what_it_cannot_run_naming_the_key) {
  // (A growth key of the other network model is refused by the reader, at its line:
  // ScenarioReader.a_growth_key_of_the_other_network_model_is_refused_at_its_line.)
  std::string text = market_test_toml("");
  text.replace(text.find(kCalibration), kCalibration.size(), "/nonexistent/calibration.toml");
  EXPECT_THROW((void)model_from(text), InputError);
}

// market.network_supply_share_annual replaces the calibration's supply share of the margin-driven
// network, and the description says so; on the same paths the network that orders nothing ends the
// year with less hashrate on average than the calibrated one, and the one that orders twice the
// calibrated share with more.
TEST(MarketModel, a_scenario_supply_share_replaces_the_calibrated_one) {
  const std::string margin = "hashrate_model = \"margin_driven\"\n";
  const MarketModel calibrated = model_from(market_test_toml(margin));
  const double share = calibrated.margin.params().supply_share_per_year;
  ASSERT_GT(share, 0.0);
  const MarketModel none = model_from(market_test_toml(margin + "network_supply_share_annual = 0"));
  const MarketModel doubled = model_from(market_test_toml(margin + fmt::format("network_supply_share_annual = {}", 2 * share)));
  EXPECT_EQ(none.margin.params().supply_share_per_year, 0.0);
  EXPECT_EQ(doubled.margin.params().supply_share_per_year, 2 * share);
  const auto says = [](const MarketModel& m, const std::string& text) {
    return std::any_of(m.description.begin(), m.description.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(says(none, "orders up to 0.00 of installed a year (scenario)"));
  EXPECT_FALSE(says(calibrated, "(scenario)"));
  constexpr std::uint32_t kPaths = 200, kDays = 366;
  const auto mean_log_growth = [&](const MarketModel& m) {
    double sum = 0;
    simulate(m, kPaths, kDays, [&](std::uint32_t, std::uint32_t d, const MarketDay& md) {
      if (d == kDays - 1) sum += std::log(md.network_hashrate_ths / m.network_hashrate_ths);
    });
    return sum / kPaths;
  };
  const double growth_none = mean_log_growth(none);
  const double growth_calibrated = mean_log_growth(calibrated);
  const double growth_doubled = mean_log_growth(doubled);
  EXPECT_LT(growth_none, growth_calibrated);
  EXPECT_LT(growth_calibrated, growth_doubled);
}

// market_growth gives, for each price model and both networks, the values that stated as their
// scenario keys leave the model as it is: the model built with them has the parameters of the
// model built without them (to rounding), and its description says the values came from the scenario.
TEST(MarketModel, its_growth_stated_as_the_scenario_keys_changes_nothing) {
  const std::string history = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
  const auto restated = [](const MarketGrowth& g) {
    std::string keys = fmt::format("btc_price_drift_annual = {:.17g}\n", g.btc_price_drift_annual);
    if (g.hashrate_drift_annual) keys += fmt::format("hashrate_drift_annual = {:.17g}\n", *g.hashrate_drift_annual);
    if (g.network_supply_share_annual)
      keys += fmt::format("network_supply_share_annual = {:.17g}\n", *g.network_supply_share_annual);
    return keys;
  };
  for (const std::string price_model : {"gbm", "jump_diffusion", "regime_switching", "block_bootstrap"}) {
    for (const std::string network : {"exogenous", "margin_driven"}) {
      const std::string lines = "btc_price_model = \"" + price_model + "\"\nhashrate_model = \"" + network + "\"\n" +
                                (price_model == "block_bootstrap" ? "history = \"" + history + "\"\n" : "");
      const MarketModel plain = model_from(market_test_toml(lines));
      const MarketGrowth growth = market_growth(plain);
      SCOPED_TRACE(price_model + ", " + network);
      ASSERT_EQ(growth.network_supply_share_annual.has_value(), network == "margin_driven");
      ASSERT_EQ(growth.hashrate_drift_annual.has_value(), network == "exogenous");
      const MarketModel stated = model_from(market_test_toml(lines + restated(growth)));
      EXPECT_TRUE(std::any_of(stated.description.begin(), stated.description.end(), [](const std::string& line) {
        return line.find("scenario") != std::string::npos;
      }));
      constexpr double kTolerance = 1e-12;
      EXPECT_NEAR(stated.gbm.mu_annual, plain.gbm.mu_annual, kTolerance);
      EXPECT_NEAR(stated.jump_diffusion.mu_annual, plain.jump_diffusion.mu_annual, kTolerance);
      EXPECT_NEAR(stated.regime_switching.bull_mu_annual, plain.regime_switching.bull_mu_annual, kTolerance);
      EXPECT_NEAR(stated.regime_switching.bear_mu_annual, plain.regime_switching.bear_mu_annual, kTolerance);
      ASSERT_EQ(stated.bootstrap.log_returns.size(), plain.bootstrap.log_returns.size());
      for (std::size_t i = 0; i < plain.bootstrap.log_returns.size(); ++i)
        ASSERT_NEAR(stated.bootstrap.log_returns[i], plain.bootstrap.log_returns[i], kTolerance) << i;
      EXPECT_NEAR(stated.hashrate.drift_per_day, plain.hashrate.drift_per_day, kTolerance);
      EXPECT_NEAR(stated.margin.params().supply_share_per_year, plain.margin.params().supply_share_per_year, kTolerance);
    }
  }
  // Against the calibration file itself: the margin-driven network's share, and GBM's mu.
  const market::Calibration calibration = io::read_calibration_toml(kCalibration);
  const MarketGrowth gbm_margin = market_growth(model_from(market_test_toml("btc_price_model = \"gbm\"\nhashrate_model = \"margin_driven\"\n")));
  EXPECT_EQ(*gbm_margin.network_supply_share_annual,
            market::report_parameter(calibration.report("hashrate", "margin_driven"), "supply_share_per_year"));
  EXPECT_EQ(gbm_margin.btc_price_drift_annual, market::report_parameter(calibration.report("btc_price", "gbm"), "mu_annual"));
}

// A calibration whose GBM volatility is negative: the process builder rejects the parameter, and the
// error names the calibration file and the parameter's key in it.
TEST(MarketModel, a_bad_calibration_parameter_names_the_file_and_its_key) {
  std::stringstream original;
  original << std::ifstream(kCalibration).rdbuf();
  std::string calibration = original.str();
  const std::string section = "[market.btc_price.gbm]\nmu_annual = ";
  const std::size_t at = calibration.find("sigma_annual = ", calibration.find(section));
  ASSERT_NE(at, std::string::npos);
  calibration.insert(at + std::string("sigma_annual = ").size(), "-");
  const auto path =
      std::filesystem::temp_directory_path() / ("market_model_test_calibration_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << calibration;
  std::string text = market_test_toml("btc_price_model = \"gbm\"");
  text.replace(text.find(kCalibration), kCalibration.size(), path.string());
  try {
    (void)model_from(text);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path.string());
    EXPECT_EQ(e.field(), "market.btc_price.gbm.sigma_annual");
  }
  std::filesystem::remove(path);
}

// The network's daily log shock above network::kMaxSigmaPerDay is refused by name (the calibration
// reader's fuzzer found sigma_per_day = 561 for the margin-driven fleet: its hashrate overflowed within
// days and the block count's Poisson mean was NaN; tests/fuzz_regressions/calibration_reader/); at the
// bound the margin-driven market runs the longest horizon, ten years, with every value finite (its
// network may die there: core/plausibility.hpp warns far below the bound).
TEST(MarketModel, a_network_shock_a_double_cannot_follow_is_refused_and_the_bound_runs_ten_years) {
  std::stringstream original;
  original << std::ifstream(kCalibration).rdbuf();
  const auto path = std::filesystem::temp_directory_path() /
                    ("market_model_test_network_sigma_" + std::to_string(::getpid()) + ".toml");
  // The calibration with `key` of [market.hashrate.MODEL] set to `value`, as the scenario's calibration.
  const auto model_with = [&](const std::string& model, const std::string& key, const std::string& value) {
    std::string calibration = original.str();
    const std::size_t section = calibration.find("[market.hashrate." + model + "]\n");
    const std::size_t at = calibration.find("\n" + key + " = ", section);
    EXPECT_NE(section, std::string::npos);
    EXPECT_NE(at, std::string::npos);
    const std::size_t from = at + key.size() + 4, to = calibration.find('\n', from);
    calibration.replace(from, to - from, value);
    std::ofstream(path) << calibration;
    std::string text = market_test_toml(model == "margin_driven" ? "hashrate_model = \"margin_driven\"" : "");
    text.replace(text.find(kCalibration), kCalibration.size(), path.string());
    return model_from(text);
  };
  const auto refused = [&](const std::string& model, const std::string& key, const std::string& value) {
    try {
      (void)model_with(model, key, value);
      ADD_FAILURE() << "no error for " << key << " = " << value;
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), path.string());
      EXPECT_EQ(e.field(), "market.hashrate." + model + "." + key);
    }
  };
  refused("margin_driven", "sigma_per_day", "561.0039891854775796");
  refused("margin_driven", "sigma_per_day", "0.2500001");
  refused("margin_driven", "sigma_per_day", "nan");
  refused("exogenous", "sigma_annual", "4.78");  // 0.2501 a day
  refused("exogenous", "sigma_annual", "-0.3");
  EXPECT_NO_THROW((void)model_with("exogenous", "sigma_annual", "4.77"));
  const MarketModel at_bound = model_with("margin_driven", "sigma_per_day", "0.25");
  ASSERT_EQ(at_bound.margin.params().sigma_per_day, network::kMaxSigmaPerDay);
  constexpr std::uint32_t kPaths = 64, kTenYears = 3652;
  double largest_log_change = 0;
  simulate(at_bound, kPaths, kTenYears, [&](std::uint32_t p, std::uint32_t d, const MarketDay& md) {
    ASSERT_TRUE(std::isfinite(md.network_hashrate_ths) && md.network_hashrate_ths >= 0) << "path " << p << " day " << d;
    ASSERT_TRUE(std::isfinite(md.difficulty) && md.difficulty > 0) << "path " << p << " day " << d;
    ASSERT_TRUE(std::isfinite(md.hashprice_usd_per_ph_day)) << "path " << p << " day " << d;
    if (md.network_hashrate_ths > 0)
      largest_log_change =
          std::max(largest_log_change, std::abs(std::log(md.network_hashrate_ths / at_bound.network_hashrate_ths)));
  });
  EXPECT_GT(largest_log_change, 5.0) << "the shocks at the bound move the network far";
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace hashpivot::model
