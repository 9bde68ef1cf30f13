// The keyword tables of the scenario (firm/scenario.hpp): each maps every value of its enum to one
// keyword and back, and the enums' defaults are the scenario file's.

#include "hashpivot/firm/scenario.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <set>
#include <string_view>

namespace hashpivot::firm {
namespace {

// Each table maps every value of its enum (0 … size − 1, in order) to a distinct keyword, and back.
template <class E>
void expect_complete_table() {
  const auto table = keywords(E{});
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].value), i) << table[i].keyword;
    EXPECT_TRUE(seen.insert(table[i].keyword).second) << table[i].keyword;
    EXPECT_EQ(keyword(table[i].value), table[i].keyword);
    EXPECT_EQ(parse_keyword<E>(table[i].keyword), table[i].value);
  }
  EXPECT_EQ(keyword(static_cast<E>(table.size())), "?");
  EXPECT_FALSE(parse_keyword<E>("no such keyword").has_value());
}

TEST(ScenarioKeywords, every_table_covers_its_enum_once_and_round_trips) {
  expect_complete_table<PriceModel>();
  expect_complete_table<HashrateModel>();
  expect_complete_table<PowerContract>();
  expect_complete_table<DebtKind>();
  expect_complete_table<Amortization>();
  expect_complete_table<SellPolicy>();
  expect_complete_table<CurtailPolicy>();
  expect_complete_table<PivotPolicy>();
  expect_complete_table<SaleUse>();
  EXPECT_EQ(keyword(PriceModel::kBlockBootstrap), "block_bootstrap");
  EXPECT_EQ(parse_keyword<DebtKind>("btc_backed"), DebtKind::kBtcBacked);
}

// The enums' zero values are the scenario file's defaults, so a scenario built in code starts from
// what a file that omits the keys would read (docs/scenario.md), except the price model, whose
// documented default is jump_diffusion.
TEST(ScenarioKeywords, a_scenario_built_in_code_starts_from_the_documented_defaults) {
  const Strategy st{};
  EXPECT_EQ(st.sell_policy, SellPolicy::kHold);
  EXPECT_EQ(st.curtail_policy, CurtailPolicy::kNever);
  EXPECT_EQ(st.pivot_policy, PivotPolicy::kNone);
  EXPECT_EQ(Site{}.power_contract, PowerContract::kFixed);
  EXPECT_EQ(Debt{}.amortization, Amortization::kBullet);
  EXPECT_EQ(OneOffSale{}.use, SaleUse::kCash);
  EXPECT_EQ(MarketSetup{}.btc_price_model, PriceModel::kJumpDiffusion);
  EXPECT_EQ(MarketSetup{}.hashrate_model, HashrateModel::kExogenous);
}

}  // namespace
}  // namespace hashpivot::firm
