// End-to-end tests of `hashpivot calibrate`: JSON shape, the TOML fragment, and bad input.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result run(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto out = dir / ("hashpivot_calibrate_out_" + std::to_string(::getpid()));
  const auto err = dir / ("hashpivot_calibrate_err_" + std::to_string(::getpid()));
  const int status = std::system((std::string(HASHPIVOT_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string()).c_str());
  Result result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

const std::string kHistory = std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";

TEST(CalibrateCli, json_is_keyed_by_factor_and_model_and_names_the_history_window) {
  const Result r = run("calibrate " + kHistory + " --from 2016-01-01 --to 2020-07-27 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["history"]["from"], "2016-01-01");
  EXPECT_EQ(j["history"]["to"], "2020-07-27");
  EXPECT_EQ(j["history"]["days"], 1670);  // 2016-01-01 … 2020-07-27 inclusive
  const auto& corr = j["correlation"]["daily_shocks"];
  EXPECT_TRUE(corr.contains("btc_price_hashrate"));
  EXPECT_TRUE(corr["se"]["btc_price_hashrate"].is_number());
}

TEST(CalibrateCli, toml_fragment_parses_and_carries_the_same_values_as_json) {
  const auto path = std::filesystem::temp_directory_path() / ("hashpivot_calibration_" + std::to_string(::getpid()) + ".toml");
  const Result r = run("calibrate " + kHistory + " --from 2016-01-01 --to 2020-07-27 --json --toml " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
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
  const auto toml = std::filesystem::temp_directory_path() / ("hashpivot_never_" + std::to_string(::getpid()) + ".toml");
  Result r = run("calibrate " + kHistory + " --from 2016-13-01 --toml " + toml.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(toml));

  const auto bad = std::filesystem::temp_directory_path() / ("hashpivot_bad_history_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(bad) << "time,PriceUSD,HashRate\n2020-01-01,7000,1e8\n2020-01-02,n/a,1e8\n";
  r = run("calibrate " + bad.string() + " --toml " + toml.string());
  std::filesystem::remove(bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":3: PriceUSD:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(toml));
}

}  // namespace
