// Every calibration window of the bundled history either fits or is refused as an input error (exit 2, with
// the file and the window named): never an internal error (exit 3). A deterministic sample of the grid
// {quarter starts 2010..2026} × {30, 90, 365, 1000 days}, plus the windows users ask for most.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "apps/cli_runner.hpp"
#include "hashpivot/core/date.hpp"

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

void expect_fit_or_input_error(const std::string& from, const std::string& to) {
  const Result r = run_cli(fmt::format("calibrate {} --from {} --to {} --json", kHistoryCsv, from, to));
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << from << " .. " << to << ": exit " << r.exit_code << "\n" << r.err;
  if (r.exit_code == 2) {
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(kHistoryCsv), std::string::npos) << "the error names the history: " << r.err;
  }
}

TEST(CalibrateWindows, the_2025_window_and_the_default_window_fit_or_fail_as_input) {
  expect_fit_or_input_error("2025-01-01", "2025-12-31");
  expect_fit_or_input_error("2024-01-01", "2025-12-31");
  expect_fit_or_input_error("2022-01-01", "2026-08-21");
}

TEST(CalibrateWindows, a_sample_of_quarter_starts_and_lengths_never_ends_in_an_internal_error) {
  const std::vector<int> lengths{30, 90, 365, 1000};
  // Quarter q = 0 … 67 from 2010-Q1, every fifth; the length cycles so each meets every part of the history.
  for (int q = 0; q < 68; q += 5) {
    const std::string from = fmt::format("{:04}-{:02}-01", 2010 + q / 4, 1 + 3 * (q % 4));
    const int length = lengths[static_cast<std::size_t>(q / 5) % lengths.size()];
    expect_fit_or_input_error(from, hashpivot::format_date(*hashpivot::parse_date(from) + length - 1));
  }
}

}  // namespace
