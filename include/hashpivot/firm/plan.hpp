#pragma once
// A scenario and one of its strategies flattened into fixed arrays for the daily step
// (firm/accounts.hpp). Built once per (scenario, strategy) by make_plan; read-only afterwards.
//
// Days are indices: day 0 is the scenario's start date, day d is start_date + d. Every name carries
// its unit: _usd, _btc, _th (TH/s), _w, _mw, _usd_per_mwh, _per_day, _annual (fraction per year).
// A year is 365 days and a month 365/12 days (core/units.hpp).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::firm {

inline constexpr std::size_t kNoIndex = std::numeric_limits<std::size_t>::max();
inline constexpr int kNoDay = std::numeric_limits<int>::min();     // in service since before any day
inline constexpr int kNeverDay = std::numeric_limits<int>::max();  // never retired

/// One fleet entry: all machines of one model at one site.
struct PlanFleet {
  double machine_count;
  double hashrate_th_total;        // count × machine hashrate, TH/s
  double power_w_total;            // count × machine power, W (IT power, before PUE)
  double uptime;                   // fraction of the day hashing when switched on
  double efficiency_j_per_th;      // machine power / machine hashrate
  double failure_rate_annual;      // machines lost per year: survival (1 − f)^(day/365)
  double log_survival_per_day;     // ln(1 − f) / 365, so survival = exp(day × this) (f = 1: −inf)
  double book_value_usd;           // carrying value at day 0
  double secondary_usd_per_th;     // what a machine sells for second hand, USD per TH/s (NaN: no price)
  // The days the entry is in service, [from, until): a refreshed entry from its delivery, a replaced
  // one until its replacement's delivery (0 and kNeverDay for the scenario's fleet). Survival
  // counts from `from`.
  int in_service_from_day = 0;
  int in_service_until_day = kNeverDay;
  double depreciation_usd_per_day; // straight line: book / (depreciation_years × 365)
  std::size_t site;                // index into FirmPlan::sites
  int in_service_day = kNoDay;     // first day hashing (kNoDay: always was)
  int retire_day = kNeverDay;      // first day no longer hashing (kNeverDay: never)
  // Expected share of machines not out for repair: 1 / (1 + λ · R), λ the repaired failures per
  // machine-day and R the repair delay in days (each machine alternates up-times of mean 1/λ and
  // repairs of R days). Expected value, not a draw: on a fleet of ~350,000 machines the binomial
  // noise around it is sqrt(p(1 − p)/n) < 0.2% of the fleet, far inside the other uncertainties.
  double repair_availability = 1.0;
  double nameplate_mw;             // power_w_total × pue / 10^6: the draw a hosting contract bills
  // Per-day coefficients of the rules, each linear in what varies, so the daily step multiplies
  // instead of dividing (rules.hpp):
  double load_mw_all_running;                     // power_w_total × uptime × pue / 10^6
  double btc_per_day_per_hashprice;               // fpps_btc_per_day(hashrate_th_total, uptime, 1, pool_fee)
  double breakeven_usd_per_mwh_per_hashprice_usd; // breakeven_power_price_usd_per_mwh(1, efficiency, pue, pool_fee)
};

/// The fraction of the entry's machines still hashing on `day`: 0 outside its days in service, else
/// (1 − f)^((day − from)/365), as one exp of the precomputed log (1 when f = 0).
[[nodiscard]] inline double fleet_survival(const PlanFleet& f, int day) {
  if (day < f.in_service_from_day || day >= f.in_service_until_day) return 0.0;
  return f.failure_rate_annual > 0.0
             ? std::exp(f.log_survival_per_day * static_cast<double>(day - f.in_service_from_day))
             : 1.0;
}

/// The fraction of the entry's machines that can hash on `day` apart from [[downtime]] events:
/// survival × in service (in_service_day <= day < retire_day) × repair availability. Exactly
/// fleet_survival for an undated entry without repairs (× 1.0).
[[nodiscard]] inline double fleet_available_undisturbed(const PlanFleet& f, int day) {
  const double in_service = day >= f.in_service_day && day < f.retire_day ? 1.0 : 0.0;
  return fleet_survival(f, day) * in_service * f.repair_availability;
}

/// One site: power, overheads and (optionally) what converting it to AI/HPC costs and earns.
/// The power contract is split (firm::Site): the energy price per MWh drawn (fixed, the day's
/// index, or the index plus energy_margin_usd_per_mwh) is what curtailment can avoid; the fixed
/// charge and the take-or-pay floor are paid whether the machines run or not.
struct PlanSite {
  double capacity_mw;
  double pue;                              // facility / IT power, >= 1
  bool index_power;                        // true: the day's market price (+ margin); false: the fixed price
  double fixed_power_price_usd_per_mwh;    // the energy price of a fixed contract (index: the price at day 0)
  double curtailment_credit_usd_per_mwh;   // paid per MWh not drawn when curtailed (curtailment + demand response)
  double energy_margin_usd_per_mwh;        // pass_through: added to the index price (0 otherwise)
  double fixed_cost_usd_per_mw_day;        // kW-month hosting fee + fixed share, per contracted MW per day
  double take_or_pay_fraction;             // of contracted energy (contracted MW × 24 h), paid regardless
  double max_curtailed_hours_per_year;     // curtailment rights in full-site hours (infinity: unlimited)
  int fixed_end_day = kNeverDay;           // from this day no fixed charge or take-or-pay floor (the term's end)
  // True when the site needs the site-level decision of day_steps::mine_site (a take-or-pay floor
  // or limited curtailment rights); false: each entry decides alone (day_steps::mine_fleet_entry).
  bool site_level_decision;
  std::vector<std::size_t> merit_order;    // the site's fleet entries, most efficient first
  double opex_usd_per_mw_day;              // fixed opex per MW of (unconverted) capacity per day
  double mining_it_mw;                     // Σ fleet IT power at the site, MW (what conversion displaces)
  bool has_conversion;
  // Conversion terms (meaningful when has_conversion).
  double capex_usd_per_mw;
  double tenant_funded_fraction;
  int lead_time_days;                      // round(lead_time_months × 365/12)
  int term_days;                           // term_years × 365
  double noi_margin;
  // Lease per MW per day for contract years 1..term_years: lease_usd_per_mw_year(base, escalator,
  // year) / 365, so the daily step needs no pow (rules.hpp).
  std::vector<double> lease_usd_per_mw_day_by_contract_year;
  // Project finance (firm/project_finance.hpp). The firm's capex (after the tenant's share) is lent
  // at this share as it is paid, and repaid as a daily annuity over the term from the first day of
  // revenue, interest simple at the daily rate; recourse to the firm (service continues after a
  // tenant default).
  double project_debt_loan_to_cost = 0.0;
  double project_debt_rate_annual = 0.0;
  bool lease_terminal = false;             // ConversionTerminal::kContractedLease
  double residual_value_usd_per_mw = 0.0;
  double lease_discount_rate_annual = 0.0; // the lease's and residual's valuation rate
  double lease_daily_factor = 1.0;         // survival / discount per day (lease_daily_factor)
};

/// One debt. Day indices are relative to the start date.
struct PlanDebt {
  DebtKind kind;
  double principal_usd;            // at day 0
  double rate_annual;              // simple, actual/365, paid daily in cash
  int maturity_day;                // the day the remainder is repaid (or converted)
  bool linear;                     // linear amortization (else bullet)
  double collateral_btc;           // btc_backed: pledged at day 0
  double ltv_call;
  double ltv_liquidation;
  double ltv_target;
  double conversion_price_usd;     // convertible: converted into equity at maturity when price >= this
  double conversion_price_usd_per_share = 0;  // convertible into shares (> 0): see firm/equity.hpp
  double limit_usd;                // revolver: drawable up to this principal until maturity
  double covenant_min_cash_usd;    // accelerated when cash ends a day below this; 0 = none
  // Refinancing (scenario.hpp Refinancing): rolled at maturity when the strategy refinances and the
  // debt has terms; refinance_max_rolls 0 = never rolled.
  int refinance_max_rolls;
  int refinance_tenor_days;
  double refinance_rate_annual;
  double refinance_max_ltv;
  double refinance_min_interest_coverage;
  double refinance_fee_fraction;
};

/// A one-off BTC sale of the strategy.
struct PlanSale {
  int day;
  double btc;
  SaleUse use;
  std::size_t debt;                // kRepayDebt: index into FirmPlan::debts, else kNoIndex
};

/// A refresh of the strategy (scenario.hpp Refresh): its machines are fleet entry `entry` (appended
/// after the scenario's fleet, book 0 until delivery).
struct PlanRefresh {
  int order_day;
  int delivery_day;
  std::size_t entry;               // the bought machines' fleet entry
  double count;                    // machines bought
  double cost_usd;                 // count × hashrate × usd_per_th
  double deposit_usd;              // cost × deposit_fraction, paid on the order day
  std::size_t replaced_entry;      // the fleet entry sold on delivery, or kNoIndex
  double replaced_count;           // its machines still in service on the delivery day
  double replaced_sale_usd;        // what they sell for: hashrate still in service × replaced_usd_per_th
};

/// A [[fleet]] entry's deployment capex (FleetEntry::capex_usd), when its in-service day lies in the
/// run: paid in cash and added to the entry's book on `day`.
struct PlanDeployment {
  int day;
  std::size_t entry;
  double capex_usd;
};

/// A [[fleet]] entry's relocation cost (Relocation::cost_usd), when its day lies in the run: paid in
/// cash and expensed (opex) on `day`.
struct PlanRelocation {
  int day;
  std::size_t entry;               // the entry that leaves its site
  double cost_usd;
};

/// The most option legs one strategy may hold over a run (a collar is two): the plan keeps them in
/// a fixed array, so the daily step walks a short array and never allocates.
inline constexpr std::size_t kMaxHedgeLegs = 8;

/// One option leg of a strategy's hedges (scenario.hpp Hedge): European, cash-settled. On buy_day
/// the premium position × notional × Black–Scholes(the day's price, strike, rate, volatility,
/// maturity_years) leaves cash (a sold leg, position −1, receives it); on expiry_day the payoff
/// position × notional × max(±(S − K), 0) enters cash (a sold call pays it).
struct PlanHedgeLeg {
  bool call = false;               // false: a put
  double position = 0;             // +1 bought, −1 sold
  double strike_usd_per_btc = 0;
  double notional_btc = 0;
  int buy_day = 0;
  int expiry_day = 0;              // buy_day + tenor, inside the horizon
  double maturity_years = 0;       // tenor / 365
};

/// The most forward months and power swaps one strategy may hold over a run (a forward is one leg
/// per month, a swap one leg): a fixed array, as the option legs.
inline constexpr std::size_t kMaxSwapLegs = 36;

/// One leg of a strategy's hashprice forwards and power swaps (scenario.hpp Hedge), settled over the
/// days [start_day, end_day).
/// - A forward's month (power = false): each day accrues (fixed − the day's hashprice index,
///   USD/PH/day) × quantity (PH/s) into the month-to-date P&L, settled in cash on end_day − 1; while
///   the month-to-date P&L is a loss it is posted as variation margin. Initial margin
///   initial_margin_usd is posted over [margin_from_day, margin_until_day): the contract's first
///   day to its last settlement day (returned that day). A forward's months share those two days
///   and each carries its share of the contract's initial margin.
/// - A power swap (power = true): each day (the site's index price − fixed, USD/MWh) × quantity (MW)
///   × 24 h in cash; no margin.
struct PlanSwapLeg {
  bool power = false;              // false: a hashprice forward's month; true: a power swap
  std::size_t site = kNoIndex;     // power swap: index into FirmPlan::sites
  double quantity = 0;             // PH/s (forward) or MW (swap)
  double fixed_price = 0;          // USD per PH/s per day (forward) or USD/MWh (swap)
  int start_day = 0;
  int end_day = 0;                 // exclusive; a forward's month settles on end_day − 1
  double initial_margin_usd = 0;
  int margin_from_day = 0;
  int margin_until_day = 0;        // exclusive
};

/// Everything step_day needs, sized at construction; step_day never resizes it.
struct FirmPlan {
  std::vector<PlanFleet> fleet;
  std::vector<PlanSite> sites;
  std::vector<PlanDebt> debts;
  std::vector<PlanSale> sales;     // in scenario order; several may fall on one day
  std::vector<PlanRefresh> refreshes;  // in scenario order
  std::vector<PlanDeployment> deployments;  // fleet entries with capex, in fleet order
  std::vector<PlanRelocation> relocations;  // fleet entries with a relocation cost, in fleet order

  // Fleet availability, day-major: [day × fleet.size() + entry] for days 0 … horizon_days − 1
  // (later days compute fleet_available_undisturbed): survival (1 − f)^(day/365) × in service ×
  // repair availability × (1 − the day's [[downtime]] fraction at the entry's site, events
  // combining as independent shares: Π (1 − fraction)). The same bits as the exp for an undated
  // fleet; a table because the exp was a tenth of the daily step's time, and so that step_day
  // looks up no date or event.
  std::vector<double> fleet_availability_by_day;
  // Per site, day-major [day × sites.size() + site] for days 0 … horizon_days − 1: the nameplate
  // draw at the meter (power × PUE, MW) of the site's machines in service that day (dates only: a
  // storm does not stop a hosting bill). What a contract's fixed charges are billed on.
  std::vector<double> site_deployed_mw_by_day;
  int horizon_days;

  // Treasury and company.
  double opening_cash_usd;
  double opening_free_btc;
  double opening_price_usd_per_btc;  // market.btc_price_usd: the mark of the opening balance sheet
  double tax_rate;
  double pool_fee;
  double sga_usd_per_day;
  // Square-root impact of the day's BTC sales: c = k × σ_daily / sqrt(V_daily), 1/sqrt(BTC), so that
  // selling Q BTC in a day costs price × c × Q^(3/2) (rules.hpp, sale_proceeds_usd). 0: no impact.
  double sale_impact_per_sqrt_btc;

  // Strategy.
  SellPolicy sell_policy;
  double sell_fraction;
  double cash_floor_months;
  CurtailPolicy curtail_policy;
  PivotPolicy pivot_policy;
  std::size_t pivot_site;          // kNoIndex when pivot_policy == kNone
  double pivot_mw;                 // MW of critical IT converted
  int pivot_day;                   // kSchedule: the decision day
  double pivot_hashprice_below_usd_per_ph_day;  // kTrigger
  int pivot_trigger_days;                       // kTrigger: consecutive days below, then decide
  bool sell_displaced;                          // sell the machines the pivot displaces on its decision day
  // Hedges: legs [0, hedge_leg_count) of hedge_legs, priced at the scenario's [hedges] terms. Legs
  // of zero notional are left out, so a zero-size hedge leaves the plan as without it.
  std::array<PlanHedgeLeg, kMaxHedgeLegs> hedge_legs{};
  std::size_t hedge_leg_count = 0;
  double hedge_volatility_annual = 0;           // implied σ per √year
  double hedge_rate_annual = 0;                 // risk-free r, continuously compounded

  // Shares and ATM equity (firm/equity.hpp). shares_outstanding 0: the scenario has no shares, no
  // share price is kept and none of the rules below runs.
  double shares_outstanding = 0;                // at day 0
  double nav_multiple = 1;                      // the multiple's level; a path may scale it (FirmState::nav_multiple)
  bool has_atm = false;                         // the strategy has an ATM programme of positive size and cap
  int atm_from_day = 0;
  double atm_size_usd = 0;                      // gross, over the run
  double atm_raise_usd = 0;                     // gross, sold from atm_from_day regardless of need
  double atm_max_shares_per_day = 0;            // max_volume_share × daily_volume_shares
  double atm_discount = 0;
  double atm_fee = 0;
  double atm_floor_usd_per_share = 0;
  double atm_min_market_cap_usd = 0;
  AtmRemedy atm_remedy = AtmRemedy::kNone;
  // Hashprice forwards (one leg per month) and power swaps: legs [0, swap_leg_count) of swap_legs.
  // Zero-size ones are left out, so a zero-size forward or swap leaves the plan as without it.
  std::array<PlanSwapLeg, kMaxSwapLegs> swap_legs{};
  std::size_t swap_leg_count = 0;

  // Which of the day's rules can act under this plan: a rule whose flag is false would only walk
  // its sites or debts and find nothing to do, so step_day skips it (a tenth of its instructions
  // on Cango's `hold`, docs/speed.md). make_plan sets them with live_rules; a plan built field by
  // field keeps every rule live.
  struct LiveRules {
    bool site_decisions = true;  // a site decides as a whole (PlanSite::site_level_decision: mine_site)
    bool conversions = true;     // a pivot can convert a site: its lease, capex and project debt
    bool refinancing = true;     // a debt may roll (PlanDebt::refinance_max_rolls > 0)
    bool covenants = true;       // a debt has a minimum-cash covenant
    bool revolvers = true;       // a revolver can be drawn (the last remedy)
    bool share_price = true;     // the day's share price is read: an ATM, or a convertible priced per share
  } live;
};

/// The rules that can act under `plan` (FirmPlan::LiveRules), from its sites, debts and pivot
/// policy: a site's conversion (and with it its lease, capex and project debt) comes only from
/// the pivot (day_steps::decide_pivot).
[[nodiscard]] FirmPlan::LiveRules live_rules(const FirmPlan& plan);

/// The share of entry `entry`'s machines able to hash on `day`, from the plan's table within the
/// horizon (fleet_available_undisturbed after it: no downtime event lies past the horizon).
[[nodiscard]] inline double fleet_availability(const FirmPlan& plan, std::size_t entry, int day) {
  if (day >= 0 && day < plan.horizon_days)
    return plan.fleet_availability_by_day[static_cast<std::size_t>(day) * plan.fleet.size() + entry];
  return fleet_available_undisturbed(plan.fleet[entry], day);
}

/// The nameplate MW in service at site `k` on `day` (the plan's table within the horizon, the
/// fleet's dates after it).
[[nodiscard]] inline double site_deployed_mw(const FirmPlan& plan, std::size_t k, int day) {
  if (day >= 0 && day < plan.horizon_days) return plan.site_deployed_mw_by_day[static_cast<std::size_t>(day) * plan.sites.size() + k];
  double mw = 0.0;
  for (const PlanFleet& f : plan.fleet)
    if (f.site == k && day >= f.in_service_day && day < f.retire_day) mw += f.nameplate_mw;
  return mw;
}

/// The contracted MW of site `k` on `day`: site_deployed_mw less the MW converted (at least 0).
template <class T>
[[nodiscard]] inline T site_contracted_mw(const FirmPlan& plan, std::size_t k, int day, T converted_mw) {
  return lanes::max(T{}, site_deployed_mw(plan, k, day) - converted_mw);
}

/// Flattens `scenario` and its strategy number `strategy`.
/// Preconditions (asserted; io::read_scenario rejects a file that breaks them, so breaking them in
/// a scenario built in code is a bug): strategy < scenario.strategies.size(); every name a fleet
/// entry, a sale or a pivot refers to (machine, site, debt) resolves; a pivot's site has conversion
/// terms and a scheduled pivot has a date; the hedges need at most kMaxHedgeLegs legs, each with a
/// positive strike and tenor, traded and expiring inside the horizon; the forwards and swaps need at
/// most kMaxSwapLegs legs and end inside the horizon, a swap's site follows the power index.
[[nodiscard]] FirmPlan make_plan(const Scenario& scenario, std::size_t strategy);

}  // namespace hashpivot::firm
