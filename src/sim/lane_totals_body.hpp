// add_day over a block's lanes (lane_totals.hpp), compiled once for each instruction set into its own
// namespace isa_<HASHPIVOT_LANE_ISA> (src/CMakeLists.txt, hashpivot_lane_copies: why the wider copies
// are built with -fno-weak). Not a header to include elsewhere.
#ifndef HASHPIVOT_LANE_ISA
#error "define HASHPIVOT_LANE_ISA (baseline, avx2 or avx512) before including lane_totals_body.hpp"
#endif

#include "lane_totals.hpp"

#define HASHPIVOT_LANE_NAMESPACE_OF(isa) isa_##isa
#define HASHPIVOT_LANE_NAMESPACE(isa) HASHPIVOT_LANE_NAMESPACE_OF(isa)

namespace hashpivot::sim::detail::HASHPIVOT_LANE_NAMESPACE(HASHPIVOT_LANE_ISA) {

void add_lane_day(BasicPathTotals<firm::lanes::Lanes>& totals, const firm::LaneAccounts& day,
                  const firm::lanes::Lanes& margin_posted_usd, bool last_year, const firm::lanes::Lanes& ph_days_per_btc,
                  double gross_of_pool_fee, const firm::lanes::LaneMask& solvent) {
  add_day(totals, day, margin_posted_usd, last_year, ph_days_per_btc, gross_of_pool_fee, solvent);
}

}  // namespace hashpivot::sim::detail::isa_<HASHPIVOT_LANE_ISA>
