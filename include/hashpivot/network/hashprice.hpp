#pragma once
// Hashprice: the expected revenue of 1 PH/s mining for one day at a given difficulty
// (Luxor's definition; docs/model.md §2).
//
//   blocks per PH/s per day = 86400 · 10^15 / (2^32 · D)
//   hashprice_btc           = blocks per PH/s per day · (subsidy + mean fees per block)
//   hashprice_usd           = hashprice_btc · price

namespace hashpivot::network {

/// Expected blocks found in a day by 1 PH/s at difficulty `difficulty` (> 0).
[[nodiscard]] double blocks_per_ph_day(double difficulty);

/// BTC per PH/s per day for a block reward of `reward_btc_per_block` (subsidy + fees).
[[nodiscard]] double hashprice_btc_per_ph_day(double difficulty, double reward_btc_per_block);

/// USD per PH/s per day at `price_usd_per_btc`.
[[nodiscard]] double hashprice_usd_per_ph_day(double difficulty, double reward_btc_per_block, double price_usd_per_btc);

}  // namespace hashpivot::network
