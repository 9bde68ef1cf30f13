#include "hashpivot/chain/retarget_replay.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::chain {

RetargetReplay replay_retargets(std::span<const BlockRecord> records, const ConsensusParams& params) {
  std::unordered_map<std::int64_t, const BlockRecord*> by_height;
  by_height.reserve(records.size());
  for (const auto& record : records) by_height.emplace(record.height, &record);

  std::vector<const BlockRecord*> epoch_starts;
  for (const auto& record : records)
    if (is_retarget_height(record.height, params)) epoch_starts.push_back(&record);
  std::sort(epoch_starts.begin(), epoch_starts.end(),
            [](const BlockRecord* a, const BlockRecord* b) { return a->height < b->height; });

  const std::int64_t interval = params.retarget_interval_blocks();
  RetargetReplay replay;
  for (const BlockRecord* start : epoch_starts) {
    const auto first = by_height.find(start->height - interval);
    const auto last = by_height.find(start->height - 1);
    if (first == by_height.end() || last == by_height.end()) continue;
    const std::uint32_t computed = next_epoch_bits(last->second->bits, first->second->time_unix,
                                                   last->second->time_unix, params);
    ++replay.checked;
    if (computed != start->bits) replay.mismatches.push_back({start->height, start->bits, computed});
  }
  return replay;
}

namespace {

/// The column named `name`, or else `alias` (the name in a header dump such as
/// data/chain/btc_retarget_boundary_headers.csv); throws InputError naming both when neither is there.
std::size_t column_or_alias(const csv::Reader& reader, std::string_view name, std::string_view alias) {
  if (const auto column = reader.find_column(name)) return *column;
  if (const auto column = reader.find_column(alias)) return *column;
  throw InputError(reader.source(), 1, std::string(name),
                   fmt::format("missing column in the header row (expected {} or {})", name, alias));
}

}  // namespace

std::vector<BlockRecord> read_block_records_csv(const std::filesystem::path& path) {
  csv::Reader reader = csv::Reader::open(path);
  const std::size_t height_column = reader.column("height");
  const std::size_t time_column = column_or_alias(reader, "time", "time_unix");
  const std::size_t bits_column = column_or_alias(reader, "bits", "nbits_hex");

  std::vector<BlockRecord> records;
  std::unordered_map<std::int64_t, std::size_t> index_by_height;
  csv::Row row;
  while (reader.next(row)) {
    const BlockRecord record{row.as_int64(height_column), row.as_int64(time_column), row.as_hex_u32(bits_column)};
    if (record.height < 0) row.fail(height_column, fmt::format("expected a height >= 0, got {}", record.height));
    if (!is_valid_target_bits(record.bits))
      row.fail(bits_column, fmt::format("0x{:08x} is not a valid target (negative, overflowing or zero)", record.bits));
    const auto [it, inserted] = index_by_height.emplace(record.height, records.size());
    if (!inserted) {
      const BlockRecord& earlier = records[it->second];
      if (earlier.time_unix != record.time_unix || earlier.bits != record.bits)
        row.fail(height_column, fmt::format("height {} is listed twice with different time or bits", record.height));
      continue;
    }
    records.push_back(record);
  }
  return records;
}

}  // namespace hashpivot::chain
