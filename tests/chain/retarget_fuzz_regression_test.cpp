// Inputs the fuzz target fuzz/compact_bits_fuzz.cpp found (docs/fuzzing.md), fed again to the
// function they broke. Saved inputs: tests/fuzz_regressions/compact_bits/ (scripts/fuzz.sh replays
// them too).

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/retarget.hpp"

namespace hashpivot::chain {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::vector<unsigned char> saved_input(const std::string& name) {
  std::ifstream in(std::string(HASHPIVOT_FUZZ_REGRESSIONS_DIR) + "/compact_bits/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The target's layout: bits (4 bytes) | first time (8) | last time (8) | target, big-endian, zero-padded.
std::int64_t big_endian_int64(const std::vector<unsigned char>& bytes, std::size_t at) {
  std::uint64_t value = 0;
  for (std::size_t i = at; i < at + 8; ++i) value = (value << 8) | (i < bytes.size() ? bytes[i] : 0u);
  return static_cast<std::int64_t>(value);
}

// Found: 0 − (−2^63) overflowed int64 in clamped_timespan_s (UBSan: signed integer overflow), and
// `hashpivot chain retarget --first-time=-9223372036854775808 --last-time=9223372036854775807` wrapped
// to a timespan of −1 s: the difficulty rose 300% for an epoch that lasted longer than any could.
TEST(RetargetFuzzRegression, the_saved_input_clamps_to_four_target_timespans) {
  const std::vector<unsigned char> input = saved_input("retarget-times-overflow-int64");
  const std::int64_t first = big_endian_int64(input, 4);
  const std::int64_t last = big_endian_int64(input, 12);
  ASSERT_EQ(first, kMin);
  ASSERT_EQ(last, 0);
  const ConsensusParams params = ConsensusParams::mainnet();
  EXPECT_EQ(clamped_timespan_s(first, last, params), 4 * params.pow_target_timespan_s);
  // Bitcoin Core's pow_tests vector for an epoch clamped at 4T (get_next_work_upper_limit_actual).
  EXPECT_EQ(next_epoch_bits(0x1c387f6fu, first, last, params), 0x1d00e1fdu);
}

TEST(RetargetFuzzRegression, differences_beyond_int64_clamp_to_the_nearer_bound) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const std::int64_t quarter = params.pow_target_timespan_s / 4;
  const std::int64_t four = params.pow_target_timespan_s * 4;
  EXPECT_EQ(clamped_timespan_s(kMin, kMax, params), four);
  EXPECT_EQ(clamped_timespan_s(-1, kMax, params), four);
  EXPECT_EQ(clamped_timespan_s(kMax, kMin, params), quarter);
  EXPECT_EQ(clamped_timespan_s(1, kMin, params), quarter);
  // At the edge the difference still fits and is clamped as usual.
  EXPECT_EQ(clamped_timespan_s(-1, kMax - 1, params), four);
  EXPECT_EQ(clamped_timespan_s(0, kMin, params), quarter);
  EXPECT_EQ(clamped_timespan_s(kMin, kMin, params), quarter);
  // Pow limit bits stay at the limit over an endless epoch; the fastest epoch quarters the target.
  EXPECT_EQ(next_epoch_bits(0x1d00ffffu, kMin, kMax, params), 0x1d00ffffu);
  EXPECT_EQ(next_epoch_bits(0x1d00ffffu, kMax, kMin, params), 0x1c3fffc0u);
}

}  // namespace
}  // namespace hashpivot::chain
