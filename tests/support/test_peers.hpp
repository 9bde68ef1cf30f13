#pragma once
// Two firms of one peer group for tests (sim::run_peers, io::check_peer_scenarios): the same markets,
// different fleets, power, pools, shares and discount rates.

#include <string>

#include "support/test_scenario.hpp"

namespace hashpivot::testing {

// Test inputs, not a calibrated case. Firm A buys power at an index (so the peer market simulates
// the energy index that firm B's own market does not), has a convertible tenant lease with a
// default hazard and a BTC-backed loan; firm B has fixed power, a PPLNS pool (its luck draws),
// shares with a dispersed NAV multiple, and a different discount rate.
inline std::string firm_a_toml() {
  const std::string texas = "power_contract = \"index\"\ncurtailment_credit_usd_per_mwh = 5\n" +
                            conversion_toml(9e6, 12, 1.7e6, "tenant_default_prob_annual = 0.05\n");
  return scenario_toml("firm A", 2, 300, 11, "terminal_ebitda_multiple = 3\n") + test_market_toml() +
         xp_machine_toml() + site_toml("hosted", 400, 70) + site_toml("texas", 60, 40, texas) +
         fleet_toml("XP", "hosted", 100000, "uptime = 0.9\nbook_value_usd = 100e6\n") + fleet_toml("XP", "texas", 15000) +
         treasury_toml(2000, 60e6, 30e6, "pool_fee = 0.02\n") +
         btc_backed_debt_toml("btc_loan", 120e6, 0.09, "2027-06-01", 2500, 0.5) + strategy_toml("hold") +
         strategy_toml("convert", "pivot = \"schedule\"\npivot_site = \"texas\"\npivot_mw = 40\npivot_date = 2026-03-01\n");
}

inline std::string firm_b_toml(const std::string& start_date = "2026-02-01", const std::string& market_lines = "") {
  return scenario_toml("firm B", 2, 300, 11, "terminal_ebitda_multiple = 2\n", 0.12, start_date) +
         test_market_toml(market_lines) + s21_machine_toml() + site_toml("owned", 120, 45) +
         fleet_toml("S21", "owned", 30000, "uptime = 0.95\n") + treasury_toml(500, 20e6, 10e6) +
         "[pool]\nscheme = \"pplns\"\nshare_of_network = 0.05\nfee = 0.02\n\n" +
         "[firm]\nshares_outstanding = 100e6\n\n[equity]\nnav_multiple = 1.2\nnav_multiple_dispersion = 0.3\n\n" +
         strategy_toml("sell_production", "sell = \"sell_all_mined\"\n");
}

}  // namespace hashpivot::testing
