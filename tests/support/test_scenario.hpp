#pragma once
// The scenario tables that test scenarios share, so that a test states only what it varies: the
// [scenario] header, the two machines tests use (an S21 and an S19 XP), a site, a fleet entry, the
// treasury, the strategies, and writing the text to a file the reader opens. Each function returns
// its table(s) followed by a blank line; a test concatenates them (with test_market_toml() for the
// [market] table) and appends any table of its own. Numbers print in the shortest form that reads
// back to the same double, so a value given here is the value the reader sees.
//
// Test inputs, not a calibrated case.

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "support/temp_file.hpp"
#include "support/test_market.hpp"

namespace hashpivot::testing {

/// The [scenario] table: `paths` 0 leaves the reader's default; `extra_lines` go inside it
/// (e.g. "terminal_ebitda_multiple = 3\n").
inline std::string scenario_toml(const std::string& name, int horizon_years, std::int64_t paths, std::int64_t seed,
                                 const std::string& extra_lines = "", double discount_rate_annual = 0.1,
                                 const std::string& start_date = "2026-02-01") {
  std::string out =
      fmt::format("[scenario]\nname = \"{}\"\nstart_date = {}\nhorizon_years = {}\n", name, start_date, horizon_years);
  if (paths > 0) out += fmt::format("paths = {}\n", paths);
  return out + fmt::format("seed = {}\ndiscount_rate_annual = {}\n", seed, discount_rate_annual) + extra_lines + "\n";
}

/// An Antminer S21: 200 TH/s at 3500 W, released in 2023.
inline std::string s21_machine_toml() {
  return "[[machines]]\nname = \"S21\"\nhashrate_th = 200\npower_w = 3500\nrelease_year = 2023\n\n";
}

/// An Antminer S19 XP: 140 TH/s at 3150 W, released in 2022; `name` as the scenario calls it.
inline std::string xp_machine_toml(const std::string& name = "XP") {
  return fmt::format("[[machines]]\nname = \"{}\"\nhashrate_th = 140\npower_w = 3150\nrelease_year = 2022\n\n", name);
}

/// A [[sites]] entry at a fixed power price; `extra_lines` follow inside it (a power_contract, a
/// [sites.conversion] table).
inline std::string site_toml(const std::string& name, double capacity_mw, double power_price_usd_per_mwh,
                             const std::string& extra_lines = "") {
  return fmt::format("[[sites]]\nname = \"{}\"\ncapacity_mw = {}\npower_price_usd_per_mwh = {}\n{}\n", name,
                     capacity_mw, power_price_usd_per_mwh, extra_lines);
}

/// A site's [sites.conversion] table (for site_toml's extra lines): a lease at `lease_usd_per_mw_year`
/// for 10 years at an 85% NOI margin; `extra_lines` follow inside it.
inline std::string conversion_toml(double capex_usd_per_mw, int lead_time_months, double lease_usd_per_mw_year,
                                   const std::string& extra_lines = "") {
  return fmt::format(
      "[sites.conversion]\ncapex_usd_per_mw = {}\nlead_time_months = {}\nlease_usd_per_mw_year = {}\nterm_years = "
      "10\nnoi_margin = 0.85\n{}",
      capex_usd_per_mw, lead_time_months, lease_usd_per_mw_year, extra_lines);
}

/// A [[fleet]] entry of `count` machines at `site`; `extra_lines` follow inside it.
inline std::string fleet_toml(const std::string& machine, const std::string& site, std::int64_t count,
                              const std::string& extra_lines = "") {
  return fmt::format("[[fleet]]\nmachine = \"{}\"\nsite = \"{}\"\ncount = {}\n{}\n", machine, site, count, extra_lines);
}

/// The [treasury] table; `sga_usd_per_year` 0 leaves the reader's default (none).
inline std::string treasury_toml(double btc, double cash_usd, double sga_usd_per_year,
                                 const std::string& extra_lines = "") {
  std::string out = fmt::format("[treasury]\nbtc = {}\ncash_usd = {}\n", btc, cash_usd);
  if (sga_usd_per_year != 0) out += fmt::format("sga_usd_per_year = {}\n", sga_usd_per_year);
  return out + extra_lines + "\n";
}

/// A [[debt]] term loan named `name`: interest at `rate_annual` paid daily, principal due at `maturity`.
inline std::string term_debt_toml(const std::string& name, double principal_usd, double rate_annual,
                                  const std::string& maturity) {
  return fmt::format(
      "[[debt]]\nname = \"{}\"\nkind = \"term\"\nprincipal_usd = {}\nrate_annual = {}\nmaturity = {}\n\n", name,
      principal_usd, rate_annual, maturity);
}

/// A [[debt]] BTC-backed loan named `name`: `collateral_btc` pledged, topped up to `ltv_target` on a
/// call at `ltv_call`, liquidated at `ltv_liquidation`.
inline std::string btc_backed_debt_toml(const std::string& name, double principal_usd, double rate_annual,
                                        const std::string& maturity, double collateral_btc, double ltv_target,
                                        double ltv_call = 0.7, double ltv_liquidation = 0.85) {
  return fmt::format(
      "[[debt]]\nname = \"{}\"\nkind = \"btc_backed\"\nprincipal_usd = {}\nrate_annual = {}\nmaturity = {}\n"
      "collateral_btc = {}\nltv_target = {}\nltv_call = {}\nltv_liquidation = {}\n\n",
      name, principal_usd, rate_annual, maturity, collateral_btc, ltv_target, ltv_call, ltv_liquidation);
}

/// A [[strategies]] entry; `extra_lines` follow inside it.
inline std::string strategy_toml(const std::string& name, const std::string& extra_lines = "") {
  return fmt::format("[[strategies]]\nname = \"{}\"\n{}\n", name, extra_lines);
}

/// The two strategies most tests compare: "hold" and "sell_all" (sells every BTC mined).
inline std::string hold_and_sell_all_toml() {
  return strategy_toml("hold") + strategy_toml("sell_all", "sell = \"sell_all_mined\"\n");
}

/// A firm without machines whose best one-off sale tests/study/optimizer_test.cpp knows in closed
/// form: `btc` BTC and no cash, a zero-rate term loan of `loan_usd` due 2027-01-31 (the last day of
/// a one-year horizon from 2026-02-01, which `scenario_table` must give), BTC on GBM with
/// `drift_annual`, and one strategy, "sell_then_hold", that sells `sale_btc` into cash on day 0
/// (`strategy_lines` go first inside it).
inline std::string sell_then_hold_toml(const std::string& scenario_table, double drift_annual, double btc,
                                       double loan_usd, double sale_btc, const std::string& strategy_lines = "") {
  const std::string sale = fmt::format("[[strategies.sales]]\ndate = 2026-02-01\nbtc = {}\nuse = \"cash\"\n", sale_btc);
  return scenario_table +
         test_market_toml(fmt::format("btc_price_model = \"gbm\"\nbtc_price_drift_annual = {}", drift_annual)) +
         site_toml("none", 0, 50) + treasury_toml(btc, 0, 0) + term_debt_toml("loan", loan_usd, 0, "2027-01-31") +
         strategy_toml("sell_then_hold", strategy_lines + sale);
}

/// The S21 miner most command-line tests run: 10,000 S21 at a 40 MW site paying
/// `power_price_usd_per_mwh`, after `scenario_table` (scenario_toml) and the shared market (with
/// `market_lines`); the treasury and the rest (debt, strategies) follow.
inline std::string s21_miner_toml(const std::string& scenario_table, double power_price_usd_per_mwh,
                                  const std::string& market_lines = "") {
  return scenario_table + test_market_toml(market_lines) + s21_machine_toml() +
         site_toml("site", 40, power_price_usd_per_mwh) + fleet_toml("S21", "site", 10000);
}

/// Writes `text` to temp_file_path(`name`) and returns its path; the caller removes it (or use TempFile).
inline std::filesystem::path write_temp_file(const std::string& name, const std::string& text) {
  const auto path = temp_file_path(name);
  std::ofstream(path) << text;
  return path;
}

/// The scenario `text` as io::read_scenario reads it from a file named `name` (removed afterwards).
inline firm::Scenario read_test_scenario(const std::string& name, const std::string& text) {
  const std::filesystem::path path = write_temp_file(name, text);
  firm::Scenario s = io::read_scenario(path.string());
  std::filesystem::remove(path);
  return s;
}

}  // namespace hashpivot::testing
