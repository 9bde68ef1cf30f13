#include "hashpivot/chain/retarget.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "chain/mainnet_history.hpp"
#include "hashpivot/chain/compact.hpp"
#include "hashpivot/core/csv.hpp"

namespace hashpivot::chain {
namespace {

using testing::columns;
using testing::data_path;

// The four cases of Bitcoin Core's pow_tests.cpp, read from the data file.
TEST(Retarget, reproduces_every_bitcoin_core_pow_tests_vector) {
  auto reader = csv::Reader::open(data_path("chain/bitcoin_core_pow_retarget_vectors.csv"));
  const auto [name, first_time, last_height, last_time, last_bits, expected] =
      columns(reader, {"test_case", "last_retarget_time_unix", "pindexlast_height", "pindexlast_time_unix",
                       "pindexlast_nbits_hex", "expected_next_nbits_hex"});
  const ConsensusParams params = ConsensusParams::mainnet();
  int cases = 0;
  csv::Row row;
  while (reader.next(row)) {
    ++cases;
    EXPECT_TRUE(is_retarget_height(row.as_int64(last_height) + 1, params)) << row.text(name);
    EXPECT_EQ(next_epoch_bits(row.as_hex_u32(last_bits), row.as_int64(first_time), row.as_int64(last_time), params),
              row.as_hex_u32(expected))
        << row.text(name);
  }
  EXPECT_EQ(cases, 4);
}

// Every mainnet retarget whose first and last timestamps are known, replayed from the epochs table.
TEST(Retarget, replays_every_mainnet_retarget_with_known_timestamps_exactly) {
  const ConsensusParams params = ConsensusParams::mainnet();
  const auto epochs = testing::load_mainnet_epochs();
  int checked = 0;
  for (std::size_t k = 0; k + 1 < epochs.size(); ++k) {
    const auto& e = epochs[k];
    if (!e.start_time_unix || !e.end_time_unix) continue;
    ASSERT_TRUE(e.next_bits.has_value());
    ASSERT_EQ(epochs[k + 1].bits, *e.next_bits);  // the table's own columns agree
    EXPECT_EQ(next_epoch_bits(e.bits, *e.start_time_unix, *e.end_time_unix, params), epochs[k + 1].bits)
        << "epoch " << e.epoch << " -> " << e.epoch + 1;
    ++checked;
  }
  // data/chain/README.md: start and end times are known for epochs 0…412 and 452…462.
  EXPECT_EQ(checked, 413 + 11);
}

// The same replay from the second, independent source: raw headers around each retarget.
TEST(Retarget, replays_every_retarget_in_the_raw_boundary_headers) {
  const ConsensusParams params = ConsensusParams::mainnet();
  auto reader = csv::Reader::open(data_path("chain/btc_retarget_boundary_headers.csv"));
  const auto [height, time, bits] =
      columns(reader, {"height", "time_unix", "nbits_hex"});
  std::map<std::int64_t, std::pair<std::int64_t, std::uint32_t>> headers;
  csv::Row row;
  while (reader.next(row)) headers[row.as_int64(height)] = {row.as_int64(time), row.as_hex_u32(bits)};
  int checked = 0;
  for (const auto& [h, header] : headers) {
    if (!is_retarget_height(h, params)) continue;
    const auto first = headers.find(h - 2016);
    const auto last = headers.find(h - 1);
    if (first == headers.end() || last == headers.end()) continue;
    EXPECT_EQ(next_epoch_bits(last->second.second, first->second.first, last->second.first, params), header.second)
        << "height " << h;
    ++checked;
  }
  EXPECT_GE(checked, 400);
}

TEST(Retarget, real_moves_of_february_2026_are_reproduced) {
  // docs/model.md §1: −11.16% at height 935,424 (Feb 7, 2026), then +14.73% at the next retarget.
  const auto epochs = testing::load_mainnet_epochs();
  auto epoch_at = [&](std::int64_t height) {
    for (const auto& e : epochs)
      if (e.start_height == height) return e;
    throw std::runtime_error("no epoch starts at " + std::to_string(height));
  };
  const double before = difficulty_from_bits(epoch_at(935'424 - 2016).bits);
  const double after = difficulty_from_bits(epoch_at(935'424).bits);
  const double next = difficulty_from_bits(epoch_at(935'424 + 2016).bits);
  EXPECT_NEAR((after / before - 1) * 100, -11.16, 0.005);
  EXPECT_NEAR((next / after - 1) * 100, 14.73, 0.005);
}

TEST(Retarget, timespan_is_clamped_to_a_quarter_and_four_times_two_weeks) {
  const ConsensusParams params = ConsensusParams::mainnet();
  EXPECT_EQ(clamped_timespan_s(0, 1, params), 302'400);
  EXPECT_EQ(clamped_timespan_s(0, 100'000'000, params), 4'838'400);
  EXPECT_EQ(clamped_timespan_s(1000, 1000 + 1'209'600, params), 1'209'600);
  // A timestamp going backwards still clamps rather than wrapping.
  EXPECT_EQ(clamped_timespan_s(2000, 1000, params), 302'400);
}

TEST(Retarget, exactly_two_weeks_keeps_the_target) {
  const ConsensusParams params = ConsensusParams::mainnet();
  EXPECT_EQ(next_epoch_bits(0x17034219, 0, 1'209'600, params), 0x17034219u);
}

TEST(Retarget, the_result_never_exceeds_the_pow_limit) {
  const ConsensusParams params = ConsensusParams::mainnet();
  EXPECT_EQ(next_epoch_bits(0x1d00ffff, 0, 100'000'000, params), 0x1d00ffffu);
  EXPECT_FALSE(is_retarget_height(0, params));
  EXPECT_TRUE(is_retarget_height(2016, params));
  EXPECT_FALSE(is_retarget_height(2017, params));
}

}  // namespace
}  // namespace hashpivot::chain
