// End-to-end tests of `hashpivot calibrate`: JSON shape, the TOML fragment, and bad input.

#include <gtest/gtest.h>

#include "apps/cli_runner.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace {

using namespace hashpivot::testing;
using Result = CliResult;

TEST(CalibrateCli, json_is_keyed_by_factor_and_model_and_names_the_history_window) {
  const auto j = json_output(run_cli("calibrate " + kHistoryCsv + " --from 2016-01-01 --to 2020-07-27 --json"));
  EXPECT_EQ(j["history"]["from"], "2016-01-01");
  EXPECT_EQ(j["history"]["to"], "2020-07-27");
  EXPECT_EQ(j["history"]["days"], 1670);  // 2016-01-01 … 2020-07-27 inclusive
  const auto& corr = j["correlation"]["daily_shocks"];
  EXPECT_TRUE(corr.contains("btc_price_hashrate"));
  EXPECT_TRUE(corr["se"]["btc_price_hashrate"].is_number());
}

TEST(CalibrateCli, toml_fragment_parses_and_carries_the_same_values_as_json) {
  const auto path = temp_path("calibration.toml");
  const auto j = json_output(run_cli("calibrate " + kHistoryCsv + " --from 2016-01-01 --to 2020-07-27 --json --toml " + path.string()));
  const toml::table table = toml::parse_file(path.string());
  std::filesystem::remove(path);
  int compared = 0;
  for (const auto& [factor, models] : j.items()) {
    if (factor == "history") continue;
    for (const auto& [model, fields] : models.items())
      for (const auto& [name, value] : fields.items()) {
        if (!value.is_number()) continue;
        if (name == "observations" || name == "log_likelihood") continue;
        const auto from_toml = table["market"][factor][model][name].value<double>();
        ASSERT_TRUE(from_toml.has_value()) << factor << "." << model << "." << name;
        EXPECT_NEAR(*from_toml, value.get<double>(), 1e-12 * std::max(1.0, std::abs(value.get<double>())))
            << factor << "." << model << "." << name;
        ++compared;
      }
  }
  EXPECT_GE(compared, 3);
}

TEST(CalibrateCli, bad_dates_and_malformed_history_exit_2_and_write_nothing) {
  const auto toml = temp_path("never.toml");
  Result r = run_cli("calibrate " + kHistoryCsv + " --from 2016-13-01 --toml " + toml.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(toml));

  const auto bad = temp_path("bad_history.csv");
  std::ofstream(bad) << "time,PriceUSD,HashRate\n2020-01-01,7000,1e8\n2020-01-02,n/a,1e8\n";
  r = run_cli("calibrate " + bad.string() + " --toml " + toml.string());
  std::filesystem::remove(bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":3: PriceUSD:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(toml));
}

// Too little data for a fit is the input's problem, not a bug: exit 2 naming the file and the column
// (these surfaced as "internal error", exit 3, when the fits threw std::invalid_argument).
TEST(CalibrateCli, too_short_a_history_exits_2_naming_the_file_and_column) {
  const Result r = run_cli("calibrate " + kHistoryCsv + " --from 2020-01-01 --to 2020-01-30 --json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // The window, then each fit that fails with its column (issue 16: a window's message names all three).
  EXPECT_NE(r.err.find(kHistoryCsv + ": --from/--to: 4 of 5 fits fail on 2020-01-01 .. 2020-01-30 (30 days)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("btc_price (series PriceUSD: BTC price calibration needs at least 100 daily log returns"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CalibrateCli, gpu_prices_without_the_reference_gpus_exit_2_naming_the_file) {
  const auto gpu = temp_path("gpu_prices.csv");
  std::ofstream(gpu) << "timestamp_utc,gpu_type,socket_type,median\n2025-06-01T00:00:00Z,B200,SXM6,5.5\n";
  const Result r =
      run_cli("calibrate " + kHistoryCsv + " --from 2016-01-01 --to 2020-07-27 --gpu-prices " + gpu.string());
  std::filesystem::remove(gpu);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(gpu.string() + ": gpu_type: needs a100_80gb_sxm4 and h100_80gb_sxm5"), std::string::npos) << r.err;
}

// Every shipped calibration must be what its own "Regenerate with" command produces today, so a
// change to a model or to the data cannot leave it stale.
void expect_reproduced_by_its_regenerate_command(const std::string& shipped_path) {
  SCOPED_TRACE(shipped_path);
  const std::string data_dir = HASHPIVOT_TEST_DATA_DIR;
  const std::string shipped_text = slurp(shipped_path);
  const std::string marker = "# Regenerate with: hashpivot ";
  const auto at = shipped_text.find(marker);
  ASSERT_NE(at, std::string::npos);
  std::string args = shipped_text.substr(at + marker.size(), shipped_text.find('\n', at) - at - marker.size());
  // Paths in the command are relative to the project root, where data/ lives.
  for (std::size_t p = args.find(" data/"); p != std::string::npos; p = args.find(" data/", p + 1))
    args.replace(p + 1, 4, data_dir);
  const auto fresh_path = temp_path("fresh_default.toml");
  args.replace(args.find("--toml "), std::string::npos, "--toml " + fresh_path.string());
  const Result r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  const toml::table shipped = toml::parse(shipped_text);
  const toml::table fresh = toml::parse_file(fresh_path.string());
  std::filesystem::remove(fresh_path);
  int compared = 0;
  shipped["market"].as_table()->for_each([&](const toml::key& factor, const toml::table& models) {
    models.for_each([&](const toml::key& model, const toml::table& fields) {
      fields.for_each([&](const toml::key& name, const toml::value<double>& value) {
        const auto now = fresh["market"][factor.str()][model.str()][name.str()].value<double>();
        ASSERT_TRUE(now.has_value()) << factor << "." << model << "." << name;
        EXPECT_NEAR(*now, value.get(), 1e-9 * std::max(1.0, std::abs(value.get()))) << factor << "." << model << "." << name;
        ++compared;
      });
    });
  });
  EXPECT_GE(compared, 40);
}

TEST(CalibrateCli, every_shipped_calibration_is_reproduced_by_its_regenerate_command) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration")) {
    if (entry.path().extension() != ".toml") continue;
    expect_reproduced_by_its_regenerate_command(entry.path().string());
    ++files;
  }
  EXPECT_GE(files, 2);  // default_market.toml and halving_2024_market.toml
}

}  // namespace
