#pragma once
// A scenario's inputs in a page's worth of numbers, for people: the fleet's hashrate (EH/s) and
// efficiency (J/TH), each site's power price ($/MWh), the treasury, the debt schedule, the market
// at the start, and each strategy in one sentence. The HTML report and the dashboard show it in
// place of the scenario file (which stays available in full).

#include <nlohmann/json.hpp>
#include <string>

#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::report {

/// One sentence that says what the strategy does, from its policies, e.g. "Keeps every BTC it mines;
/// switches machines off when power costs more than they earn; sells 4,451 BTC on 2026-02-08 to
/// repay btc_loan."
[[nodiscard]] std::string strategy_sentence(const firm::Strategy& strategy);

/// The summary as JSON (units in the key names):
///   run      {name, start_date, horizon_years, discount_rate_annual, terminal_ebitda_multiple}
///   market   {btc_price_model, btc_price_usd, network_hashrate_ehs, fees_btc_per_block,
///             hashrate_model, btc_price_drift_annual, hashrate_drift_annual (null: calibrated)}
///   fleet    {hashrate_ehs, efficiency_j_per_th (hashrate-weighted), power_mw (at the meter,
///             pue and uptime included), entries: [{machine, site, count, hashrate_ehs,
///             efficiency_j_per_th, uptime, power_mw}]}
///   sites    [{name, capacity_mw, power_contract, power_price_usd_per_mwh, pue,
///             curtailment_credit_usd_per_mwh, opex_usd_per_mw_year, conversion (a sentence or null)}]
///   treasury {btc, cash_usd, sga_usd_per_year, tax_rate, pool_fee}
///   debt     [{name, kind, principal_usd, rate_annual, maturity, amortization, terms (a sentence)}],
///            by maturity
///   strategies [{name, sentence}]
[[nodiscard]] nlohmann::json inputs_summary_json(const firm::Scenario& scenario);

}  // namespace hashpivot::report
