#include "hashpivot/io/market_inputs.hpp"

#include <filesystem>
#include <optional>

#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::io {

std::string resolve_scenario_path(const firm::Scenario& scenario, const std::string& relative) {
  const std::filesystem::path p(relative);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(scenario.source).parent_path() / p).lexically_normal().string();
}

model::MarketInputs read_market_inputs(const firm::Scenario& scenario) {
  model::MarketInputs inputs;
  inputs.calibration = read_calibration_toml(resolve_scenario_path(scenario, scenario.market.calibration_file));
  if (scenario.market.btc_price_model == firm::PriceModel::kBlockBootstrap) {
    inputs.bootstrap_source = resolve_scenario_path(scenario, scenario.market.history_file);
    // Only returns before the start date: a run must not see its own future.
    const market::DailyHistory history =
        market::read_daily_history_csv(inputs.bootstrap_source, std::nullopt, scenario.run.start_date - 1);
    inputs.bootstrap_returns = market::btc_log_returns(history);
  }
  return inputs;
}

model::MarketModel load_market_model(const firm::Scenario& scenario) {
  return model::build_market_model(scenario, read_market_inputs(scenario));
}

}  // namespace hashpivot::io
