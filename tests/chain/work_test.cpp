#include "hashpivot/chain/work.hpp"

#include <gtest/gtest.h>

#include "chain/mainnet_history.hpp"
#include "hashpivot/chain/compact.hpp"

namespace hashpivot::chain {
namespace {

TEST(Work, genesis_block_work_is_0x100010001) {
  // Chainwork after the genesis block alone (data/chain/btc_difficulty_epochs.csv, epoch 0).
  EXPECT_EQ(block_work(0x1d00ffff), Uint256::from_hex("100010001"));
}

// Real chainwork, which counts the work up to and including each epoch's first block: from the start
// of epoch k to the start of epoch k+1 come 2015 more blocks at epoch k's bits and one at epoch k+1's,
// for every consecutive pair of epochs in mainnet history.
TEST(Work, mainnet_chainwork_grows_by_one_epoch_of_block_work_at_every_retarget) {
  const auto epochs = testing::load_mainnet_epochs();
  int checked = 0;
  for (std::size_t k = 0; k + 1 < epochs.size(); ++k) {
    if (epochs[k].chainwork_at_start_hex.empty() || epochs[k + 1].chainwork_at_start_hex.empty()) continue;
    const Uint256 start = Uint256::from_hex(epochs[k].chainwork_at_start_hex);
    const Uint256 next = Uint256::from_hex(epochs[k + 1].chainwork_at_start_hex);
    EXPECT_EQ(next - start, Uint256(2015) * block_work(epochs[k].bits) + block_work(epochs[k + 1].bits)) << "epoch " << epochs[k].epoch;
    ++checked;
  }
  EXPECT_GE(checked, 400);
}

TEST(Work, equals_difficulty_times_2_to_the_32_up_to_the_difficulty_1_mantissa) {
  // D = 0xffff·2^208 / target and work ≈ 2^256 / target, so work / (D·2^32) = 65536 / 65535
  // (docs/model.md §1's "work ≈ difficulty × 2^32"), up to the +1 in the divisor and double rounding.
  for (const auto& epoch : testing::load_mainnet_epochs()) {
    const double work = block_work(epoch.bits).to_double();
    EXPECT_NEAR(work / (difficulty_from_bits(epoch.bits) * 4294967296.0), 65536.0 / 65535.0, 1e-9)
        << "epoch " << epoch.epoch;
  }
}

TEST(Work, unusable_bits_have_zero_work) {
  EXPECT_TRUE(block_work(0x04923456).is_zero());
  EXPECT_TRUE(block_work(0xff123456).is_zero());
  EXPECT_TRUE(block_work(0).is_zero());
}

}  // namespace
}  // namespace hashpivot::chain
