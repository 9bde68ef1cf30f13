#pragma once
// Test support: the real mainnet epochs table (data/chain/btc_difficulty_epochs.csv) as values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashpivot::chain::testing {

struct MainnetEpoch {
  std::int64_t epoch;
  std::int64_t start_height;
  std::int64_t end_height;
  std::uint32_t bits;
  std::string target_hex;
  double difficulty;
  std::optional<std::int64_t> start_time_unix;
  std::optional<std::int64_t> end_time_unix;
  std::optional<std::uint32_t> next_bits;
  std::string chainwork_at_start_hex;  // empty where unknown
};

std::vector<MainnetEpoch> load_mainnet_epochs();
std::string data_path(const std::string& relative);

}  // namespace hashpivot::chain::testing
