#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/hashprice.hpp"

namespace hashpivot::network {

double blocks_per_ph_day(double difficulty) {
  return kSecondsPerDay * kHashesPerPh / (chain::kHashesPerDifficulty * difficulty);
}

double hashprice_btc_per_ph_day(double difficulty, double reward_btc_per_block) {
  return blocks_per_ph_day(difficulty) * reward_btc_per_block;
}

double hashprice_usd_per_ph_day(double difficulty, double reward_btc_per_block, double price_usd_per_btc) {
  return hashprice_btc_per_ph_day(difficulty, reward_btc_per_block) * price_usd_per_btc;
}

}  // namespace hashpivot::network
