#include "chain/mainnet_history.hpp"

#include "hashpivot/core/csv.hpp"

namespace hashpivot::chain::testing {

std::string data_path(const std::string& relative) { return std::string(HASHPIVOT_TEST_DATA_DIR) + "/" + relative; }

std::vector<MainnetEpoch> load_mainnet_epochs() {
  auto reader = csv::Reader::open(data_path("chain/btc_difficulty_epochs.csv"));
  const auto [epoch, start, end, bits, target, difficulty, start_time, end_time, next_bits, chainwork] =
      columns(reader, {"epoch", "start_height", "end_height", "nbits_hex", "target_hex", "difficulty",
                       "start_time_unix", "end_time_unix", "next_nbits_hex", "chainwork_at_start_hex"});
  std::vector<MainnetEpoch> epochs;
  csv::Row row;
  while (reader.next(row)) {
    MainnetEpoch e{row.as_int64(epoch), row.as_int64(start), row.as_int64(end), row.as_hex_u32(bits),
                   std::string(row.text(target)), row.as_double(difficulty), std::nullopt, std::nullopt,
                   std::nullopt, std::string(row.text(chainwork))};
    if (!row.empty(start_time)) e.start_time_unix = row.as_int64(start_time);
    if (!row.empty(end_time)) e.end_time_unix = row.as_int64(end_time);
    if (!row.empty(next_bits)) e.next_bits = row.as_hex_u32(next_bits);
    epochs.push_back(std::move(e));
  }
  return epochs;
}

}  // namespace hashpivot::chain::testing
