// libFuzzer target: chain::read_block_records_csv (the input of `hashpivot chain verify`) on
// arbitrary bytes, then chain::replay_retargets over what it read (seeds: slices of the mainnet
// retargets table that scripts/derive-mainnet-retargets.sh derives from data/chain).
//
// Expected: records, or an InputError. Records must keep the reader's contract (heights >= 0 and
// unique, bits valid targets), and the replay must check at most one retarget per epoch start,
// listing mismatches in increasing height.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/retarget.hpp"
#include "hashpivot/chain/retarget_replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hashpivot;
  constexpr const char* kTarget = "block_records_csv";
  static fuzz::TempInput file("blocks.csv");
  const std::string& path = file.write(data, size);
  fuzz::expect_only_input_errors(kTarget, [&] {
    const std::vector<chain::BlockRecord> records = chain::read_block_records_csv(path);
    const auto params = chain::ConsensusParams::mainnet();
    std::set<std::int64_t> heights;
    std::int64_t epoch_starts = 0;
    for (const chain::BlockRecord& r : records) {
      if (r.height < 0 || !heights.insert(r.height).second || !chain::is_valid_target_bits(r.bits))
        fuzz::finding(kTarget, "a record breaks the reader's contract");
      if (chain::is_retarget_height(r.height, params)) ++epoch_starts;
    }
    const chain::RetargetReplay replay = chain::replay_retargets(records, params);
    if (replay.checked > epoch_starts) fuzz::finding(kTarget, "more retargets checked than epoch starts listed");
    for (std::size_t i = 1; i < replay.mismatches.size(); ++i)
      if (replay.mismatches[i].height <= replay.mismatches[i - 1].height)
        fuzz::finding(kTarget, "mismatches out of order");
  });
  return 0;
}
