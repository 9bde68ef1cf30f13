// io/peers: a peer group's scenarios must share their markets; its arguments name firms.

#include "hashpivot/io/peers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_peers.hpp"

namespace hashpivot::io {
namespace {

using testing::firm_a_toml;
using testing::firm_b_toml;

TEST(PeerScenarios, a_different_start_date_or_market_is_a_located_error) {
  const firm::Scenario a = testing::read_test_scenario("peers_check_a.toml", firm_a_toml());
  const auto expect_error = [&](const std::string& text, const std::string& key) {
    const std::filesystem::path path = testing::write_temp_file("peers_check_b.toml", text);
    const firm::Scenario b = read_scenario(path.string());
    const std::vector<firm::Scenario> both{a, b};
    try {
      check_peer_scenarios(both);
      ADD_FAILURE() << "no error for " << key;
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), path.string());
      EXPECT_EQ(e.field(), key);
      EXPECT_GT(e.line(), 0u) << key;  // the key's own line in the later file
      EXPECT_NE(e.problem().find(a.source), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
  };
  expect_error(firm_b_toml("2026-03-01"), "scenario.start_date");
  expect_error(firm_b_toml("2026-02-01", "btc_price_model = \"gbm\""), "market.btc_price_model");
  std::string other_price = firm_b_toml();
  other_price.replace(other_price.find("btc_price_usd = 78702.39"), 24, "btc_price_usd = 80000");
  expect_error(other_price, "market.btc_price_usd");
  // The same markets pass, whatever the firms.
  const firm::Scenario b = testing::read_test_scenario("peers_check_ok.toml", firm_b_toml());
  const std::vector<firm::Scenario> both{a, b};
  EXPECT_NO_THROW(check_peer_scenarios(both));
}

TEST(PeerScenarios, arguments_name_a_strategy_and_a_firm_listed_twice_is_an_error) {
  const PeerArgument plain = parse_peer_argument("scenarios/peers/mara.toml");
  EXPECT_EQ(plain.path, "scenarios/peers/mara.toml");
  EXPECT_EQ(plain.strategy, "");
  EXPECT_EQ(plain.label, "mara");
  const PeerArgument named = parse_peer_argument("scenarios/cango.toml:sell_4451_repay_ai");
  EXPECT_EQ(named.path, "scenarios/cango.toml");
  EXPECT_EQ(named.strategy, "sell_4451_repay_ai");
  EXPECT_EQ(named.label, "cango:sell_4451_repay_ai");
  const std::vector<std::string> twice{"a/x.toml", "b/x.toml"};
  EXPECT_THROW((void)parse_peer_arguments(twice), InputError);
  const std::vector<std::string> two_strategies{"x.toml:hold", "x.toml:sell"};
  EXPECT_EQ(parse_peer_arguments(two_strategies).size(), 2u);
  const firm::Scenario a = testing::read_test_scenario("peers_strategy.toml", firm_a_toml());
  EXPECT_EQ(peer_strategy_index(a, "convert"), 1u);
  EXPECT_EQ(peer_strategy_index(a, ""), 0u);
  EXPECT_THROW((void)peer_strategy_index(a, "nope"), InputError);
}

}  // namespace
}  // namespace hashpivot::io
