#pragma once
// A scenario as plain values: the horizon and sampling, the market set-up, the firm (machines,
// sites, fleet, pool, treasury, debt, taxes) and the named strategies to compare.
// Read and validated by io::read_scenario (docs/scenario.md documents every field and unit).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"

namespace hashpivot::firm {

struct RunSettings {
  std::string name;
  DayNumber start_date;
  int horizon_years;            // 1–10
  std::int64_t paths;
  std::uint64_t seed;
  double discount_rate_annual;  // for NPV of free cash flow to equity
  double terminal_ebitda_multiple;  // 0 = run-off (no terminal value)
};

struct MarketSetup {
  std::string calibration_file;     // TOML fragment from `hashpivot calibrate`, relative to the scenario
  std::string btc_price_model;      // gbm | jump_diffusion | regime_switching | block_bootstrap
  double btc_price_usd;             // at start_date
  double fees_btc_per_block;        // at start_date
  std::string hashrate_model;       // exogenous | margin_driven
  double network_hashrate_ehs;      // at start_date
  std::int64_t height;              // first block height on start_date
  std::uint32_t bits;               // compact bits in force at start_date
  std::int64_t epoch_first_block_time_unix;  // timestamp of the current epoch's first block
  // Optional overrides of calibrated drifts (a stated view instead of the history's average).
  std::optional<double> btc_price_drift_annual;   // μ of the price process, per year
  std::optional<double> hashrate_drift_annual;    // mean log growth of network hashrate, per year
  std::string history_file;         // block_bootstrap: the daily history whose returns are resampled
};

struct MachineModel {
  std::string name;
  double hashrate_th;    // TH/s per machine
  double power_w;        // W per machine
  int release_year;
  double price_usd;      // purchase price of a new machine, for replacement; 0 if unknown

  [[nodiscard]] double efficiency_j_per_th() const { return power_w / hashrate_th; }
};

struct Conversion {
  double capex_usd_per_mw;
  double tenant_funded_fraction;       // share of capex the tenant pays
  int lead_time_months;                // decision to first revenue: the MW neither mine nor earn
  double lease_usd_per_mw_year;        // first-year lease revenue per MW of critical IT
  double escalator_annual;
  int term_years;
  double noi_margin;                   // net operating income / lease revenue
  double tenant_default_prob_annual;
};

struct Site {
  std::string name;
  double capacity_mw;
  double pue;                          // facility power / IT power, >= 1
  std::string power_contract;          // fixed | index
  double power_price_usd_per_mwh;      // fixed: all-in price; index: the price at start_date
  double curtailment_credit_usd_per_mwh;
  double opex_usd_per_mw_year;
  std::optional<Conversion> conversion;
};

struct FleetEntry {
  std::string machine;
  std::string site;
  std::int64_t count;
  double uptime;                       // fraction of time hashing when switched on
  double failure_rate_annual;          // fraction of machines lost per year
  double book_value_usd;               // carrying value at start_date
  double depreciation_years;
};

struct Debt {
  std::string name;
  std::string kind;                    // term | btc_backed | convertible | revolver
  double principal_usd;
  double rate_annual;
  DayNumber maturity;
  std::string amortization;            // bullet | linear
  // btc_backed
  double collateral_btc = 0;
  double ltv_call = 0;                 // top up collateral from free BTC above this LTV
  double ltv_liquidation = 0;          // collateral sold by the lender above this LTV
  double ltv_target = 0;               // LTV restored by a top-up
  // convertible
  double conversion_price_usd = 0;
  // revolver
  double limit_usd = 0;
  // Any kind: a minimum-liquidity covenant. When the firm's cash ends a day below this, the debt
  // is accelerated (all principal due in cash that day). 0 = no covenant.
  double covenant_min_cash_usd = 0;
};

struct Treasury {
  double btc;                          // free BTC (not pledged)
  double cash_usd;
  double sga_usd_per_year;             // corporate overhead
  double tax_rate;                     // on positive pre-tax income
  double pool_fee;                     // FPPS fee, fraction
};

struct OneOffSale {
  DayNumber date;
  double btc;
  std::string use;                     // cash | capex | repay:<debt name>
};

/// A range that `hashpivot optimize` searches for one named strategy parameter
/// (firm/strategy_parameters.hpp), in that parameter's unit: low < high, both inside the
/// parameter's valid range for the strategy (io::read_scenario checks).
struct SearchRange {
  std::string parameter;               // e.g. "sale_btc", "pivot_mw", "pivot_day"
  double low = 0;
  double high = 0;
};

struct Strategy {
  std::string name;
  std::string sell_policy;             // hold | sell_all_mined | sell_fraction | cash_floor
  double sell_fraction = 0;            // sell_fraction: share of each day's production sold
  double cash_floor_months = 0;        // cash_floor: sell BTC to keep this many months of costs
  std::vector<OneOffSale> sales;
  std::string curtail_policy;          // never | economic
  std::string pivot_policy;            // none | schedule | trigger
  std::string pivot_site;
  double pivot_mw = 0;
  std::optional<DayNumber> pivot_date;                 // schedule
  double pivot_hashprice_below_usd_per_ph_day = 0;     // trigger
  int pivot_trigger_days = 0;                          // trigger: consecutive days below
  std::vector<SearchRange> search;                     // [strategies.search]: ranges the optimizer searches by default
};

struct Scenario {
  std::string source;                  // the file it was read from
  RunSettings run;
  MarketSetup market;
  std::vector<MachineModel> machines;
  std::vector<Site> sites;
  std::vector<FleetEntry> fleet;
  Treasury treasury;
  std::vector<Debt> debts;
  std::vector<Strategy> strategies;
};

}  // namespace hashpivot::firm
