#include "hashpivot/core/calendar.hpp"

#include <gtest/gtest.h>

namespace hashpivot {
namespace {

DayNumber day(const char* text) { return *parse_date(text); }

// One year from 15 January 2024 (a leap year): 366 days in 13 months, January 2024 and January
// 2025 partial. The first days by hand: 17 days of January (15–31), then February's 29, March's 31 …
TEST(Calendar, months_of_a_year_from_mid_month_by_hand) {
  const Calendar c = make_calendar(day("2024-01-15"), 1);
  EXPECT_EQ(c.horizon_days, 366);
  ASSERT_EQ(c.months(), 13u);
  EXPECT_EQ(c.month_labels.front(), "2024-01");
  EXPECT_EQ(c.month_labels[1], "2024-02");
  EXPECT_EQ(c.month_labels.back(), "2025-01");
  const std::vector<int> first{0, 17, 46, 77, 107, 138, 168, 199, 230, 260, 291, 321, 352, 366};
  EXPECT_EQ(c.month_first_day, first);
  EXPECT_EQ(c.days_in_month(1), 29);
  EXPECT_EQ(c.days_in_month(12), 14);  // 1–14 January 2025
  for (std::size_t m = 0; m < c.months(); ++m) {
    for (int d = first[m]; d < first[m + 1]; ++d) {
      const auto i = static_cast<std::size_t>(d);
      EXPECT_EQ(c.month_of_day[i], m) << d;
      EXPECT_EQ(c.closes_month[i] != 0, d + 1 == first[m + 1]) << d;
    }
  }
}

TEST(Calendar, a_start_on_the_first_has_whole_months) {
  const Calendar c = make_calendar(day("2026-02-01"), 3);
  EXPECT_EQ(c.horizon_days, 3 * 365 + 1);  // 29 February 2028
  ASSERT_EQ(c.months(), 36u);
  EXPECT_EQ(c.month_labels.back(), "2029-01");
  EXPECT_EQ(c.days_in_month(0), 28);
  EXPECT_EQ(c.days_in_month(24), 29);  // February 2028
}

}  // namespace
}  // namespace hashpivot
