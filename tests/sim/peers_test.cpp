// run_peers: firms of different scenarios on the same markets. The reference for each firm is its
// own scenario run alone (run_simulation), which the other simulation tests check against hand
// computations: a firm's statistics must be those bits, whatever the other firms and threads.

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/peers.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "support/test_peers.hpp"

namespace hashpivot::sim {
namespace {

using testing::firm_a_toml;
using testing::firm_b_toml;


void expect_same_bits(double a, double b, const std::string& what) {
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b)) << what << ": " << a << " vs " << b;
}

/// Everything a firm's row holds that does not depend on which other firms run beside it (the
/// paired differences do): as bytes, equal bytes are equal bits.
std::vector<std::byte> own_statistics(const RunResult& r, std::size_t k) {
  const StrategyStatistics& s = r.strategies[k];
  stats::ByteWriter out;
  s.defaulted.serialize(out);
  s.default_month.serialize(out);
  s.npv_usd.serialize(out);
  s.npv_quantiles.serialize(out);
  s.npv_worst.serialize(out);
  s.btc_mined.serialize(out);
  s.btc_held_end.serialize(out);
  s.ebitda_usd_per_year.serialize(out);
  s.btc_sold.serialize(out);
  s.npv_per_share_usd.serialize(out);
  s.survivor_net_worth_quantiles.serialize(out);
  s.effective_ph_days.serialize(out);
  return out.bytes();
}

TEST(Peers, a_firm_in_a_peer_run_has_the_bits_of_its_own_run) {
  const firm::Scenario a = testing::read_test_scenario("peers_a.toml", firm_a_toml());
  const firm::Scenario b = testing::read_test_scenario("peers_b.toml", firm_b_toml());
  const std::vector<firm::Scenario> both{a, b};
  const model::MarketModel peer_market = io::load_peer_market_model(both);
  EXPECT_TRUE(peer_market.has_energy_index);  // firm A's index site, though firm B's own market has none
  // Firm A's second strategy and firm B's first, on 600 paths (three blocks, the last partial).
  const std::vector<RunFirm> firms{{&both[0], 1, "a:convert"}, {&both[1], 0, "b"}};
  const RunOptions options{600, 11, 2, {}};
  const RunResult peers = run_peers("peer group", firms, peer_market, options);
  ASSERT_EQ(peers.strategies.size(), 2u);
  EXPECT_EQ(peers.strategies[0].name, "a:convert");
  EXPECT_EQ(peers.scenario_name, "peer group");

  const RunResult alone_a = run_simulation(a, io::load_market_model(a), options);
  const model::MarketModel market_b = io::load_market_model(b);
  EXPECT_FALSE(market_b.has_energy_index);
  const RunResult alone_b = run_simulation(b, market_b, options);
  EXPECT_TRUE(own_statistics(peers, 0) == own_statistics(alone_a, 1)) << "firm A's convert";
  EXPECT_TRUE(own_statistics(peers, 1) == own_statistics(alone_b, 0)) << "firm B";
  for (const std::size_t month : {0u, 11u, 23u}) {
    for (std::size_t series = 0; series < static_cast<std::size_t>(FirmSeries::kCount); ++series) {
      expect_same_bits(peers.firm_series.moments(0, month, series).mean(),
                       alone_a.firm_series.moments(1, month, series).mean(), "A's firm series");
      expect_same_bits(peers.firm_series.moments(1, month, series).mean(),
                       alone_b.firm_series.moments(0, month, series).mean(), "B's firm series");
    }
    expect_same_bits(peers.accounts.at(1, month, &firm::DayAccounts::mining_revenue_usd).mean(),
                     alone_b.accounts.at(0, month, &firm::DayAccounts::mining_revenue_usd).mean(), "B's revenue");
    expect_same_bits(peers.market_series.quantile(0, month, 0, 0.5), alone_b.market_series.quantile(0, month, 0, 0.5),
                     "the BTC price's median");
  }
  // The shared markets make the paired difference between the firms exact per path: its mean is
  // the difference of the means (to rounding), and each firm against itself is 0.
  const double paired = peers.strategies[0].npv_vs_each.against(1).difference().mean();
  EXPECT_NEAR(paired, peers.strategies[0].npv_usd.mean() - peers.strategies[1].npv_usd.mean(),
              1e-6 * std::abs(peers.strategies[0].npv_usd.mean()));
  EXPECT_EQ(peers.strategies[1].npv_vs_each.against(1).difference().mean(), 0.0);
  // B's PPLNS luck is live (its mined BTC varies across paths beyond the fixed-fleet FPPS spread).
  EXPECT_GT(peers.strategies[1].btc_mined.variance(), 0.0);
}

TEST(Peers, a_peer_run_is_bit_identical_for_any_thread_count) {
  const firm::Scenario a = testing::read_test_scenario("peers_threads_a.toml", firm_a_toml());
  const firm::Scenario b = testing::read_test_scenario("peers_threads_b.toml", firm_b_toml());
  const std::vector<firm::Scenario> both{a, b};
  const model::MarketModel market = io::load_peer_market_model(both);
  const std::vector<RunFirm> firms{{&both[1], 0, "b"}, {&both[0], 0, "a"}, {&both[0], 1, "a:convert"}};
  const RunResult one = run_peers("g", firms, market, {700, 5, 1, {}});
  for (const unsigned threads : {2u, 3u}) {
    const RunResult many = run_peers("g", firms, market, {700, 5, threads, {}});
    for (std::size_t k = 0; k < firms.size(); ++k) {
      EXPECT_TRUE(own_statistics(one, k) == own_statistics(many, k)) << firms[k].label << ", " << threads << " threads";
      expect_same_bits(one.strategies[k].npv_vs_each.against(0).difference().mean(),
                       many.strategies[k].npv_vs_each.against(0).difference().mean(), "paired");
    }
  }
}

}  // namespace
}  // namespace hashpivot::sim
