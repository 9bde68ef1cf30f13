// A number right in another unit is caught before any simulation, with a hint at the unit.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::io {
namespace {

// Test inputs; each test swaps one line for the same quantity in a wrong unit.
const std::string kScenario = testing::scenario_toml("units", 1, 0, 1) + testing::test_market_toml() +
                              testing::s21_machine_toml() + testing::site_toml("site", 10, 75.8) +
                              testing::fleet_toml("S21", "site", 100) + testing::treasury_toml(0, 1e6, 0) +
                              testing::strategy_toml("hold");

/// The line of the text's first `key`, counted from 1.
std::size_t line_of(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

InputError read_with(const std::string& from, const std::string& to) {
  std::string text = kScenario;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const auto path = testing::write_temp_file("scenario_units_test.toml", text);
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
  EXPECT_NO_THROW((void)testing::read_test_scenario("scenario_units_ok.toml", kScenario));
}

TEST(ScenarioUnits, a_power_price_in_usd_per_kwh_is_caught_with_the_conversion) {
  const InputError e = read_with("power_price_usd_per_mwh = 75.8", "power_price_usd_per_mwh = 0.0758");
  EXPECT_EQ(e.field(), "sites[1].power_price_usd_per_mwh");
  EXPECT_EQ(e.line(), line_of(kScenario, "power_price_usd_per_mwh"));
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
