// A number right in another unit is caught before any simulation, with a hint at the unit.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::io {
namespace {

// Test inputs; each test swaps one line for the same quantity in a wrong unit.
const std::string kScenario = R"([scenario]
name = "units"
start_date = 2026-02-01
horizon_years = 1
seed = 1
discount_rate_annual = 0.1

[market]
calibration = "calibration.toml"
btc_price_usd = 78702.39
fees_btc_per_block = 0.019
network_hashrate_ehs = 866.2
height = 934542
bits = "0x1701fca1"
epoch_first_block_time_unix = 1769110282

[[machines]]
name = "S21"
hashrate_th = 200
power_w = 3500
release_year = 2023

[[sites]]
name = "site"
capacity_mw = 10
power_price_usd_per_mwh = 75.8

[[fleet]]
machine = "S21"
site = "site"
count = 100

[treasury]
btc = 0
cash_usd = 1e6

[[strategies]]
name = "hold"
)";

InputError read_with(const std::string& from, const std::string& to) {
  std::string text = kScenario;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  // One file per process: ctest runs these tests in parallel processes.
  const auto path = std::filesystem::temp_directory_path() / ("scenario_units_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  try {
    (void)read_scenario(path.string());
  } catch (const InputError& e) {
    std::filesystem::remove(path);
    return e;
  }
  std::filesystem::remove(path);
  ADD_FAILURE() << "no error for " << to;
  return InputError("", 0, "", "");
}

TEST(ScenarioUnits, the_valid_scenario_reads) {
  const auto path = std::filesystem::temp_directory_path() / "scenario_units_ok.toml";
  std::ofstream(path) << kScenario;
  EXPECT_NO_THROW((void)read_scenario(path.string()));
  std::filesystem::remove(path);
}

TEST(ScenarioUnits, a_power_price_in_usd_per_kwh_is_caught_with_the_conversion) {
  const InputError e = read_with("power_price_usd_per_mwh = 75.8", "power_price_usd_per_mwh = 0.0758");
  EXPECT_EQ(e.field(), "sites[1].power_price_usd_per_mwh");
  EXPECT_EQ(e.line(), 26u);
  EXPECT_NE(e.problem().find("USD/kWh"), std::string::npos) << e.problem();
}

TEST(ScenarioUnits, machine_power_in_kw_is_caught_by_its_efficiency) {
  const InputError e = read_with("power_w = 3500", "power_w = 3.5");
  EXPECT_EQ(e.field(), "machines[1].power_w");
  EXPECT_NE(e.problem().find("J/TH"), std::string::npos) << e.problem();
}

TEST(ScenarioUnits, network_hashrate_in_th_per_s_is_caught) {
  const InputError e = read_with("network_hashrate_ehs = 866.2", "network_hashrate_ehs = 866.2e6");
  EXPECT_EQ(e.field(), "market.network_hashrate_ehs");
  EXPECT_NE(e.problem().find("EH/s"), std::string::npos) << e.problem();
}

TEST(ScenarioUnits, fees_in_sat_are_caught) {
  const InputError e = read_with("fees_btc_per_block = 0.019", "fees_btc_per_block = 1900000");
  EXPECT_EQ(e.field(), "market.fees_btc_per_block");
}

}  // namespace
}  // namespace hashpivot::io
