#include "hashpivot/market/history.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

std::filesystem::path write_temp(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hashpivot_history_" + std::to_string(std::random_device{}()) + ".csv");
  std::ofstream(path) << text;
  return path;
}

TEST(DailyHistory, reads_the_real_history_with_unknowns_as_nan) {
  const auto history = read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv");
  EXPECT_EQ(format_date(history.first_day), "2009-01-03");
  EXPECT_TRUE(history.gaps.empty());
  // data/README.md sanity figure: PriceUSD on 2021-11-10 was 64,756.08.
  const auto i = history.index_of(*parse_date("2021-11-10"));
  ASSERT_TRUE(i);
  EXPECT_NEAR(history.price_usd[*i], 64756.08, 0.005);
  // Block counts are unknown from 2025-04-17 to 2025-08-10 (data/README.md): NaN, not zero.
  EXPECT_FALSE(is_known(history.block_count[*history.index_of(*parse_date("2025-05-01"))]));
}

TEST(DailyHistory, selects_a_date_range_inclusively) {
  const auto history =
      read_daily_history_csv(std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv",
                             parse_date("2025-01-01"), parse_date("2025-12-31"));
  EXPECT_EQ(history.days(), 365u);
  EXPECT_EQ(format_date(history.day(364)), "2025-12-31");
}

TEST(DailyHistory, fills_and_reports_missing_days) {
  const auto path = write_temp("time,PriceUSD\n2024-01-01,100\n2024-01-04,103\n2024-01-05,\n");
  const auto history = read_daily_history_csv(path);
  std::filesystem::remove(path);
  ASSERT_EQ(history.days(), 5u);
  ASSERT_EQ(history.gaps.size(), 1u);
  EXPECT_EQ(format_date(history.gaps[0].first_missing), "2024-01-02");
  EXPECT_EQ(history.gaps[0].missing_days, 2);
  EXPECT_FALSE(is_known(history.price_usd[1]));
  EXPECT_EQ(history.price_usd[3], 103);
  EXPECT_FALSE(is_known(history.price_usd[4]));
  EXPECT_FALSE(is_known(history.hashrate_ths[0]));  // column absent
}

void expect_error(const std::string& text, std::size_t line, const std::string& field) {
  const auto path = write_temp(text);
  try {
    (void)read_daily_history_csv(path);
    ADD_FAILURE() << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(DailyHistory, malformed_rows_name_line_and_column) {
  expect_error("time,PriceUSD\n2024-01-01,100\n2024-01-02,abc\n", 3, "PriceUSD");
  expect_error("time,PriceUSD\n2024-01-01,-1\n", 2, "PriceUSD");
  expect_error("time,PriceUSD\n2024-01-02,1\n2024-01-01,1\n", 3, "time");
  expect_error("time,PriceUSD\n2024-02-30,1\n", 2, "time");
  expect_error("date,PriceUSD\n2024-01-01,1\n", 1, "time");
}

}  // namespace
}  // namespace hashpivot::market
