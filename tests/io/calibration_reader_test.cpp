#include "hashpivot/io/calibration_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/core/error.hpp"

namespace hashpivot::io {
namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path;
}

TEST(CalibrationReader, reads_parameters_and_standard_errors_by_factor_and_model) {
  const auto path = write_temp("calibration_reader_ok.toml", R"(
# comment
[market.btc_price.gbm]
mu_annual = 0.5
sigma_annual = 0.6

[market.btc_price.gbm.se]
mu_annual = 0.2

[market.fees.log_ou_spikes]
kappa_per_day = 0.1
)");
  const market::Calibration c = read_calibration_toml(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(c.reports.size(), 2u);
  const market::FitReport& gbm = c.report("btc_price", "gbm");
  EXPECT_EQ(market::report_parameter(gbm, "mu_annual"), 0.5);
  EXPECT_EQ(market::find_estimate(gbm, "mu_annual").se, 0.2);
  EXPECT_TRUE(std::isnan(market::find_estimate(gbm, "sigma_annual").se));
  EXPECT_TRUE(c.has("fees", "log_ou_spikes"));
  EXPECT_FALSE(c.has("fees", "gbm"));
  EXPECT_THROW((void)c.report("hashrate", "exogenous"), InputError);
}

TEST(CalibrationReader, names_file_line_and_key_of_a_non_number) {
  const auto path = write_temp("calibration_reader_bad.toml", "[market.btc_price.gbm]\nmu_annual = 0.5\nsigma_annual = \"high\"\n");
  try {
    (void)read_calibration_toml(path.string());
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.field(), "market.btc_price.gbm.sigma_annual");
  }
  std::filesystem::remove(path);
}

TEST(CalibrationReader, reads_every_shipped_calibration_with_every_factor_the_engine_needs) {
  for (const char* name : {"default_market.toml", "halving_2024_market.toml"}) {
    const market::Calibration c = read_calibration_toml(std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration/" + name);
    for (const auto& [factor, model] : {std::pair{"btc_price", "jump_diffusion"}, {"btc_price", "regime_switching"},
                                        {"fees", "log_ou_spikes"}, {"hashrate", "exogenous"},
                                        {"correlation", "daily_shocks"}, {"energy", "log_ou_spikes_hourly"}})
      EXPECT_TRUE(c.has(factor, model)) << name << ": " << factor << "." << model;
  }
}

}  // namespace
}  // namespace hashpivot::io
