#include "hashpivot/core/date.hpp"

#include <charconv>
#include <chrono>
#include <fmt/format.h>

#include "hashpivot/core/units.hpp"

namespace hashpivot {
namespace {

constexpr int kMonthsInYear = static_cast<int>(kMonthsPerYear);

std::optional<int> parse_digits(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::chrono::year_month_day civil(DayNumber day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

}  // namespace

std::optional<DayNumber> parse_date(std::string_view text) {
  if (text.size() > 10 && text[10] == 'T') text = text.substr(0, 10);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = parse_digits(text.substr(0, 4));
  const auto m = parse_digits(text.substr(5, 2));
  const auto d = parse_digits(text.substr(8, 2));
  if (!y || !m || !d || *m < 1 || *m > kMonthsInYear || *d < 1) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<DayNumber>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string format_date(DayNumber day) {
  const auto ymd = civil(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string format_month(DayNumber day) { return format_date(day).substr(0, 7); }

DayNumber add_years(DayNumber day, int years) {
  const auto ymd = civil(day);
  const std::chrono::year_month_day later{ymd.year() + std::chrono::years{years}, ymd.month(), ymd.day()};
  // sys_days of an invalid 29 February normalizes to 1 March.
  return static_cast<DayNumber>(std::chrono::sys_days{later}.time_since_epoch().count());
}

int month_index(DayNumber day) {
  const auto ymd = civil(day);
  return static_cast<int>(ymd.year()) * kMonthsInYear + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

DayNumber day_of_unix_time(std::int64_t unix_seconds) {
  return static_cast<DayNumber>(
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{unix_seconds}})
          .time_since_epoch()
          .count());
}

}  // namespace hashpivot
