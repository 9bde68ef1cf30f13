#pragma once
// Internal to the engine: a block's day added to its paths' totals (add_day over lanes), in a copy for
// each instruction set the block step has (firm::lanes::InstructionSet; src/CMakeLists.txt,
// hashpivot_lane_copies), and the choice between them.

#include "hashpivot/firm/lanes.hpp"
#include "path_totals.hpp"

namespace hashpivot::sim::detail {

/// add_day over a block's lanes: each copy is this function.
using LaneAddDay = void(BasicPathTotals<firm::lanes::Lanes>& totals, const firm::LaneAccounts& day,
                        const firm::lanes::Lanes& margin_posted_usd, bool last_year,
                        const firm::lanes::Lanes& ph_days_per_btc, double gross_of_pool_fee,
                        const firm::lanes::LaneMask& solvent);

namespace isa_baseline {
LaneAddDay add_lane_day;
}
namespace isa_avx2 {
LaneAddDay add_lane_day;
}
namespace isa_avx512 {
LaneAddDay add_lane_day;
}

/// add_day over a block's lanes in the copy for `set` (one that firm::lane_instruction_set_available
/// accepts).
inline void add_lane_day(firm::lanes::InstructionSet set, BasicPathTotals<firm::lanes::Lanes>& totals,
                         const firm::LaneAccounts& day, const firm::lanes::Lanes& margin_posted_usd, bool last_year,
                         const firm::lanes::Lanes& ph_days_per_btc, double gross_of_pool_fee,
                         const firm::lanes::LaneMask& solvent) {
  switch (set) {
#if defined(HASHPIVOT_LANE_COPIES_X86)
    case firm::lanes::InstructionSet::kAvx512:
      return isa_avx512::add_lane_day(totals, day, margin_posted_usd, last_year, ph_days_per_btc, gross_of_pool_fee,
                                      solvent);
    case firm::lanes::InstructionSet::kAvx2:
      return isa_avx2::add_lane_day(totals, day, margin_posted_usd, last_year, ph_days_per_btc, gross_of_pool_fee,
                                    solvent);
#endif
    default:
      return isa_baseline::add_lane_day(totals, day, margin_posted_usd, last_year, ph_days_per_btc, gross_of_pool_fee,
                                        solvent);
  }
}

}  // namespace hashpivot::sim::detail
