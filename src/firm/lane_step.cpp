// The firm's day on a block of paths at once (accounts.hpp step_day_lanes): the choice of the copy
// for an instruction set (lane_day_body.hpp has the step), and a block's lanes in and out.
#include <cassert>

#include "hashpivot/firm/accounts.hpp"
#include "lane_day.hpp"

namespace hashpivot::firm {
namespace {

using lanes::LaneInts;
using lanes::LaneMask;
using lanes::Lanes;

// A path's value into lane `l` of a block's, and back: numbers, days and counts as they are, a flag
// as a mask (every bit set where true).
struct ToLane {
  std::size_t l;
  void operator()(Lanes& x, double v) const { x[l] = v; }
  void operator()(LaneInts& x, int v) const { x[l] = v; }
  void operator()(LaneMask& x, bool v) const { x[l] = v ? -1 : 0; }
};
struct FromLane {
  std::size_t l;
  void operator()(const Lanes& x, double& v) const { v = x[l]; }
  void operator()(const LaneInts& x, int& v) const { v = static_cast<int>(x[l]); }
  void operator()(const LaneMask& x, bool& v) const { v = x[l] != 0; }
};

}  // namespace

bool steps_in_lanes(const FirmPlan& plan) {
  return !plan.live.site_decisions && !plan.live.covenants && !plan.live.revolvers && plan.swap_leg_count == 0 &&
         plan.pivot_policy != PivotPolicy::kTrigger;
}

bool step_day_lanes(const FirmPlan& plan, int day, const LaneMarket& market, LaneState& state, LaneAccounts& a,
                    LaneState& scratch, FirmState& path_state, DayAccounts& path_accounts, lanes::InstructionSet set) {
  assert(lane_instruction_set_available(set));
  switch (set) {
#if defined(HASHPIVOT_LANE_COPIES_X86)
    case lanes::InstructionSet::kAvx512:
      return isa_avx512::step_day_lanes(plan, day, market, state, a, scratch, path_state, path_accounts);
    case lanes::InstructionSet::kAvx2:
      return isa_avx2::step_day_lanes(plan, day, market, state, a, scratch, path_state, path_accounts);
#endif
    default:
      return isa_baseline::step_day_lanes(plan, day, market, state, a, scratch, path_state, path_accounts);
  }
}

bool lane_instruction_set_available(lanes::InstructionSet set) {
  if (set == lanes::InstructionSet::kBaseline) return true;
#if defined(HASHPIVOT_LANE_COPIES_X86)
  // The copies' -march (src/CMakeLists.txt); libgcc checks that the system saves the wider registers.
  // __builtin_cpu_init in case this runs before libgcc's own constructor has.
  __builtin_cpu_init();
  if (set == lanes::InstructionSet::kAvx2) return __builtin_cpu_supports("x86-64-v3") != 0;
  if (set == lanes::InstructionSet::kAvx512) return __builtin_cpu_supports("x86-64-v4") != 0;
#endif
  return false;
}

lanes::InstructionSet widest_lane_instruction_set() {
  for (const auto set : {lanes::InstructionSet::kAvx512, lanes::InstructionSet::kAvx2})
    if (lane_instruction_set_available(set)) return set;
  return lanes::InstructionSet::kBaseline;
}

bool block_step_pays(lanes::InstructionSet set) {
#if defined(__AVX2__)
  return true;  // a build for a machine with AVX2 (HASHPIVOT_NATIVE): its baseline copy is that wide
#else
  return set != lanes::InstructionSet::kBaseline;
#endif
}

std::string_view name_of(lanes::InstructionSet set) {
  switch (set) {
    case lanes::InstructionSet::kAvx2:
      return "avx2";
    case lanes::InstructionSet::kAvx512:
      return "avx512";
    default:
      return "baseline";
  }
}

void step_day_by_lane(const FirmPlan& plan, int day, std::span<const DayMarket> markets, LaneState& state,
                      LaneAccounts& accounts, FirmState& path_state, DayAccounts& path_accounts) {
  assert(markets.size() == lanes::kLanes);
  for (std::size_t l = 0; l < lanes::kLanes; ++l) {
    get_lane(state, l, path_state);
    step_day(plan, day, markets[l], path_state, path_accounts);
    set_lane(state, l, path_state);
    set_lane(accounts, l, path_accounts);
  }
}

LaneState lane_state_of(const FirmState& path) {
  LaneState state{};
  state.debts.resize(path.debts.size());
  state.fleet.resize(path.fleet.size());
  state.sites.resize(path.sites.size());
  for (std::size_t l = 0; l < lanes::kLanes; ++l) set_lane(state, l, path);
  return state;
}

void get_lane(const LaneState& state, std::size_t lane, FirmState& path) {
  detail::for_each_state_field(state, path, FromLane{lane});
}

void set_lane(LaneState& state, std::size_t lane, const FirmState& path) {
  detail::for_each_state_field(state, path, ToLane{lane});
}

void get_lane(const LaneAccounts& accounts, std::size_t lane, DayAccounts& path) {
  for (std::size_t f = 0; f < kDayAccountsFields.size(); ++f)
    path.*(kDayAccountsFields[f].member) = (accounts.*(kBasicDayAccountsFields<Lanes>[f].member))[lane];
  path.defaulted_today = accounts.defaulted_today[lane] != 0;
}

void set_lane(LaneAccounts& accounts, std::size_t lane, const DayAccounts& path) {
  for (std::size_t f = 0; f < kDayAccountsFields.size(); ++f)
    (accounts.*(kBasicDayAccountsFields<Lanes>[f].member))[lane] = path.*(kDayAccountsFields[f].member);
  accounts.defaulted_today[lane] = path.defaulted_today ? -1 : 0;
}

}  // namespace hashpivot::firm
