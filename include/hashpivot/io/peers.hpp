#pragma once
// A peer group: several firms' scenarios run on the same simulated markets (`hashpivot peers`,
// sim::run_peers). They must agree on what makes the markets: the [scenario] dates and seed, and
// every [market] key (its files compared as resolved paths). Each firm keeps everything else: its
// fleet, sites, treasury, debt, shares, discount rate and terminal value.

#include <span>
#include <string>
#include <vector>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::io {

/// The [scenario] and [market] keys that every scenario of a peer group shares, with the value of
/// each in `scenario` as text ("2026-02-01", "78702.39", a file as its resolved path).
struct SharedKey {
  std::string key;    // "scenario.start_date", "market.btc_price_usd", …
  std::string value;
};
[[nodiscard]] std::vector<SharedKey> peer_shared_keys(const firm::Scenario& scenario);

/// Throws InputError naming the later scenario, the key's line in it and the key, when a scenario
/// of `scenarios` has a shared key (peer_shared_keys) whose value differs from the first's, e.g.
/// "scenarios/peers/riot.toml:14: scenario.start_date: 2026-01-01 here, 2026-02-01 in
/// scenarios/peers/mara.toml: a peer group runs every firm on the same markets".
void check_peer_scenarios(std::span<const firm::Scenario> scenarios);

/// The market of a peer group whose scenarios passed check_peer_scenarios: built from the first
/// scenario that buys power at an index (so the energy index is simulated when some firm needs
/// it), else from the first. Every other process is the same whichever scenario builds it.
[[nodiscard]] model::MarketModel load_peer_market_model(std::span<const firm::Scenario> scenarios);

/// One firm of a peer group as named on the command line: "FILE" (the scenario's first strategy)
/// or "FILE:STRATEGY".
struct PeerArgument {
  std::string path;
  std::string strategy;  // "" = the first
  std::string label;     // the file's stem ("mara"), then ":STRATEGY" when one is named
};
[[nodiscard]] PeerArgument parse_peer_argument(const std::string& text);

/// Parses every argument; InputError("command line", 0, "SCENARIO", …) when two give the same label
/// (a firm listed twice) or fewer than one is given.
[[nodiscard]] std::vector<PeerArgument> parse_peer_arguments(std::span<const std::string> texts);

/// The index of `strategy` in `scenario` (0 for ""); InputError("command line", 0, "SCENARIO", …)
/// listing the scenario's strategies when it has none of that name.
[[nodiscard]] std::size_t peer_strategy_index(const firm::Scenario& scenario, const std::string& strategy);

}  // namespace hashpivot::io
