#pragma once
// The [market] table that test scenarios share: the bundled halving-era calibration and the chain
// and market as they stood on 2026-02-01 (the figures of scenarios/cango.toml, whose sources are
// there). `extra_lines` are appended inside the table (e.g. btc_price_model = "gbm").

#include <string>

namespace hashpivot::testing {

inline std::string test_market_toml(const std::string& extra_lines = "") {
  return "[market]\n"
         "calibration = \"" + std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration/halving_2024_market.toml\"\n"
         "btc_price_usd = 78702.39\n"
         "fees_btc_per_block = 0.019\n"
         "network_hashrate_ehs = 866.2\n"
         "height = 934542\n"
         "bits = \"0x1701fca1\"\n"
         "epoch_first_block_time_unix = 1769110282\n" +
         extra_lines + "\n";
}

}  // namespace hashpivot::testing
