#include "hashpivot/chain/compact.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "chain/mainnet_history.hpp"
#include "hashpivot/core/csv.hpp"

namespace hashpivot::chain {
namespace {

using testing::columns;
using testing::data_path;

// Every case of Bitcoin Core's arith_uint256_tests.cpp bignum_SetCompact, read from the data file.
TEST(Compact, reproduces_every_bitcoin_core_set_compact_and_get_compact_vector) {
  auto reader = csv::Reader::open(data_path("chain/bitcoin_core_compact_nbits_vectors.csv"));
  const auto [in, target, compact, negative, overflow, negative_arg] =
      columns(reader, {"compact_in_hex", "expected_target_hex64", "expected_getcompact_hex", "expected_negative",
                       "expected_overflow", "getcompact_negative_arg"});
  int cases = 0;
  csv::Row row;
  while (reader.next(row)) {
    ++cases;
    SCOPED_TRACE("line " + std::to_string(row.line()));
    if (row.empty(in)) {  // GetCompact-only case: encode a given integer
      EXPECT_EQ(encode_compact(Uint256::from_hex(row.text(target))), row.as_hex_u32(compact));
      continue;
    }
    const DecodedCompact decoded = decode_compact(row.as_hex_u32(in));
    EXPECT_EQ(decoded.negative, row.as_int64(negative) == 1);
    EXPECT_EQ(decoded.overflow, row.as_int64(overflow) == 1);
    if (decoded.overflow) continue;
    EXPECT_EQ(decoded.target.to_hex(), row.text(target));
    EXPECT_EQ(encode_compact(decoded.target, row.as_int64(negative_arg) == 1), row.as_hex_u32(compact));
  }
  EXPECT_EQ(cases, 21);
}

TEST(Compact, every_mainnet_epoch_bits_decode_to_the_published_target_and_back) {
  for (const auto& epoch : testing::load_mainnet_epochs()) {
    const DecodedCompact decoded = decode_compact(epoch.bits);
    EXPECT_EQ(decoded.target.to_hex(), epoch.target_hex) << "epoch " << epoch.epoch;
    EXPECT_EQ(encode_compact(decoded.target), epoch.bits) << "epoch " << epoch.epoch;
  }
}

TEST(Compact, difficulty_matches_the_published_difficulty_of_every_epoch) {
  // The table prints difficulty with 8 decimals: agreement to half a unit in the last place.
  for (const auto& epoch : testing::load_mainnet_epochs())
    EXPECT_NEAR(difficulty_from_bits(epoch.bits), epoch.difficulty, 0.5e-8 + epoch.difficulty * 1e-15)
        << "epoch " << epoch.epoch;
}

TEST(Compact, difficulty_at_the_fourth_halving_is_the_known_value) {
  // Height 840,000 (epoch 416): nBits 0x17034219, difficulty 86,388,558,925,171.01 (data/README.md).
  EXPECT_NEAR(difficulty_from_bits(0x17034219), 86388558925171.01, 0.005);
  EXPECT_EQ(difficulty_from_bits(0x1d00ffff), 1.0);
}

TEST(Compact, validity_rejects_negative_overflowing_and_zero_targets) {
  EXPECT_TRUE(is_valid_target_bits(0x1d00ffff));
  EXPECT_FALSE(is_valid_target_bits(0x04923456));  // negative
  EXPECT_FALSE(is_valid_target_bits(0xff123456));  // overflow
  EXPECT_FALSE(is_valid_target_bits(0x01003456));  // zero
}

}  // namespace
}  // namespace hashpivot::chain
