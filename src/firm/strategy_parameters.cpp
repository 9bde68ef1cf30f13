#include "hashpivot/firm/strategy_parameters.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::firm {
namespace {

constexpr std::array<StrategyParameter, 8> kParameters{{
    {"sell_fraction", "fraction of each day's mined BTC", false},
    {"cash_floor_months", "months of cash costs", false},
    {"sale_btc", "BTC", false},
    {"sale_day", "days after the start date", true},
    {"pivot_mw", "MW of critical IT", false},
    {"pivot_day", "days after the start date", true},
    {"pivot_hashprice_below_usd_per_ph_day", "USD per PH/s per day", false},
    {"pivot_trigger_days", "consecutive days", true},
}};

// Upper ends of the searchable ranges: past them a value is a unit slip, not a strategy.
constexpr double kMaxCashFloorMonths = 10 * kMonthsPerYear;  // ten years of cash costs
constexpr double kMaxSaleBtc = 21e6;                          // every BTC there will ever be
constexpr double kMaxTriggerHashpriceUsdPerPhDay = kMillion;  // ~20,000x the 2026 hashprice

[[noreturn]] void fail(std::string_view name, const std::string& problem) {
  throw ParameterError(std::string(name), problem);
}

int horizon_days(const Scenario& s) { return add_years(s.run.start_date, s.run.horizon_years) - s.run.start_date; }

const Site* site_named(const Scenario& s, const std::string& name) {
  for (const Site& site : s.sites)
    if (site.name == name) return &site;
  return nullptr;
}

bool uses(const Strategy& st, std::string_view name) {
  if (name == "sell_fraction") return st.sell_policy == SellPolicy::kSellFraction;
  if (name == "cash_floor_months") return st.sell_policy == SellPolicy::kCashFloor;
  if (name == "sale_btc" || name == "sale_day") return !st.sales.empty();
  if (name == "pivot_mw") return st.pivot_policy != PivotPolicy::kNone;
  if (name == "pivot_day") return st.pivot_policy == PivotPolicy::kSchedule;
  if (name == "pivot_hashprice_below_usd_per_ph_day" || name == "pivot_trigger_days")
    return st.pivot_policy == PivotPolicy::kTrigger;
  return false;
}

const Strategy& strategy_at(const Scenario& s, std::size_t strategy) {
  if (strategy >= s.strategies.size())
    throw ParameterError("strategy", fmt::format("strategy {} does not exist ({} strategies)", strategy, s.strategies.size()));
  return s.strategies[strategy];
}

void require_used(const Strategy& st, std::string_view name) {
  bool known = false;
  for (const StrategyParameter& p : kParameters) known = known || p.name == name;
  if (!known) fail(name, "unknown (firm::strategy_parameters() lists the names)");
  if (!uses(st, name)) fail(name, fmt::format("strategy \"{}\" does not use it (its policies: sell {}, pivot {}, {} sale{})",
                                              st.name, keyword(st.sell_policy), keyword(st.pivot_policy), st.sales.size(),
                                              st.sales.size() == 1 ? "" : "s"));
}

void require_range(std::string_view name, double value, double low, double high, bool low_open) {
  const bool below = low_open ? !(value > low) : !(value >= low);
  if (below || !(value <= high))
    fail(name, fmt::format("{} is outside {}{}, {}]", value, low_open ? "(" : "[", low, high));
}

}  // namespace

std::span<const StrategyParameter> strategy_parameters() { return kParameters; }

std::vector<std::string> parameters_of(const Scenario& scenario, std::size_t strategy) {
  const Strategy& st = strategy_at(scenario, strategy);
  std::vector<std::string> names;
  for (const StrategyParameter& p : kParameters)
    if (uses(st, p.name)) names.emplace_back(p.name);
  return names;
}

double get_strategy_parameter(const Scenario& scenario, std::size_t strategy, std::string_view name) {
  const Strategy& st = strategy_at(scenario, strategy);
  require_used(st, name);
  if (name == "sell_fraction") return st.sell_fraction;
  if (name == "cash_floor_months") return st.cash_floor_months;
  if (name == "sale_btc") return st.sales.front().btc;
  if (name == "sale_day") return st.sales.front().date - scenario.run.start_date;
  if (name == "pivot_mw") return st.pivot_mw;
  if (name == "pivot_day") return *st.pivot_date - scenario.run.start_date;
  if (name == "pivot_hashprice_below_usd_per_ph_day") return st.pivot_hashprice_below_usd_per_ph_day;
  return st.pivot_trigger_days;  // pivot_trigger_days, the last name require_used accepts
}

void set_strategy_parameter(Scenario& scenario, std::size_t strategy, std::string_view name, double value) {
  const Strategy& current = strategy_at(scenario, strategy);
  require_used(current, name);
  Strategy& st = scenario.strategies[strategy];
  if (!std::isfinite(value)) fail(name, "must be a finite number");
  const int last_day = horizon_days(scenario) - 1;
  const auto day = static_cast<int>(std::lround(value));
  if (name == "sell_fraction") {
    require_range(name, value, 0, 1, false);
    st.sell_fraction = value;
  } else if (name == "cash_floor_months") {
    require_range(name, value, 0, kMaxCashFloorMonths, true);
    st.cash_floor_months = value;
  } else if (name == "sale_btc") {
    require_range(name, value, 0, kMaxSaleBtc, true);
    st.sales.front().btc = value;
  } else if (name == "sale_day") {
    require_range(name, day, 0, last_day, false);
    st.sales.front().date = scenario.run.start_date + day;
  } else if (name == "pivot_mw") {
    const Site* site = site_named(scenario, st.pivot_site);
    require_range(name, value, 0, site != nullptr ? site->capacity_mw : 0.0, true);
    st.pivot_mw = value;
  } else if (name == "pivot_day") {
    require_range(name, day, 0, last_day, false);
    st.pivot_date = scenario.run.start_date + day;
  } else if (name == "pivot_hashprice_below_usd_per_ph_day") {
    require_range(name, value, 0, kMaxTriggerHashpriceUsdPerPhDay, true);
    st.pivot_hashprice_below_usd_per_ph_day = value;
  } else {
    require_range(name, day, 1, kMaxPivotTriggerDays, false);
    st.pivot_trigger_days = day;
  }
}

}  // namespace hashpivot::firm
