#include "hashpivot/io/peers.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/toml_reader.hpp"

namespace hashpivot::io {
namespace {

// Numbers as the shortest text that reads back to the same double: equal text, equal value.
std::string number_text(double value) { return fmt::format("{}", value); }

std::string optional_text(const std::optional<double>& value) { return value ? number_text(*value) : "(none)"; }

std::string file_text(const firm::Scenario& scenario, const std::string& relative) {
  if (relative.empty()) return "(none)";
  std::error_code error;
  return std::filesystem::absolute(resolve_scenario_path(scenario, relative), error).lexically_normal().string();
}

}  // namespace

std::vector<SharedKey> peer_shared_keys(const firm::Scenario& s) {
  const firm::MarketSetup& m = s.market;
  return {
      {"scenario.start_date", format_date(s.run.start_date)},
      {"scenario.horizon_years", std::to_string(s.run.horizon_years)},
      {"scenario.seed", std::to_string(s.run.seed)},
      {"market.calibration", file_text(s, m.calibration_file)},
      {"market.btc_price_model", std::string(firm::keyword(m.btc_price_model))},
      {"market.btc_price_usd", number_text(m.btc_price_usd)},
      {"market.fees_btc_per_block", number_text(m.fees_btc_per_block)},
      {"market.hashrate_model", std::string(firm::keyword(m.hashrate_model))},
      {"market.network_hashrate_ehs", number_text(m.network_hashrate_ehs)},
      {"market.height", std::to_string(m.height)},
      {"market.bits", fmt::format("0x{:08x}", m.bits)},
      {"market.epoch_first_block_time_unix", std::to_string(m.epoch_first_block_time_unix)},
      {"market.btc_price_drift_annual", optional_text(m.btc_price_drift_annual)},
      {"market.hashrate_drift_annual", optional_text(m.hashrate_drift_annual)},
      {"market.network_supply_share_annual", optional_text(m.network_supply_share_annual)},
      {"market.history", file_text(s, m.history_file)},
  };
}

void check_peer_scenarios(std::span<const firm::Scenario> scenarios) {
  if (scenarios.empty()) return;
  const firm::Scenario& first = scenarios.front();
  const std::vector<SharedKey> reference = peer_shared_keys(first);
  for (std::size_t i = 1; i < scenarios.size(); ++i) {
    const firm::Scenario& s = scenarios[i];
    const std::vector<SharedKey> keys = peer_shared_keys(s);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (keys[k].value == reference[k].value) continue;
      throw InputError(s.source, line_of_key(s.source, keys[k].key), keys[k].key,
                       fmt::format("{} here, {} in {}: a peer group runs every firm on the same markets, so its "
                                   "scenarios share the [scenario] dates and seed and every [market] key",
                                   keys[k].value, reference[k].value, first.source));
    }
  }
}

model::MarketModel load_peer_market_model(std::span<const firm::Scenario> scenarios) {
  for (const firm::Scenario& s : scenarios)
    if (firm::has_index_site(s)) return load_market_model(s);
  return load_market_model(scenarios.front());
}

PeerArgument parse_peer_argument(const std::string& text) {
  // A strategy follows the last ':' unless that ':' belongs to the path (a Windows drive, or a
  // name like "a:b.toml" that exists as a file).
  const std::size_t colon = text.rfind(':');
  PeerArgument argument{text, "", ""};
  if (colon != std::string::npos && colon != 0 && !std::filesystem::exists(text))
    argument = {text.substr(0, colon), text.substr(colon + 1), ""};
  argument.label = std::filesystem::path(argument.path).stem().string();
  if (!argument.strategy.empty()) argument.label += ":" + argument.strategy;
  return argument;
}

std::vector<PeerArgument> parse_peer_arguments(std::span<const std::string> texts) {
  if (texts.empty()) throw InputError("command line", 0, "SCENARIO", "give at least one scenario");
  std::vector<PeerArgument> arguments;
  for (const std::string& text : texts) {
    arguments.push_back(parse_peer_argument(text));
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i)
      if (arguments[i].label == arguments.back().label)
        throw InputError("command line", 0, "SCENARIO",
                         fmt::format("{} and {} are the same firm (label \"{}\"): list each firm once", texts[i],
                                     text, arguments.back().label));
  }
  return arguments;
}

std::size_t peer_strategy_index(const firm::Scenario& scenario, const std::string& strategy) {
  if (strategy.empty()) return 0;
  std::string names;
  for (std::size_t i = 0; i < scenario.strategies.size(); ++i) {
    if (scenario.strategies[i].name == strategy) return i;
    names += (i == 0 ? "" : ", ") + scenario.strategies[i].name;
  }
  throw InputError("command line", 0, "SCENARIO",
                   fmt::format("{} has no strategy \"{}\" (it has: {})", scenario.source, strategy, names));
}

}  // namespace hashpivot::io
