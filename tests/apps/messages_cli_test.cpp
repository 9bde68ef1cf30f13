// Input the command line cannot use ends with exit 2 and a message that says what is wrong and where
// (issue 16): never exit 3, never a silent clamp, never a message about something else.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/cli_runner.hpp"

namespace {

using namespace hashpivot::testing;

const std::string kCango = std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml";

void expect_input_error(const CliResult& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "expected \"" << message << "\" in: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// ---- scenario files that are not files --------------------------------------------------------

TEST(ScenarioFileMessages, a_directory_a_missing_file_and_an_empty_file_each_say_so) {
  const auto dir = temp_path("a_directory");
  std::filesystem::create_directories(dir);
  expect_input_error(run_cli("run " + dir.string() + " --no-record"), dir.string() + ": is a directory, not a TOML file");
  std::filesystem::remove(dir);

  const auto missing = temp_path("missing.toml");
  expect_input_error(run_cli("run " + missing.string() + " --no-record"), missing.string() + ": no such file");

  const auto empty = temp_path("empty.toml");
  std::ofstream(empty).close();
  expect_input_error(run_cli("run " + empty.string() + " --no-record"), empty.string() + ": the file is empty");
  std::filesystem::remove(empty);
}

TEST(ScenarioFileMessages, a_missing_calibration_names_the_scenarios_line_and_the_resolved_path) {
  std::ifstream in(kCango);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = "calibration = \"../data/calibration/halving_2024_market.toml\"";
  const std::size_t at = text.find(key);
  ASSERT_NE(at, std::string::npos);
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  text.replace(at, key.size(), "calibration = \"data/x.toml\"");
  const auto path = temp_path("missing_calibration.toml");
  std::ofstream(path) << text;
  const CliResult r = run_cli("run " + path.string() + " --no-record");
  const std::string resolved = (path.parent_path() / "data/x.toml").string();
  expect_input_error(r, path.string() + ":" + std::to_string(line) +
                            ": market.calibration: data/x.toml does not exist (resolved relative to the scenario's "
                            "directory: " + resolved + ")");
  std::filesystem::remove(path);
}

// ---- counts ---------------------------------------------------------------------------------------

TEST(CountFlags, scientific_notation_of_a_whole_number_is_the_number) {
  // 1e2 paths and 100 paths are the same run: the same JSON, bit for bit.
  const CliResult scientific = run_cli("run " + kCango + " --paths 1e2 --no-record --json");
  const CliResult plain = run_cli("run " + kCango + " --paths 100 --no-record --json");
  ASSERT_EQ(scientific.exit_code, 0) << scientific.err;
  EXPECT_EQ(json_output(scientific)["paths"], 100);
  EXPECT_EQ(scientific.out, plain.out);
  EXPECT_EQ(json_output(run_cli("chain subsidy 1.05e6 --json"))["height"], 1'050'000);
  EXPECT_EQ(json_output(run_cli("chain subsidy 1050000.0 --json"))["height"], 1'050'000);
  EXPECT_EQ(json_output(run_cli("chain subsidy 1.05E+06 --json"))["height"], 1'050'000);
}

TEST(CountFlags, a_fraction_a_separator_or_a_value_out_of_range_is_named_with_the_range) {
  expect_input_error(run_cli("run " + kCango + " --paths 2.5 --no-record"), "--paths: 2.5 is not a whole number of paths");
  expect_input_error(run_cli("run " + kCango + " --paths 1.5e-3 --no-record"),
                     "--paths: 1.5e-3 is not a whole number of paths");
  expect_input_error(run_cli("run " + kCango + " --paths 0 --no-record"),
                     "--paths: 0 is out of range 1\u20131,000,000,000");
  expect_input_error(run_cli("run " + kCango + " --paths 1,000 --no-record"), "--paths: 1,000 has a separator");
  expect_input_error(run_cli("run " + kCango + " --threads 1e4 --no-record"),
                     "--threads: 1e4 is out of range 1\u20131,024");
  expect_input_error(run_cli("optimize " + kCango + " --max-evaluations 1e9"),
                     "--max-evaluations: 1e9 is out of range 1\u2013100,000");
  expect_input_error(run_cli("sensitivity " + kCango + " --paths 1e10"),
                     "--paths: 1e10 is out of range 1\u20131,000,000,000");
  expect_input_error(run_cli("run " + kCango + " --seed -1 --no-record"), "--seed: -1 is out of range: must be 0 or more");
}

// ---- report --------------------------------------------------------------------------------------

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("report_cli");
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "runs.sqlite").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(ReportCli, an_id_below_1_and_an_unknown_id_say_what_the_store_holds) {
  expect_input_error(run_cli("report 0 --html x.html --db " + db_), "ID: 0 is out of range: must be 1 or more");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_cli("run " + kCango + " --paths 256 --db " + db_).exit_code, 0);
  expect_input_error(run_cli("report 7 --html x.html --db " + db_), db_ + ": ID: no run 7 in this store (it holds runs 1\u20132)");
}

TEST_F(ReportCli, json_prints_the_run_as_runs_show_does_with_the_reports_path) {
  ASSERT_EQ(run_cli("run " + kCango + " --paths 256 --db " + db_).exit_code, 0);
  const std::string html = (dir_ / "report.html").string();
  nlohmann::json report = json_output(run_cli("report 1 --json --html " + html + " --db " + db_));
  EXPECT_TRUE(std::filesystem::exists(html));
  EXPECT_EQ(report["html"], html);
  report.erase("html");
  EXPECT_EQ(report, json_output(run_cli("runs show 1 --json --db " + db_)));
  EXPECT_TRUE(json_output(run_cli("report 1 --json --db " + db_))["html"].is_null());
  expect_input_error(run_cli("report 1 --db " + db_), "--html: give --html FILE to write the report, or --json");
}

// ---- chain ---------------------------------------------------------------------------------------

TEST(ChainMessages, a_zero_negative_or_overflowing_target_is_refused_with_bitcoin_cores_reason) {
  expect_input_error(run_cli("chain target --bits 0x00000000"), "--bits: 0x00000000 decodes to a zero target");
  // 0x01003456: the mantissa shifted right by 2 bytes is 0 (Bitcoin Core's arith_uint256_tests).
  expect_input_error(run_cli("chain target --bits 0x01003456"), "--bits: 0x01003456 decodes to a zero target");
  expect_input_error(run_cli("chain target --bits 0x04923456"), "SetCompact flags it negative");
  expect_input_error(run_cli("chain target --bits 0xff123456"), "SetCompact flags it overflow");
  expect_input_error(run_cli("chain target --target 0"), "--target: a zero target is no target");
}

TEST(ChainMessages, heights_and_times_past_what_a_block_holds_are_out_of_range_not_clamped) {
  expect_input_error(run_cli("chain subsidy 99999999999999999999"),
                     "HEIGHT: 99999999999999999999 is out of range 0\u20132,147,483,647");
  expect_input_error(run_cli("chain subsidy 2147483648"), "out of range 0\u20132,147,483,647");
  EXPECT_EQ(json_output(run_cli("chain subsidy 2147483647 --json"))["subsidy_sat"], 0);
  expect_input_error(run_cli("chain hashprice --difficulty 1T --price-usd 1 --height -1"), "--height: -1 is out of range");
  expect_input_error(run_cli("chain halvings --height 1e12 --time 0"), "--height: 1e12 is out of range");
  expect_input_error(run_cli("chain retarget --bits 0x1d00ffff --first-time 0 --last-time 4294967296"),
                     "--last-time: 4294967296 is out of range 0\u20134,294,967,295");
  // The last halvings a block can reach lie past year 9999: said, not printed as a wrapped date.
  const auto far = json_output(run_cli("chain halvings --height 2147483647 --time 4294967295 --block-interval-s 86400 "
                                       "--count 64 --json"));
  EXPECT_EQ(far["halvings"][0]["est_date"], "2616-04-27");  // 186,353 days of 1-day blocks after 2106-02-07
  EXPECT_EQ(far["halvings"][63]["est_date"], "after 9999-12-31");
}

TEST(ChainVerify, the_bundled_retarget_boundary_headers_replay_with_no_mismatch) {
  const std::string file = std::string(HASHPIVOT_TEST_DATA_DIR) + "/chain/btc_retarget_boundary_headers.csv";
  const auto j = json_output(run_cli("chain verify " + file + " --json"));
  // 850 rows: every epoch's first and last block from genesis; each retarget whose epoch is complete
  // in the file (413 of them) is replayed.
  EXPECT_EQ(j["checked"], 413);
  EXPECT_TRUE(j["mismatches"].empty());
}

TEST(ChainVerify, a_file_without_bits_names_both_accepted_columns) {
  const std::string file = std::string(HASHPIVOT_TEST_DATA_DIR) + "/chain/btc_blocks_rpc_909458_943042.csv";
  expect_input_error(run_cli("chain verify " + file), "bits: missing column in the header row (expected bits or nbits_hex)");
}

// ---- calibrate windows ---------------------------------------------------------------------------

TEST(CalibrateWindowMessages, a_year_is_too_short_for_the_hashrate_fit_and_the_message_says_which_and_why) {
  for (const char* year : {"2024", "2025"}) {
    const CliResult r =
        run_cli(std::string("calibrate ") + kHistoryCsv + " --from " + year + "-01-01 --to " + year + "-12-31");
    expect_input_error(r, kHistoryCsv + ": --from/--to: 1 of 5 fits fail on " + year + "-01-01 .. " + year + "-12-31");
    EXPECT_NE(r.err.find("hashrate (series HashRate: fewer than 60 weekly hashrate changes known)"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("the other 4 fit"), std::string::npos) << r.err;
  }
}

TEST(CalibrateWindowMessages, a_month_and_three_days_name_every_fit_that_fails) {
  for (const char* to : {"2025-07-01", "2025-06-03"}) {
    const CliResult r = run_cli(std::string("calibrate ") + kHistoryCsv + " --from 2025-06-01 --to " + to);
    expect_input_error(r, "4 of 5 fits fail on 2025-06-01 .. " + std::string(to));
    for (const char* fit : {"btc_price (series PriceUSD:", "fees (", "hashrate (series HashRate:", "correlation ("})
      EXPECT_NE(r.err.find(fit), std::string::npos) << fit << " in " << r.err;
  }
}

TEST(CalibrateWindowMessages, a_window_of_three_years_fits) {
  EXPECT_EQ(run_cli(std::string("calibrate ") + kHistoryCsv + " --from 2023-01-01 --to 2025-12-31 --json").exit_code, 0);
}

// ---- the --yes guard -----------------------------------------------------------------------------

TEST(YesGuard, a_run_estimated_over_an_hour_off_a_terminal_exits_2_at_once_with_the_estimate) {
  // stdin is /dev/null, never a terminal: no question, the estimate and exit 2, after a pilot of 256 paths.
  const auto started = std::chrono::steady_clock::now();
  const CliResult r = run_cli("run " + kCango + " --paths 1e9 --no-record < /dev/null");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  expect_input_error(r, "--paths: this would take about ");
  EXPECT_NE(r.err.find(" h "), std::string::npos) << "hours: " << r.err;
  EXPECT_NE(r.err.find("1,000,000,000 paths; a pilot of 256 paths took"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pass --yes"), std::string::npos) << r.err;
  EXPECT_LT(seconds, 60.0);
  expect_input_error(run_cli("optimize " + kCango + " --strategy sell_4451_repay_ai --paths 1e8 < /dev/null"),
                     "--paths: this would take about ");
  expect_input_error(run_cli("sensitivity " + kCango + " --paths 1e9 < /dev/null"), "--paths: this would take about ");
  // 10,000 exercise dates on 10^8 paths: hours, where the default put takes seconds.
  expect_input_error(run_cli("options --american-put --spot 36 --strike 40 --rate 0.06 --vol 0.2 --maturity 1 "
                             "--steps-per-year 10000 --paths 1e8 --fit-paths 1e4 < /dev/null"),
                     "--paths: this would take about ");
}

}  // namespace
