// The bundled history's DiffMean against the exact per-epoch difficulty (data/chain/btc_difficulty_epochs.csv)
// on every day where both exist, and the chain state read back from the daily heights.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/chain_history.hpp"

namespace {

using namespace hashpivot;

const std::string kData = HASHPIVOT_TEST_DATA_DIR;

struct Bundled {
  market::DailyHistory history =
      market::read_daily_history_csv(kData + "/history/btc_daily_history_coinmetrics_format.csv");
  network::ChainHistory chain = network::read_chain_history(kData + "/history/btc_daily_heights.csv",
                                                            kData + "/chain/btc_difficulty_epochs.csv");
};

const Bundled& bundled() {
  static const Bundled b;
  return b;
}

// The exact difficulty of each epoch, from its compact bits (the table's decimal column has 8 decimals, too few for
// the difficulties near 1 of 2009-2010).
std::vector<double> epoch_difficulties() {
  std::vector<double> out;
  for (const network::EpochRecord& e : bundled().chain.epochs) out.push_back(e.difficulty);
  return out;
}

// Relative tolerance: DiffMean is written with 15 significant digits.
constexpr double kRelative = 1e-13;

TEST(HistoryDifficulty, diffmean_equals_the_mean_epoch_difficulty_of_the_days_heights_on_every_day) {
  const Bundled& b = bundled();
  const std::vector<double> difficulty = epoch_difficulties();
  int compared = 0;
  for (std::size_t i = 0; i < b.chain.last_height.size(); ++i) {
    const std::int64_t first = b.chain.first_height[i], last = b.chain.last_height[i];
    if (last == network::ChainHistory::kUnknownHeight || last >= static_cast<std::int64_t>(difficulty.size()) * 2016)
      continue;
    const DayNumber day = b.chain.first_day + static_cast<DayNumber>(i);
    const auto index = b.history.index_of(day);
    ASSERT_TRUE(index.has_value()) << format_date(day);
    const double diff_mean = b.history.difficulty[*index];
    ASSERT_TRUE(market::is_known(diff_mean)) << format_date(day) << ": heights known but DiffMean empty";
    double sum = 0;  // brute force over the day's blocks
    for (std::int64_t h = first; h <= last; ++h) sum += difficulty[static_cast<std::size_t>(h / 2016)];
    const double expected = sum / static_cast<double>(last - first + 1);
    EXPECT_NEAR(diff_mean, expected, kRelative * expected) << format_date(day);
    ++compared;
  }
  EXPECT_GT(compared, 6000);
}

// Days without heights carry a DiffMean only where one epoch is certain: then it is exactly that epoch's
// difficulty (scripts/derive-history.py, rule 3); elsewhere it is empty, never carried forward.
TEST(HistoryDifficulty, days_without_heights_hold_an_exact_epoch_difficulty_or_nothing) {
  const Bundled& b = bundled();
  const std::vector<double> difficulty = epoch_difficulties();
  std::map<double, std::size_t> epoch_of;
  for (std::size_t e = 0; e < difficulty.size(); ++e) epoch_of.emplace(difficulty[e], e);
  int derived = 0, empty = 0;
  for (std::size_t i = 0; i < b.history.days(); ++i) {
    const DayNumber day = b.history.day(i);
    const auto ci = static_cast<std::int64_t>(day) - b.chain.first_day;
    const bool heights_known = ci >= 0 && ci < static_cast<std::int64_t>(b.chain.last_height.size()) &&
                               b.chain.last_height[static_cast<std::size_t>(ci)] != network::ChainHistory::kUnknownHeight;
    if (heights_known || day < *parse_date("2016-01-01")) continue;
    const double d = b.history.difficulty[i];
    if (!market::is_known(d)) {
      ++empty;
      continue;
    }
    ++derived;
    const auto it = epoch_of.lower_bound(d * (1 - kRelative));
    ASSERT_TRUE(it != epoch_of.end() && std::abs(it->first - d) <= kRelative * d)
        << format_date(day) << ": DiffMean " << d << " is no epoch's difficulty";
  }
  // 2025-04-17, 2025-08-10, 2026-03-31 and 2026-04-01 are certain; the rest of the 2025 gap is left empty.
  EXPECT_EQ(derived, 4);
  EXPECT_GT(empty, 100);
  EXPECT_FALSE(market::is_known(b.history.difficulty[*b.history.index_of(*parse_date("2025-06-01"))]));
  EXPECT_NEAR(b.history.difficulty[*b.history.index_of(*parse_date("2025-04-17"))], difficulty[442],
              kRelative * difficulty[442]);
  EXPECT_NEAR(b.history.difficulty[*b.history.index_of(*parse_date("2025-08-10"))], difficulty[451],
              kRelative * difficulty[451]);
}

TEST(HistoryDifficulty, chain_state_at_the_2024_halving_day) {
  const Bundled& b = bundled();
  // Block 840,000 (the fourth halving, epoch 416) was the first block of 2024-04-20 by the daily heights.
  const auto state = b.chain.state_at(*parse_date("2024-04-20"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->chain.next_height, 840'000);
  EXPECT_EQ(state->chain.bits, 0x17034219u);
  EXPECT_DOUBLE_EQ(state->chain.difficulty, chain::difficulty_from_bits(0x17034219u));
  EXPECT_FALSE(state->epoch_start_estimated);
  // Epoch 443 (height 893,088) has no first-block timestamp in the table and its day has no heights: unknown.
  EXPECT_FALSE(b.chain.state_at(*parse_date("2025-05-01")).has_value());
  // Epoch 464 starts inside 2026-02 whose heights come from block headers: its start time is estimated.
  const auto later = b.chain.state_at(*parse_date("2026-03-01"));
  ASSERT_TRUE(later.has_value());
  EXPECT_GE(later->chain.next_height, 935'424);
}

}  // namespace
