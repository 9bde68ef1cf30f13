#pragma once
// One day of a miner's full accounts for one path: income statement, cash flow, BTC flows and the
// balance sheet, advanced by a pure, allocation-free step (docs/model.md §4).
//
// Accounting conventions
// - BTC (free and pledged) is carried at market value. Each day the BTC held at the start of the day
//   is re-marked from the previous mark to today's price; the difference is an unrealized gain/loss
//   in net income (btc_revaluation_gain_usd). Every BTC flow of the day happens at today's price, so
//   a sale realizes no further gain, except its market impact: a sale fills below today's price
//   (rules::sale_proceeds_usd) and the difference is a realized loss (slippage_usd) in pre-tax and
//   net income. Mined BTC is revenue at today's price (non-cash).
// - Proceeds of BTC sales are an investing cash flow (BTC is a held asset; mining revenue is
//   non-cash). Operating cash flow = HPC net revenue + curtailment credits − power − opex − SG&A −
//   interest − tax. Investing = BTC sale proceeds + machine sale proceeds + hedge cash flow + margin
//   returned − margin posted − capex. Financing = debt drawn − debt repaid in cash. Collateral sold by a lender and convertibles converted into equity are non-cash.
// - Tax: tax_rate × max(0, pre-tax income excluding the unrealized BTC revaluation), paid in cash the
//   same day; no loss carry-forward, no deferred tax on the revaluation.
// - PP&E: fleet book values depreciate straight line (book / (depreciation_years × 365) a day) until
//   zero. Conversion capex is capitalized as paid and depreciated straight line over the lease term
//   from the first day of revenue. Machines displaced by a conversion are not impaired. A refresh's
//   deposit is capex into PP&E on its order day (not depreciated); on delivery the balance is capex
//   and the machines' book is the whole price, depreciated from that day; the machines it replaces
//   leave PP&E at book value for their secondary price, the difference a gain (or loss) in pre-tax
//   income. A [[fleet]] entry's deployment capex (in service within the run) is capex into its book
//   on the in-service day, depreciated from that day; a relocation's cost is opex on its day.
// - Equity = paid-in capital + retained earnings. Opening paid-in capital is 0 and opening retained
//   earnings are set so that the opening balance sheet (at the scenario's BTC price) balances; net
//   income goes to retained earnings; a converted convertible adds its principal to paid-in capital;
//   ATM shares add their net proceeds (the agents' fee charged against paid-in capital), a financing
//   cash flow.
//   Assets = liabilities + equity holds after every day.
// - Hedges are on a cash basis: option premiums and payoffs, forward settlements and swap payments
//   are realized income the day the cash moves; a forward's unsettled month-to-date P&L is not
//   carried. Margin posted on forwards is an asset (cash restricted with the counterparty), moved
//   out of and back into cash as an investing flow, never income.
// - Default: the firm defaults on the day its cash stays negative after every remedy. From then on
//   the state is frozen (step_day does nothing) and the engine values equity to holders at zero.

#include <array>
#include <cstddef>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "hashpivot/firm/plan.hpp"

namespace hashpivot::firm {

/// One debt's balances (FirmPlan::debts order).
struct DebtState {
  double principal_usd;
  double collateral_btc;                   // pledged BTC (btc_backed; 0 otherwise)
  int maturity_day;                        // the plan's, moved on by each roll (firm/refinancing.hpp)
  double rate_annual;                      // the plan's, the refinancing rate after a roll
  int rolls = 0;                           // times rolled on this path
  bool operator==(const DebtState&) const = default;
};

/// One fleet entry's balances (FirmPlan::fleet order).
struct FleetState {
  double book_usd;                         // carrying value, net of depreciation
  double in_place = 1.0;                   // share of the entry's machines not sold (its depreciation scales with it)
  bool operator==(const FleetState&) const = default;
};

/// One site's conversion to AI/HPC (FirmPlan::sites order).
struct SiteState {
  double conversion_book_usd;              // capitalized conversion capex, net of depreciation
  double converted_mw;                     // MW decided for conversion (leave mining that day)
  int conversion_decision_day;             // -1 when none
  int conversion_revenue_day;              // first day of lease revenue, -1 when none
  // Days of lease revenue after which the tenant defaults and pays nothing more (kTenantNeverDefaults
  // by default; the engine draws it from the tenant's default probability). The MW stay converted
  // (irreversible) and the capex keeps depreciating; no re-letting is assumed.
  int tenant_default_after_days;
  // Curtailment rights (PlanSite::max_curtailed_hours_per_year): full-site hours curtailed in the
  // contract year `curtailment_year` (day / 365); -1 before the first day.
  double curtailed_hours_in_year;
  int curtailment_year;
  // Project debt of the conversion (PlanSite::project_debt_loan_to_cost): the balance, and the
  // daily annuity payment fixed on the first day of revenue (0 before).
  double project_debt_usd = 0.0;
  double project_debt_payment_usd = 0.0;
  bool operator==(const SiteState&) const = default;
};

/// The firm's state between days: company-wide balances, and one struct per debt, fleet entry and
/// site (an array of structs per path; the vectors are sized by make_state and never resized by
/// step_day, so a path's state is copied without allocating once sized).
struct FirmState {
  double cash_usd;
  double free_btc;                         // unpledged BTC
  std::vector<DebtState> debts;            // per FirmPlan::debts
  std::vector<FleetState> fleet;           // per FirmPlan::fleet
  std::vector<SiteState> sites;            // per FirmPlan::sites
  double ppe_book_usd;                     // Σ fleet book + Σ site conversion book
  double paid_in_capital_usd;
  double retained_earnings_usd;
  double btc_mark_price_usd;               // the price BTC is carried at (last day's price)
  int trigger_days_below;                  // consecutive days with hashprice below the pivot trigger
  // EBITDA per day, exponentially weighted over kTrailingEbitdaDays (from the first day's): what a
  // lender's interest-coverage test at a refinancing looks at.
  double trailing_ebitda_usd_per_day;
  int refinancings;                        // debts rolled on this path so far
  bool defaulted;
  int default_day;                         // -1 while solvent
  // Shares (firm/equity.hpp; all 0 when the plan has no shares).
  double shares_outstanding = 0;           // at day 0 the plan's; + ATM sales + conversions
  double nav_multiple = 1;                 // the path's m (make_state: the plan's level; the engine draws it)
  double share_price_usd = 0;              // the day's price per share (step 1b) where the plan reads one, USD
  double atm_sold_usd = 0;                 // gross ATM sales so far (against the programme's size)
  // Hashprice forwards (FirmPlan::swap_legs order): each leg's month-to-date P&L, USD, settled and
  // reset on the month's last day (0 for power swaps, which settle daily).
  std::array<double, kMaxSwapLegs> swap_accrued_usd{};
  // Margin posted on the forwards (initial + variation), USD: cash restricted with the counterparty
  // and returned, so an asset of the balance sheet (beside cash), never an expense.
  double margin_posted_usd = 0.0;
};

inline constexpr int kTenantNeverDefaults = std::numeric_limits<int>::max();

/// The opening state: the plan's cash, free BTC, debts and collateral, fleet book values, BTC
/// marked at the opening price, paid-in capital 0 and retained earnings balancing the sheet.
[[nodiscard]] FirmState make_state(const FirmPlan& plan);

/// One day's market as seen by the firm.
struct DayMarket {
  double price_usd_per_btc;
  double hashprice_btc_per_ph_day;
  double hashprice_usd_per_ph_day;
  /// Per site (FirmPlan::sites order): the day's mean power price, USD/MWh. Used by index sites;
  /// fixed-price sites use their contract price. May be empty when every site is fixed.
  std::span<const double> power_usd_per_mwh;
  /// Optional: sites × 24 hourly prices (site-major), USD/MWh, for economic curtailment at index
  /// sites (rules::curtail_hourly). Empty: curtailment decides on the daily price for the whole day.
  std::span<const double> hourly_power_usd_per_mwh;
  /// The pool's luck (model/pool_luck.hpp): the day's BTC mined are the FPPS amount × this. 1 under
  /// FPPS (and in a backtest); drawn by the engine per path-day under PPLNS or TIDES.
  double pool_luck = 1.0;
};

/// The day's accounts. Every field is for this day only; step_day overwrites all of them.
struct DayAccounts {
  // Income statement, USD.
  double mining_revenue_usd;        // BTC mined × price
  double hpc_revenue_usd;           // lease × MW × NOI margin (net operating income)
  double power_cost_usd;
  double curtailment_credit_usd;
  double opex_usd;                  // site fixed opex + relocation costs
  double sga_usd;
  double ebitda_usd;                // mining + HPC + credits − power − opex − SG&A
  double depreciation_usd;
  double interest_usd;
  double btc_revaluation_gain_usd;  // unrealized, on BTC held at the start of the day
  double slippage_usd;              // realized loss of the day's BTC sales (firm's and lenders') against
                                    // the day's price: the market impact of [market_impact]
  double pretax_income_usd;         // EBITDA − depreciation − interest + machine sale gain + hedge cash flow
                                    // + revaluation − slippage
  double tax_usd;
  double net_income_usd;
  // Cash flow, USD (operating + investing + financing = total = Δcash).
  double operating_cash_flow_usd;
  double btc_sale_proceeds_usd;     // part of investing
  double capex_usd;                 // conversion capex paid (tenant-funded share excluded), refreshes, deployments
  double investing_cash_flow_usd;
  double debt_drawn_usd;
  double debt_repaid_usd;           // in cash: amortization, maturities, one-off repayments, shortfalls
  double financing_cash_flow_usd;
  double total_cash_flow_usd;
  // Non-cash debt movements, USD.
  double debt_repaid_by_collateral_usd;
  double debt_converted_to_equity_usd;
  // BTC flows. Δ(free + collateral) = mined − sold − liquidated.
  double btc_mined;
  double btc_sold;                  // by the firm: one-off, policy and remedy sales
  double btc_sold_forced;           // of btc_sold, the remedies' sales: BTC sold to cover a cash shortfall
  double btc_topped_up;             // free → collateral
  double btc_released;              // collateral → free when a BTC-backed loan is closed
  double btc_liquidated;            // collateral sold by a lender
  double margin_calls;              // BTC-backed loans whose LTV exceeded ltv_call (step 10), a count
  double btc_pool_luck;             // BTC mined above (below: negative) the FPPS amount: the pool's luck
  // Refresh and resale (step 5, rules of a strategy's [[strategies.refresh]]).
  double machine_sale_proceeds_usd; // replaced machines sold at their tier's secondary price (investing)
  double machine_sale_gain_usd;     // those proceeds − the machines' book value (in pre-tax income)
  double machines_bought;           // delivered today, a count
  double machines_sold;             // replaced and sold today, a count
  // Hedges (step 6b): premiums paid (negative) or received and expiry payoffs received or paid
  // (negative), USD, cash basis: realized in pre-tax income the day the cash moves, investing flow.
  double hedge_cash_flow_usd;
  // Margin (step 6b): initial and variation margin of the forwards returned (positive) less posted
  // (negative), USD: a movement between cash and margin posted, an investing flow, not income.
  double margin_cash_flow_usd;
  // Operations.
  double running_hashrate_th;       // mean over the day, before uptime
  double energy_mwh;
  // Power contracts and curtailment.
  double available_hashrate_th;     // machines in service and available (before curtailment), before uptime
  double curtailed_mwh;             // energy not drawn by available machines switched off
  double hosting_fixed_usd;         // the part of power_cost_usd paid whether machines run or not
  // Equity (firm/equity.hpp): ATM sales (net proceeds a financing cash flow, into paid-in capital;
  // the agents' fee charged against it) and shares issued (ATM sales and conversions), a count.
  double equity_issued_usd;         // net of fees
  double equity_issue_fees_usd;
  double shares_issued;
  bool defaulted_today;
};

/// One row of the member table of DayAccounts: a summable field, its name (as run --json, the
/// result store and reports write it) and unit, and whether the simulation keeps its monthly sums
/// (sim::MonthlyAccounts, in this table's order).
struct DayAccountsField {
  const char* name;
  const char* unit;
  double DayAccounts::*member;
  bool monthly;
};

/// Every field of DayAccounts but the flag defaulted_today, in declaration order: the one list
/// that sums, names and (through `monthly`) reports them. A new field is one row here.
inline constexpr std::array<DayAccountsField, 46> kDayAccountsFields{{
    {"mining_revenue_usd", "USD", &DayAccounts::mining_revenue_usd, true},
    {"hpc_revenue_usd", "USD", &DayAccounts::hpc_revenue_usd, true},
    {"power_cost_usd", "USD", &DayAccounts::power_cost_usd, true},
    {"curtailment_credit_usd", "USD", &DayAccounts::curtailment_credit_usd, true},
    {"opex_usd", "USD", &DayAccounts::opex_usd, true},
    {"sga_usd", "USD", &DayAccounts::sga_usd, true},
    {"ebitda_usd", "USD", &DayAccounts::ebitda_usd, true},
    {"depreciation_usd", "USD", &DayAccounts::depreciation_usd, true},
    {"interest_usd", "USD", &DayAccounts::interest_usd, true},
    {"btc_revaluation_gain_usd", "USD", &DayAccounts::btc_revaluation_gain_usd, false},
    {"slippage_usd", "USD", &DayAccounts::slippage_usd, true},
    {"pretax_income_usd", "USD", &DayAccounts::pretax_income_usd, false},
    {"tax_usd", "USD", &DayAccounts::tax_usd, true},
    {"net_income_usd", "USD", &DayAccounts::net_income_usd, true},
    {"operating_cash_flow_usd", "USD", &DayAccounts::operating_cash_flow_usd, true},
    {"btc_sale_proceeds_usd", "USD", &DayAccounts::btc_sale_proceeds_usd, false},
    {"capex_usd", "USD", &DayAccounts::capex_usd, false},
    {"investing_cash_flow_usd", "USD", &DayAccounts::investing_cash_flow_usd, true},
    {"debt_drawn_usd", "USD", &DayAccounts::debt_drawn_usd, false},
    {"debt_repaid_usd", "USD", &DayAccounts::debt_repaid_usd, false},
    {"financing_cash_flow_usd", "USD", &DayAccounts::financing_cash_flow_usd, true},
    {"total_cash_flow_usd", "USD", &DayAccounts::total_cash_flow_usd, false},
    {"debt_repaid_by_collateral_usd", "USD", &DayAccounts::debt_repaid_by_collateral_usd, false},
    {"debt_converted_to_equity_usd", "USD", &DayAccounts::debt_converted_to_equity_usd, false},
    {"btc_mined", "BTC", &DayAccounts::btc_mined, true},
    {"btc_sold", "BTC", &DayAccounts::btc_sold, true},
    {"btc_sold_forced", "BTC", &DayAccounts::btc_sold_forced, true},
    {"btc_topped_up", "BTC", &DayAccounts::btc_topped_up, false},
    {"btc_released", "BTC", &DayAccounts::btc_released, false},
    {"btc_liquidated", "BTC", &DayAccounts::btc_liquidated, true},
    {"margin_calls", "count", &DayAccounts::margin_calls, false},
    {"btc_pool_luck", "BTC", &DayAccounts::btc_pool_luck, true},
    {"machine_sale_proceeds_usd", "USD", &DayAccounts::machine_sale_proceeds_usd, false},
    {"machine_sale_gain_usd", "USD", &DayAccounts::machine_sale_gain_usd, false},
    {"machines_bought", "count", &DayAccounts::machines_bought, true},
    {"machines_sold", "count", &DayAccounts::machines_sold, true},
    {"hedge_cash_flow_usd", "USD", &DayAccounts::hedge_cash_flow_usd, false},
    {"margin_cash_flow_usd", "USD", &DayAccounts::margin_cash_flow_usd, false},
    {"running_hashrate_th", "TH/s", &DayAccounts::running_hashrate_th, false},
    {"energy_mwh", "MWh", &DayAccounts::energy_mwh, false},
    {"available_hashrate_th", "TH/s", &DayAccounts::available_hashrate_th, false},
    {"curtailed_mwh", "MWh", &DayAccounts::curtailed_mwh, false},
    {"hosting_fixed_usd", "USD", &DayAccounts::hosting_fixed_usd, false},
    {"equity_issued_usd", "USD", &DayAccounts::equity_issued_usd, false},
    {"equity_issue_fees_usd", "USD", &DayAccounts::equity_issue_fees_usd, false},
    {"shares_issued", "count", &DayAccounts::shares_issued, false},
}};

/// Adds `day` into the running sums `sums`, field by field: every row of kDayAccountsFields, or with
/// `Only` (a flag of the row, e.g. &DayAccountsField::monthly) the rows that have it set; a defaulted
/// day sets sums.defaulted_today. Unrolled at compile time: one add per field summed.
template <bool DayAccountsField::*Only = nullptr>
inline void add_accounts(DayAccounts& sums, const DayAccounts& day) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr DayAccountsField row = kDayAccountsFields[I];
          if constexpr (Only == nullptr || row.*Only) sums.*(row.member) += day.*(row.member);
        }(),
        ...);
  }(std::make_index_sequence<kDayAccountsFields.size()>{});
  sums.defaulted_today = sums.defaulted_today || day.defaulted_today;
}

/// BTC held: free plus pledged as collateral (summed in debt order).
[[nodiscard]] inline double total_btc(const FirmState& state) {
  double btc = state.free_btc;
  for (const DebtState& d : state.debts) btc += d.collateral_btc;
  return btc;
}

/// Balance sheet at the state's mark price.
struct BalanceSheet {
  double assets_usd;       // cash + margin posted + (free + collateral BTC) × mark + PP&E
  double liabilities_usd;  // Σ principal, then Σ sites' project debt
  double equity_usd;       // paid-in capital + retained earnings (book; zero to holders after default)
};
[[nodiscard]] BalanceSheet balance_sheet(const FirmState& state);

/// The horizon value of the sites whose conversion is valued as a contracted lease
/// (PlanSite::lease_terminal), and what they put into the last year's EBITDA (which the run's
/// multiple must then leave out). value_usd = Σ over such sites with MW decided:
///   lease: the NOI of the term's remaining days (from `horizon_day` to the term's end) weighted by
///          the tenant's survival and discounted (lease_remaining_value_usd), 0 when the tenant has
///          defaulted by the horizon; a lease still in its lead time is valued from its first day
///          and discounted to the horizon, less the capex still to pay (net of the tenant's share;
///          the project debt still to draw is part of it);
///   residual: residual_value_usd_per_mw × MW discounted from the term's end (at the horizon when
///          the term has ended). The project debt left is a liability of the balance sheet.
/// noi_last_year_usd: those sites' lease NOI over days [horizon_day − 365, horizon_day).
struct ContractedLeaseTerminal {
  double value_usd = 0.0;
  double noi_last_year_usd = 0.0;
};
[[nodiscard]] ContractedLeaseTerminal contracted_lease_terminal(const FirmPlan& plan, const FirmState& state,
                                                                int horizon_day);

/// What equity holders own at horizon day `horizon_day`, before discounting (docs/model.md §6), USD:
///     cash + BTC held × price_usd − liabilities + terminal value + margin posted,
///     terminal value = multiple × max(0, ebitda_last_year_usd),
/// where the sites valued as contracted leases (terminal_value = "contracted_lease") take their lease
/// NOI out of that EBITDA and add their contracted_lease_terminal value instead. Negative when the
/// firm is under water. The run's NPV is this, floored at 0 and discounted; the stresses and the
/// backtest report it undiscounted.
[[nodiscard]] double equity_value_at_horizon_usd(const FirmPlan& plan, const FirmState& state, int horizon_day,
                                                 double price_usd, double multiple, double ebitda_last_year_usd);

/// Advances `state` by day `day` (0 = start date) under `market` and writes the day's accounts.
/// Pure in (plan, day, market, state); allocates nothing; no virtual calls, no lookups by name.
///
/// Order of the day:
///  0. Defaulted already: nothing changes, accounts are zero.
///  1. Re-mark BTC held to today's price (unrealized gain/loss).
/// 1b. Share price (a plan with shares that sells or converts into them: an ATM, a convertible priced
///     per share): max(0, m × NAV) / shares on the re-marked opening balances (firm/equity.hpp), the
///     price every sale and conversion of the day uses.
///  2. Pivot decision: schedule on its day; trigger after pivot_trigger_days consecutive days with
///     hashprice_usd below the threshold. From the decision day the MW leave mining (the site's
///     fleet runs at 1 − converted_mw / mining_it_mw) and carry no site opex. With sell_displaced,
///     the displaced share of the site's machines is sold that day at its tier's price.
///  3. Mining per fleet entry: hashrate × availability (survival, in-service dates, repairs,
///     [[downtime]]) × mining share; curtailment on the AVOIDABLE cost (economic: an entry runs
///     when energy price + credit < its break-even, hourly with rules::curtail_hourly where given,
///     else on the daily price; a take-or-pay floor's energy is already paid and costs only the
///     credit; curtailment rights cap the full-site hours a contract year); FPPS BTC
///     (rules::fpps_btc_per_day) × the pool's luck (DayMarket::pool_luck; the difference from FPPS
///     in btc_pool_luck) into free BTC.
///  4. Costs in cash: power (energy, take-or-pay floor, fixed hosting charges), site opex, SG&A;
///     curtailment credits received.
///  5. HPC: lease revenue from decision + lead time for the term (contract year escalated) × MW ×
///     NOI margin, until the tenant defaults (tenant_default_after_days of revenue); capex (tenant share excluded) paid evenly over the lead time and capitalized;
///     refreshes (the deposit on the order day; on delivery the balance, the machines into the
///     fleet's book, the replaced machines sold); deployment capex into the fleet's book and
///     relocation costs (opex) on their days; depreciation of fleet and conversion PP&E.
///     Project debt: loan-to-cost × the day's conversion capex (after the tenant's share) is drawn
///     into cash as the capex is paid.
///  6. A debt due today that the strategy refinances is rolled when the lender's tests pass
///     (firm/refinancing.hpp: LTV after a top-up from free BTC, trailing-EBITDA coverage; the fee
///     is interest). Interest on opening principals; amortization (linear) and maturities repaid in cash;
///     a convertible at maturity converts into equity when price >= its conversion price (with a
///     conversion price per share: into principal / that price shares when the day's share price is
///     at or above it, else repaid in cash). Project
///     debt: interest daily on its balance; from the first day of revenue the daily annuity
///     (firm/project_finance.hpp) over the lease term, its principal part repaid in cash.
/// 6b. Hedges (FirmPlan::hedge_legs): on a leg's buy day its Black–Scholes premium at the day's
///     price leaves cash (a sold leg receives it); on its expiry day its payoff enters cash (a sold
///     call pays it). Cash basis: the net is realized income, taxable, and an investing cash flow.
///     Forwards and swaps (FirmPlan::swap_legs): a forward's month accrues (fixed − hashprice index)
///     × PH/s a day and settles on its last day; a power swap pays (index − fixed) × MW × 24 h a day;
///     both into hedge_cash_flow_usd. The forwards' margin (initial over the contract, variation =
///     the month-to-date loss) moves between cash and margin posted (margin_cash_flow_usd).
///  7. Tax on positive pre-tax income (excluding revaluation), paid in cash.
///  Every sale in 8–11 (and a lender's sale of collateral) fills with the day's market impact: the
///  day's sales walk the book in turn (rules::sale_proceeds_usd); a sale meant to raise an amount
///  sells the BTC that raises it (rules::btc_to_raise). The slippage leaves income at the close.
///  8. One-off sales on their day (up to the free BTC): proceeds to cash, capex (held as cash for
///     capex), or to repay the named debt (rest to cash; a repaid BTC-backed loan releases collateral).
///     A sale that repays a BTC-backed loan sells free BTC first, then that loan's collateral, no
///     more than the loan still needs.
/// 8b. ATM programme (FirmPlan::has_atm): from its first day, shares sold up to the day's cap until
///     the gross sold reaches atm_raise_usd; net proceeds to cash and paid-in capital (financing).
///  9. Sell policy: sell_all_mined / sell_fraction of today's mined BTC; cash_floor sells free BTC up
///     to cash_floor_months × 365/12 × today's cash costs (power + opex + SG&A + interest); hold.
/// 10. BTC-backed loans: LTV > call → top up from free BTC toward ltv_target; LTV still >
///     liquidation → rules::liquidate, the collateral left is released and any shortfall is due in cash.
///     Then covenants: a debt whose covenant_min_cash_usd exceeds the cash is accelerated (its
///     principal is repaid in cash now, which the remedies must fund).
/// 11. Remedies while cash is short (below −1e-6 USD: the rounding a cover sale leaves is not a
///     shortfall, day_steps.hpp cash_short): sell free BTC; have BTC lenders release the collateral above what
///     keeps each loan at its ltv_target and sell it; then repay each BTC-backed loan not under water
///     from its own collateral and sell what that releases; then draw revolvers (before maturity) up
///     to their limit. An ATM programme whose remedy allows it sells shares for the shortfall before
///     any BTC (before_btc) or after the BTC, before the revolvers (after_btc).
/// 12. Cash still short after the remedies: default
///     (defaulted = true, default_day = day); the day's accounts stay as they are.
/// Each step is a function of firm/day_steps.hpp, which step_day calls in this order.
void step_day(const FirmPlan& plan, int day, const DayMarket& market, FirmState& state, DayAccounts& accounts);

}  // namespace hashpivot::firm
