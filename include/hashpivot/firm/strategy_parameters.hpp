#pragma once
// A strategy as a point in a parameter space: every numeric knob of the policies of docs/model.md §5 that
// a scenario's strategy uses, read and written by name, so an optimizer or a sensitivity sweep can
// move it without knowing the Strategy struct.
//
// Names and units:
//   sell_fraction                          share of each day's mined BTC sold (sell = sell_fraction), [0, 1]
//   cash_floor_months                      months of cash costs kept in cash (sell = cash_floor), > 0
//   sale_btc                               BTC sold by the strategy's first one-off sale, > 0
//   sale_day                               day of that sale, counted from the start date (integer), in the horizon
//   pivot_mw                               MW of critical IT converted (pivot = schedule | trigger), (0, site capacity]
//   pivot_day                              day of the scheduled conversion, from the start date (integer), in the horizon
//   pivot_hashprice_below_usd_per_ph_day   hashprice below which a day counts toward the trigger (pivot = trigger), > 0
//   pivot_trigger_days                     consecutive days below the level before converting (integer), 1-3650
// Integer parameters are rounded to the nearest whole day. A parameter the strategy's policies do
// not use (e.g. sale_btc for a strategy without a one-off sale) is an error, not ignored.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::firm {

/// The longest pivot trigger, in consecutive days (ten years): the scenario reader's bound too.
inline constexpr int kMaxPivotTriggerDays = 3650;

struct StrategyParameter {
  std::string_view name;
  std::string_view unit;
  bool integer;
};

/// Every parameter name, in the order of the table above.
[[nodiscard]] std::span<const StrategyParameter> strategy_parameters();

/// The names that strategy `strategy` of `scenario` uses (its policies decide which).
[[nodiscard]] std::vector<std::string> parameters_of(const Scenario& scenario, std::size_t strategy);

/// The value of `name` for strategy `strategy`. Throws ParameterError(name, ...) for an unknown name
/// or one the strategy does not use, and ParameterError("strategy", ...) for a strategy index past the
/// scenario's strategies.
[[nodiscard]] double get_strategy_parameter(const Scenario& scenario, std::size_t strategy, std::string_view name);

/// Sets `name` of strategy `strategy` to `value` (rounded for integer parameters). Throws
/// ParameterError(name, ...) for an unknown or unused name, or a value outside the parameter's range
/// (the problem names the value and the range), and ParameterError("strategy", ...) as above.
void set_strategy_parameter(Scenario& scenario, std::size_t strategy, std::string_view name, double value);

}  // namespace hashpivot::firm
