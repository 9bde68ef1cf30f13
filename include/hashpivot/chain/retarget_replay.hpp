#pragma once
// Replaying the retarget rule over real block headers: for every epoch start h present with the
// epoch's first block (h−2016) and last block (h−1), compute the bits the rule gives and compare
// them with the bits the chain actually used at h.

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "hashpivot/chain/params.hpp"

namespace hashpivot::chain {

struct BlockRecord {
  std::int64_t height;
  std::int64_t time_unix;
  std::uint32_t bits;
};

struct RetargetMismatch {
  std::int64_t height;          // first block of the new epoch
  std::uint32_t actual_bits;    // what the chain used
  std::uint32_t computed_bits;  // what the rule gives
};

struct RetargetReplay {
  std::int64_t checked = 0;
  std::vector<RetargetMismatch> mismatches;  // in increasing height
};

/// Checks every retarget the records allow, in any record order. Records need not be contiguous.
/// Precondition: heights are unique (read_block_records_csv guarantees it).
[[nodiscard]] RetargetReplay replay_retargets(std::span<const BlockRecord> records, const ConsensusParams& params);

/// Reads a CSV with the columns `height`, `time` (Unix seconds; or `time_unix`) and `bits` (hex,
/// 0x prefix; or `nbits_hex`, as in data/chain/btc_retarget_boundary_headers.csv), in any order and
/// with extra columns ignored. Throws InputError naming the line and column of a
/// malformed value, a negative height, or a height listed twice with different values.
[[nodiscard]] std::vector<BlockRecord> read_block_records_csv(const std::filesystem::path& path);

}  // namespace hashpivot::chain
