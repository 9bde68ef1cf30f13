#pragma once
// Calendar days as integers (days since 1970-01-01, UTC), the time axis of every daily series.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashpivot {

using DayNumber = std::int32_t;  // days since 1970-01-01

/// Parses "YYYY-MM-DD", also accepting a time suffix as Coin Metrics writes it
/// ("2020-07-27T00:00:00.000Z"; the time is ignored). std::nullopt if not a valid calendar date.
[[nodiscard]] std::optional<DayNumber> parse_date(std::string_view text);
/// "YYYY-MM-DD"
[[nodiscard]] std::string format_date(DayNumber day);
/// The UTC day containing a Unix time.
[[nodiscard]] DayNumber day_of_unix_time(std::int64_t unix_seconds);
/// "YYYY-MM" of a day.
[[nodiscard]] std::string format_month(DayNumber day);
/// The same calendar day `years` later (29 February becomes 1 March in a non-leap year).
[[nodiscard]] DayNumber add_years(DayNumber day, int years);
/// Months since year 0 of the day's calendar month (year × 12 + month − 1): consecutive months
/// differ by one, so `month_index(d) − month_index(start)` counts calendar months from the start.
[[nodiscard]] int month_index(DayNumber day);

}  // namespace hashpivot
