#pragma once
// The calendar months of a horizon of whole years from a start date: which month each day falls in,
// which days close a month, the months' labels and first days. The simulation accumulates its
// monthly series on it and valuation takes its monthly decision dates from it, so both see the same
// months.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"

namespace hashpivot {

/// Days are indices from the start date (day 0); months are indices from the start's month (0).
/// Built once by make_calendar; read-only afterwards (the daily loops index it, no allocation).
struct Calendar {
  /// add_years(start, horizon_years) − start: the number of days, leap days included.
  int horizon_days = 0;
  /// [horizon_days] the month of each day.
  std::vector<std::uint16_t> month_of_day;
  /// [horizon_days] 1 when the day is the last of its month or of the horizon.
  std::vector<std::uint8_t> closes_month;
  /// [months] "YYYY-MM" of each month.
  std::vector<std::string> month_labels;
  /// [months + 1] month m holds days [month_first_day[m], month_first_day[m + 1]); the last value is
  /// horizon_days. The first and last months may be partial.
  std::vector<int> month_first_day;

  [[nodiscard]] std::size_t months() const noexcept { return month_labels.size(); }
  /// Days in month m.
  [[nodiscard]] int days_in_month(std::size_t m) const { return month_first_day[m + 1] - month_first_day[m]; }
};

/// The calendar of `horizon_years` whole years (≥ 1) from `start`.
[[nodiscard]] Calendar make_calendar(DayNumber start, int horizon_years);

}  // namespace hashpivot
