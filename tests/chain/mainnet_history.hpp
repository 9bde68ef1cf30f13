#pragma once
// Test support: the real mainnet epochs table (data/chain/btc_difficulty_epochs.csv) as values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/csv.hpp"

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

/// The positions of the columns `names` in `reader`'s header, in order (a missing one throws, as
/// csv::Reader::column does).
template <std::size_t N>
std::array<std::size_t, N> columns(const csv::Reader& reader, const char* const (&names)[N]) {
  std::array<std::size_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = reader.column(names[i]);
  return out;
}

}  // namespace hashpivot::chain::testing
