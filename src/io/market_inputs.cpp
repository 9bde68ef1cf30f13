#include "hashpivot/io/market_inputs.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>
#include <optional>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/io/toml_reader.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::io {

std::string resolve_scenario_path(const firm::Scenario& scenario, const std::string& relative) {
  const std::filesystem::path p(relative);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(scenario.source).parent_path() / p).lexically_normal().string();
}

std::string existing_scenario_file(const firm::Scenario& scenario, const std::string& key, const std::string& relative) {
  const std::string resolved = resolve_scenario_path(scenario, relative);
  std::error_code error;
  const auto status = std::filesystem::status(resolved, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_directory(status)) return resolved;
  const std::string problem = std::filesystem::exists(status) ? "is a directory, not a file" : "does not exist";
  const std::string where =
      std::filesystem::path(relative).is_absolute()
          ? ""
          : fmt::format(" (resolved relative to the scenario's directory: {})",
                        std::filesystem::absolute(resolved, error).lexically_normal().string());
  throw InputError(scenario.source, line_of_key(scenario.source, key), key,
                   fmt::format("{} {}{}", relative, problem, where));
}

model::MarketInputs read_market_inputs(const firm::Scenario& scenario) {
  model::MarketInputs inputs;
  inputs.calibration =
      read_calibration_toml(existing_scenario_file(scenario, "market.calibration", scenario.market.calibration_file));
  if (scenario.market.btc_price_model == firm::PriceModel::kBlockBootstrap) {
    inputs.bootstrap_source = existing_scenario_file(scenario, "market.history", scenario.market.history_file);
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
