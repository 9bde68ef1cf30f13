// libFuzzer target: io::read_calibration_toml on arbitrary bytes (seeds: data/calibration/*.toml),
// then what a run does with a calibration: model::build_market_model for each BTC price model (with
// the bundled scenario that has an index-priced site, so the energy model is built too) and a
// month of market days on one path.
//
// Expected: a calibration and a market, or an InputError. A calibration that is read and built
// into a model, then fails an assertion or throws anything else while the market runs, is a finding:
// a user would see a crash or exit 3 for numbers in a file.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/model/market_model.hpp"

namespace {

constexpr std::uint32_t kDaysToStep = 31;
constexpr std::size_t kBootstrapReturns = 64;

const hashpivot::firm::Scenario& bundled_scenario() {
  static const hashpivot::firm::Scenario scenario = hashpivot::io::read_scenario(HASHPIVOT_FUZZ_SCENARIO);
  return scenario;
}

// Daily log returns for the block bootstrap (the model only needs some): a fixed, varied sample.
std::vector<double> bootstrap_returns() {
  std::vector<double> returns(kBootstrapReturns);
  for (std::size_t i = 0; i < returns.size(); ++i) returns[i] = 0.03 * std::sin(static_cast<double>(i));
  return returns;
}

void run_market(const hashpivot::model::MarketModel& model) {
  using namespace hashpivot;
  const random::CounterRng rng(1);
  model::MarketPathState state = model::start_market_path(model, rng, 0);
  model::MarketDay day{};
  for (std::uint32_t d = 0; d < kDaysToStep; ++d) model::step_market_day(model, rng, 0, d, state, day);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hashpivot;
  static fuzz::TempInput file("calibration.toml");
  static const std::vector<double> returns = bootstrap_returns();
  const firm::Scenario& bundled = bundled_scenario();
  const std::string& path = file.write(data, size);

  market::Calibration calibration;
  bool read = false;
  fuzz::expect_only_input_errors("calibration_reader", [&] {
    calibration = io::read_calibration_toml(path);
    read = true;
  });
  if (!read) return 0;
  for (const firm::PriceModel price_model : {firm::PriceModel::kGbm, firm::PriceModel::kJumpDiffusion,
                                            firm::PriceModel::kRegimeSwitching, firm::PriceModel::kBlockBootstrap}) {
    firm::Scenario scenario = bundled;
    scenario.market.btc_price_model = price_model;
    const model::MarketInputs inputs{calibration, returns, "fuzz"};
    fuzz::expect_only_input_errors("calibration_reader (market model)", [&] {
      const model::MarketModel model = model::build_market_model(scenario, inputs);
      run_market(model);
    });
  }
  return 0;
}
