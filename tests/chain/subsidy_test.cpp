#include "hashpivot/chain/subsidy.hpp"

#include <gtest/gtest.h>

#include "chain/mainnet_history.hpp"
#include "hashpivot/core/csv.hpp"

namespace hashpivot::chain {
namespace {

using testing::columns;
using testing::data_path;

struct SubsidyVector {
  std::string kind;
  std::int64_t height;
  std::int64_t expected_sat;
};

std::vector<SubsidyVector> load_subsidy_vectors() {
  auto reader = csv::Reader::open(data_path("chain/bitcoin_core_subsidy_vectors.csv"));
  const auto [kind, height, expected] =
      columns(reader, {"kind", "height", "expected_subsidy_sat"});
  std::vector<SubsidyVector> out;
  csv::Row row;
  while (reader.next(row))
    out.push_back({std::string(row.text(kind)), row.empty(height) ? -1 : row.as_int64(height), row.as_int64(expected)});
  return out;
}

std::int64_t vector_value(const std::string& kind) {
  for (const auto& v : load_subsidy_vectors())
    if (v.kind == kind) return v.expected_sat;
  ADD_FAILURE() << "no vector of kind " << kind;
  return -1;
}

TEST(Subsidy, matches_bitcoin_core_at_every_halving_boundary) {
  const ConsensusParams mainnet = ConsensusParams::mainnet();
  ConsensusParams regtest = mainnet;
  regtest.subsidy_halving_interval_blocks = 150;
  int checked = 0;
  for (const auto& v : load_subsidy_vectors()) {
    if (v.kind == "halving_boundary") {
      EXPECT_EQ(block_subsidy_sat(v.height, mainnet), v.expected_sat) << "height " << v.height;
      ++checked;
    } else if (v.kind == "halving_boundary_regtest") {
      EXPECT_EQ(block_subsidy_sat(v.height, regtest), v.expected_sat) << "regtest height " << v.height;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 66);  // 65 mainnet boundaries (k = 0…64) and one regtest case
}

TEST(Subsidy, is_zero_after_64_halvings_and_halves_just_after_each_boundary) {
  const ConsensusParams params = ConsensusParams::mainnet();
  EXPECT_EQ(block_subsidy_sat(64 * 210'000, params), 0);
  EXPECT_EQ(block_subsidy_sat(64 * 210'000 - 1, params), 0);  // 50 BTC >> 63 is already 0 sat
  EXPECT_EQ(block_subsidy_sat(209'999, params), 50 * kSatPerBtc);
  EXPECT_EQ(block_subsidy_sat(840'000, params), 312'500'000);
  EXPECT_EQ(block_subsidy_sat(1'050'000, params), 156'250'000);
}

TEST(Subsidy, bitcoin_core_subsidy_limit_sum_over_every_thousandth_height) {
  // validation_tests.cpp subsidy_limit_test: Σ subsidy(h)·1000 for h = 0, 1000, …, 13,999,000.
  const ConsensusParams params = ConsensusParams::mainnet();
  std::int64_t sum = 0;
  for (std::int64_t height = 0; height < 14'000'000; height += 1000) sum += block_subsidy_sat(height, params) * 1000;
  EXPECT_EQ(sum, vector_value("subsidy_limit_sum"));
}

TEST(Subsidy, total_issuance_over_every_height_is_2099999997690000_sat) {
  const ConsensusParams params = ConsensusParams::mainnet();
  std::int64_t total = 0;
  for (std::int64_t height = 0; height < 64 * 210'000; ++height) total += block_subsidy_sat(height, params);
  EXPECT_EQ(total, vector_value("max_money_total_exact"));
  EXPECT_EQ(total, 2'099'999'997'690'000);
}

TEST(Halvings, next_halving_after_the_fourth_is_at_1050000_dated_by_the_block_interval) {
  const ConsensusParams params = ConsensusParams::mainnet();
  // Block 840,000 was mined at 1713571767 (2024-04-20 00:09:27 UTC).
  const auto halvings = next_halvings(840'000, 1713571767, 600, 3, params);
  ASSERT_EQ(halvings.size(), 3u);
  EXPECT_EQ(halvings[0].index, 5);
  EXPECT_EQ(halvings[0].height, 1'050'000);
  EXPECT_EQ(halvings[0].subsidy_sat, 156'250'000);
  EXPECT_EQ(halvings[0].est_time_unix, 1713571767 + 210'000 * 600);
  EXPECT_EQ(halvings[2].height, 1'470'000);
  EXPECT_EQ(halvings[2].subsidy_sat, 39'062'500);
}

TEST(Halvings, a_block_on_the_boundary_lists_the_next_one_not_itself) {
  const auto halvings = next_halvings(630'000, 0, 600, 1, ConsensusParams::mainnet());
  EXPECT_EQ(halvings.at(0).height, 840'000);
}

}  // namespace
}  // namespace hashpivot::chain
