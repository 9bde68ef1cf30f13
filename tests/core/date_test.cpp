#include "hashpivot/core/date.hpp"

#include <gtest/gtest.h>

namespace hashpivot {
namespace {

TEST(Date, parses_iso_dates_and_coin_metrics_timestamps) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("2009-01-03"), 14247);  // genesis day: 1231006505 s / 86400
  EXPECT_EQ(parse_date("2020-07-27T00:00:00.000Z"), parse_date("2020-07-27"));
  EXPECT_EQ(day_of_unix_time(1231006505), 14247);
}

TEST(Date, rejects_impossible_dates) {
  EXPECT_FALSE(parse_date("2025-02-29"));
  EXPECT_FALSE(parse_date("2025-13-01"));
  EXPECT_FALSE(parse_date("2025-1-01"));
  EXPECT_FALSE(parse_date("yesterday"));
  EXPECT_TRUE(parse_date("2024-02-29"));
}

TEST(Date, formats_round_trip) {
  for (DayNumber d = -1000; d < 30000; d += 37) EXPECT_EQ(parse_date(format_date(d)), d);
  EXPECT_EQ(format_month(*parse_date("2026-02-07")), "2026-02");
}

}  // namespace
}  // namespace hashpivot

namespace hashpivot {
namespace {

TEST(AddYears, keeps_the_calendar_day_and_moves_29_february_to_1_march) {
  EXPECT_EQ(format_date(add_years(*parse_date("2026-02-01"), 5)), "2031-02-01");
  EXPECT_EQ(add_years(*parse_date("2026-02-01"), 5) - *parse_date("2026-02-01"), 365 * 5 + 1);  // 2028 is leap
  EXPECT_EQ(format_date(add_years(*parse_date("2024-02-29"), 1)), "2025-03-01");
}

TEST(MonthIndex, counts_calendar_months) {
  EXPECT_EQ(month_index(*parse_date("2026-03-01")) - month_index(*parse_date("2026-02-28")), 1);
  EXPECT_EQ(month_index(*parse_date("2027-01-31")) - month_index(*parse_date("2026-02-01")), 11);
  EXPECT_EQ(month_index(*parse_date("2026-02-01")), month_index(*parse_date("2026-02-28")));
}

}  // namespace
}  // namespace hashpivot
