// The firm's day on a block of paths (step_day_lanes) against step_day on each path alone: the same
// bits, lane by lane, day by day, on random firms whose lanes see different markets.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "support/random_firm.hpp"

namespace hashpivot::firm {
namespace {

using lanes::kLanes;
using lanes::Lanes;
using namespace test_firms;

constexpr int kDays = 3 * 365;

// A random firm of `seed` that steps in lanes: no revolver and a pivot on a date, not a trigger. Two
// seeds in three have shares, and of those one in two an ATM programme that raises from a date and
// covers shortfalls before or after the BTC (with floors and a day's cap that bind on some days).
Scenario lane_scenario(std::uint64_t seed) {
  Scenario s = random_case(seed, 1).scenario;
  s.debts.erase(s.debts.begin() + 2);  // the revolver
  if (s.strategies[0].pivot_policy == PivotPolicy::kTrigger) s.strategies[0].pivot_policy = PivotPolicy::kSchedule;
  if (seed % 3 != 0) {
    s.equity.shares_outstanding = 2e8 + 1e7 * static_cast<double>(seed % 7);
    s.equity.nav_multiple = 0.8 + 0.1 * static_cast<double>(seed % 5);
    s.equity.daily_volume_shares = 3e6;
  }
  if (seed % 3 == 1) {
    AtmProgramme atm{};
    atm.date = kStart + static_cast<int>(30 * (seed % 11));
    atm.size_usd = 1e8 + 2e7 * static_cast<double>(seed % 4);
    atm.raise_usd = seed % 2 == 0 ? 0.0 : 0.4 * atm.size_usd;
    atm.max_volume_share = 0.1 + 0.05 * static_cast<double>(seed % 3);
    atm.discount = 0.01 * static_cast<double>(seed % 3);
    atm.fee = 0.03;
    atm.floor_usd_per_share = 0.1 * static_cast<double>(seed % 4);
    atm.min_market_cap_usd = seed % 5 == 0 ? 5e7 : 0.0;
    atm.remedy = seed % 4 < 2 ? AtmRemedy::kAfterBtc : AtmRemedy::kBeforeBtc;
    s.strategies[0].atm = atm;
  }
  return s;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// Each copy of the block step this build has (lanes::InstructionSet), where this processor runs it.
class LaneStepOn : public testing::TestWithParam<lanes::InstructionSet> {};

TEST_P(LaneStepOn, a_block_of_paths_gives_each_path_the_bits_of_its_day_alone) {
  const lanes::InstructionSet set = GetParam();
  if (!lane_instruction_set_available(set)) GTEST_SKIP() << "no copy for " << name_of(set) << " here";
  int days_in_lanes = 0, days_by_lane = 0, defaults = 0, lane_defaults_while_others_run = 0, big_sales = 0;
  int equity_days = 0;
  for (std::uint64_t seed = 1; seed <= 48; ++seed) {
    const Scenario scenario = lane_scenario(seed);
    FirmPlan plan = make_plan(scenario, 0);
    // Market impact: none, Cango's (the cover sale's series), or strong enough that some sales take
    // Newton's steps.
    plan.sale_impact_per_sqrt_btc = seed % 3 == 0 ? 2e-3 : seed % 3 == 1 ? 5e-5 : 0.0;
    ASSERT_TRUE(steps_in_lanes(plan)) << "seed " << seed;
    // Each lane its own market (another random case's series), tenant and pool luck.
    std::vector<RandomCase> markets;
    for (std::size_t l = 0; l < kLanes; ++l) markets.push_back(random_case(1000 * seed + l, kDays));
    std::vector<FirmState> paths(kLanes, make_state(plan));
    for (std::size_t l = 0; l < kLanes; ++l) {
      for (SiteState& site : paths[l].sites)
        site.tenant_default_after_days = l % 3 == 0 ? kTenantNeverDefaults : 60 + 90 * static_cast<int>(l);
      paths[l].nav_multiple *= 0.7 + 0.2 * static_cast<double>(l);  // each path its own NAV multiple
    }
    LaneState block = lane_state_of(paths[0]);
    for (std::size_t l = 0; l < kLanes; ++l) set_lane(block, l, paths[l]);
    LaneState scratch = block;
    FirmState path_scratch = make_state(plan);
    DayAccounts path_day{};
    LaneAccounts block_day{};
    std::array<DayAccounts, kLanes> expected{};
    std::array<DayMarket, kLanes> day_markets{};
    lanes::LaneVector power(2);  // per site
    for (int day = 0; day < kDays; ++day) {
      LaneMarket m{};
      for (std::size_t l = 0; l < kLanes; ++l) {
        DayMarket dm = market_of(markets[l], static_cast<std::size_t>(day));
        dm.hourly_power_usd_per_mwh = {};
        if (seed % 2 == 0) dm.pool_luck = 0.9 + 0.025 * static_cast<double>(l);
        day_markets[l] = dm;
        m.price_usd_per_btc[l] = dm.price_usd_per_btc;
        m.hashprice_btc_per_ph_day[l] = dm.hashprice_btc_per_ph_day;
        m.hashprice_usd_per_ph_day[l] = dm.hashprice_usd_per_ph_day;
        m.pool_luck[l] = dm.pool_luck;
        for (std::size_t k = 0; k < power.size(); ++k) power[k][l] = dm.power_usd_per_mwh[k];
      }
      m.power_usd_per_mwh = power;
      int solvent = 0;
      for (std::size_t l = 0; l < kLanes; ++l) {
        solvent += !paths[l].defaulted;
        step_day(plan, day, day_markets[l], paths[l], expected[l]);
      }
      if (step_day_lanes(plan, day, m, block, block_day, scratch, path_scratch, path_day, set)) {
        ++days_in_lanes;
        if (solvent > 0 && solvent < static_cast<int>(kLanes)) ++lane_defaults_while_others_run;
      } else {
        ++days_by_lane;
        step_day_by_lane(plan, day, day_markets, block, block_day, path_scratch, path_day);
      }
      for (std::size_t l = 0; l < kLanes; ++l) {
        get_lane(block_day, l, path_day);
        for (const DayAccountsField& field : kDayAccountsFields)
          ASSERT_EQ(bits(path_day.*field.member), bits(expected[l].*field.member))
              << field.name << ", seed " << seed << " lane " << l << " day " << day;
        ASSERT_EQ(path_day.defaulted_today, expected[l].defaulted_today);
        defaults += path_day.defaulted_today;
        big_sales += path_day.btc_sold > 100;
        equity_days += path_day.shares_issued > 0;
        get_lane(block, l, path_scratch);
        const FirmState& want = paths[l];
        ASSERT_EQ(bits(path_scratch.cash_usd), bits(want.cash_usd)) << "seed " << seed << " lane " << l << " day " << day;
        ASSERT_EQ(bits(path_scratch.free_btc), bits(want.free_btc));
        ASSERT_EQ(path_scratch.debts, want.debts);
        ASSERT_EQ(path_scratch.fleet, want.fleet);
        ASSERT_EQ(path_scratch.sites, want.sites);
        ASSERT_EQ(bits(path_scratch.ppe_book_usd), bits(want.ppe_book_usd));
        ASSERT_EQ(bits(path_scratch.retained_earnings_usd), bits(want.retained_earnings_usd));
        ASSERT_EQ(bits(path_scratch.paid_in_capital_usd), bits(want.paid_in_capital_usd));
        ASSERT_EQ(bits(path_scratch.btc_mark_price_usd), bits(want.btc_mark_price_usd));
        ASSERT_EQ(bits(path_scratch.trailing_ebitda_usd_per_day), bits(want.trailing_ebitda_usd_per_day));
        ASSERT_EQ(bits(path_scratch.share_price_usd), bits(want.share_price_usd));
        ASSERT_EQ(bits(path_scratch.shares_outstanding), bits(want.shares_outstanding));
        ASSERT_EQ(bits(path_scratch.atm_sold_usd), bits(want.atm_sold_usd));
        ASSERT_EQ(path_scratch.defaulted, want.defaulted);
        ASSERT_EQ(path_scratch.default_day, want.default_day);
      }
    }
  }
  std::printf("days in lanes %d, path by path %d; defaults %d; days in lanes with some lanes defaulted %d; "
              "sales over 100 BTC %d; days shares were issued %d\n",
              days_in_lanes, days_by_lane, defaults, lane_defaults_while_others_run, big_sales, equity_days);
  // The blocks took both ways, and the lanes' way with defaulted and solvent lanes side by side.
  EXPECT_GT(days_in_lanes, 2 * days_by_lane);
  EXPECT_GT(days_by_lane, 0);
  EXPECT_GT(defaults, 0);
  EXPECT_GT(lane_defaults_while_others_run, 0);
  EXPECT_GT(equity_days, 0);
}

INSTANTIATE_TEST_SUITE_P(Copies, LaneStepOn,
                         testing::Values(lanes::InstructionSet::kBaseline, lanes::InstructionSet::kAvx2,
                                         lanes::InstructionSet::kAvx512),
                         [](const testing::TestParamInfo<lanes::InstructionSet>& param) {
                           return std::string(name_of(param.param));
                         });

// The flags Linux reads from the processor (/proc/cpuinfo), an account independent of libgcc's.
std::set<std::string> cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
  }
  return {};
}

// A copy is taken only where the processor has every instruction set its level of x86-64 names (the
// psABI's x86-64-v3 and -v4), and, in GCC's build for x86-64, wherever it has them.
TEST(LaneStep, a_copy_runs_exactly_where_the_processor_has_its_instruction_sets) {
  const std::set<std::string> flags = cpu_flags();
  if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags here";
  const auto has_all = [&](std::initializer_list<const char*> names) {
    return std::all_of(names.begin(), names.end(), [&](const char* n) { return flags.count(n) > 0; });
  };
  const bool v3 = has_all({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"});
  const bool v4 = v3 && has_all({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"});
  EXPECT_TRUE(lane_instruction_set_available(lanes::InstructionSet::kBaseline));
  if (lane_instruction_set_available(lanes::InstructionSet::kAvx2)) {
    EXPECT_TRUE(v3);
  }
  if (lane_instruction_set_available(lanes::InstructionSet::kAvx512)) {
    EXPECT_TRUE(v4);
  }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  EXPECT_EQ(lane_instruction_set_available(lanes::InstructionSet::kAvx2), v3);
  EXPECT_EQ(lane_instruction_set_available(lanes::InstructionSet::kAvx512), v4);
  EXPECT_EQ(widest_lane_instruction_set(), v4   ? lanes::InstructionSet::kAvx512
                                           : v3 ? lanes::InstructionSet::kAvx2
                                                : lanes::InstructionSet::kBaseline);
#endif
}

// Each rule that has no form over lanes keeps its plan out of them.
TEST(LaneStep, plans_with_rules_that_have_no_lane_form_are_stepped_path_by_path) {
  const Scenario base = lane_scenario(1);
  ASSERT_TRUE(steps_in_lanes(make_plan(base, 0)));
  const auto refused = [&](auto change) {
    Scenario s = base;
    change(s);
    return !steps_in_lanes(make_plan(s, 0));
  };
  EXPECT_TRUE(refused([](Scenario& s) { s.debts.push_back(random_case(1, 1).scenario.debts[2]); }));  // a revolver
  EXPECT_TRUE(refused([](Scenario& s) { s.debts[0].covenant_min_cash_usd = 1e6; }));
  EXPECT_TRUE(refused([](Scenario& s) { s.strategies[0].pivot_policy = PivotPolicy::kTrigger; }));
  EXPECT_TRUE(refused([](Scenario& s) { s.sites[0].take_or_pay_fraction = 0.5; }));
  // An ATM programme and the share price it reads have a lane form (lane_scenario's seed 1 has one).
  EXPECT_TRUE(base.strategies[0].atm.has_value());
}

}  // namespace
}  // namespace hashpivot::firm
