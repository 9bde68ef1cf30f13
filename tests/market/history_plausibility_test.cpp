// A history's implausible prices and daily returns are warnings at their file:line:column, not
// errors: a one-day price of 8.4e9 (the case) and a file of prices in cents.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/market/history.hpp"

namespace hashpivot::market {
namespace {

std::filesystem::path write_temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

TEST(HistoryPlausibility, a_price_spike_in_a_history_is_warned_at_its_line_and_column) {
  // A one-day price of 8.4e9 among ~$80,000 days: the price itself and the returns into and out of it.
  const std::string text = "time,BlkCnt,PriceUSD\n2026-01-01,144,80000\n2026-01-02,144,8.4e9\n2026-01-03,144,81000\n";
  const std::filesystem::path path = write_temp_file("plausibility_spike.csv", text);
  const DailyHistory history = read_daily_history_csv(path);
  std::filesystem::remove(path);
  ASSERT_EQ(history.warnings.size(), 3u);
  for (const InputWarning& w : history.warnings) {
    EXPECT_EQ(w.field, "PriceUSD");
    EXPECT_EQ(w.column, 3u);
  }
  EXPECT_EQ(history.warnings[0].line, 3u);
  EXPECT_NE(history.warnings[0].problem.find("8,400,000,000 is outside the plausible range 0.005–1,260,000 USD/BTC"),
            std::string::npos)
      << history.warnings[0].problem;
  EXPECT_EQ(history.warnings[1].line, 3u);  // ln(8.4e9 / 80,000) = 11.56
  EXPECT_NE(history.warnings[1].problem.find("11.56"), std::string::npos) << history.warnings[1].problem;
  EXPECT_EQ(history.warnings[2].line, 4u);  // ln(81,000 / 8.4e9) = -11.55
  EXPECT_EQ(history.warnings[0].message().substr(history.warnings[0].message().find(".csv")), ".csv:3:3: PriceUSD: " +
            history.warnings[0].problem);
}

TEST(HistoryPlausibility, a_history_lists_ten_warnings_and_counts_the_rest) {
  // Prices in cents, every day of 2026's first 40: 40 implausible prices, no return.
  std::string text = "time,PriceUSD\n";
  for (int day = 1; day <= 31; ++day) text += "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + ",8000000\n";
  for (int day = 1; day <= 9; ++day) text += "2026-02-0" + std::to_string(day) + ",8000000\n";
  const std::filesystem::path path = write_temp_file("plausibility_thousands.csv", text);
  const DailyHistory history = read_daily_history_csv(path);
  std::filesystem::remove(path);
  ASSERT_EQ(history.warnings.size(), kMaxHistoryWarnings + 1);
  EXPECT_EQ(history.warnings.back().problem, "and 30 more implausible prices or returns");
}

}  // namespace
}  // namespace hashpivot::market
