#include "hashpivot/core/calendar.hpp"

#include <cassert>

namespace hashpivot {

Calendar make_calendar(DayNumber start, int horizon_years) {
  assert(horizon_years >= 1);
  Calendar c;
  c.horizon_days = add_years(start, horizon_years) - start;
  const int first_month = month_index(start);
  c.month_of_day.resize(static_cast<std::size_t>(c.horizon_days));
  c.closes_month.resize(static_cast<std::size_t>(c.horizon_days));
  for (int d = 0; d < c.horizon_days; ++d) {
    const auto i = static_cast<std::size_t>(d);
    c.month_of_day[i] = static_cast<std::uint16_t>(month_index(start + d) - first_month);
    c.closes_month[i] = d + 1 == c.horizon_days || month_index(start + d + 1) != month_index(start + d);
    if (c.month_labels.size() <= c.month_of_day[i]) {
      c.month_labels.push_back(format_month(start + d));
      c.month_first_day.push_back(d);
    }
  }
  c.month_first_day.push_back(c.horizon_days);
  return c;
}

}  // namespace hashpivot
