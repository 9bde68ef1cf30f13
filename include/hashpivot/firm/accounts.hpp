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
#include <string_view>
#include <utility>
#include <vector>

#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/firm/plan.hpp"

namespace hashpivot::firm {

// The state of a path (T = double) or of a block of paths, one a lane (T = lanes::Lanes): each
// number is a T, each day or count a lanes::IntOf<T>, each flag a lanes::MaskOf<T> (firm/lanes.hpp).
// FirmState and the rest are the one-path types.

/// One debt's balances (FirmPlan::debts order).
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicDebtState {
  T principal_usd;
  T collateral_btc;                        // pledged BTC (btc_backed; 0 otherwise)
  lanes::IntOf<T> maturity_day;                       // the plan's, moved on by each roll (firm/refinancing.hpp)
  T rate_annual;                           // the plan's, the refinancing rate after a roll
  lanes::IntOf<T> rolls{};                          // times rolled on this path
  bool operator==(const BasicDebtState&) const = default;
};
using DebtState = BasicDebtState<double>;

/// One fleet entry's balances (FirmPlan::fleet order).
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicFleetState {
  T book_usd;                       // carrying value, net of depreciation
  T in_place = lanes::splat<T>(1.0);                  // share of the entry's machines not sold (its depreciation scales with it)
  bool operator==(const BasicFleetState&) const = default;
};
using FleetState = BasicFleetState<double>;

/// One site's conversion to AI/HPC (FirmPlan::sites order).
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicSiteState {
  T conversion_book_usd;             // capitalized conversion capex, net of depreciation
  T converted_mw;                   // MW decided for conversion (leave mining that day)
  lanes::IntOf<T> conversion_decision_day;            // -1 when none
  lanes::IntOf<T> conversion_revenue_day;             // first day of lease revenue, -1 when none
  // Days of lease revenue after which the tenant defaults and pays nothing more (kTenantNeverDefaults
  // by default; the engine draws it from the tenant's default probability). The MW stay converted
  // (irreversible) and the capex keeps depreciating; no re-letting is assumed.
  lanes::IntOf<T> tenant_default_after_days;
  // Curtailment rights (PlanSite::max_curtailed_hours_per_year): full-site hours curtailed in the
  // contract year `curtailment_year` (day / 365); -1 before the first day.
  T curtailed_hours_in_year;
  lanes::IntOf<T> curtailment_year;
  // Project debt of the conversion (PlanSite::project_debt_loan_to_cost): the balance, and the
  // daily annuity payment fixed on the first day of revenue (0 before).
  T project_debt_usd{};
  T project_debt_payment_usd{};
  bool operator==(const BasicSiteState&) const = default;
};
using SiteState = BasicSiteState<double>;

/// The firm's state between days: company-wide balances, and one struct per debt, fleet entry and
/// site (an array of structs per path; the vectors are sized by make_state and never resized by
/// step_day, so a path's state is copied without allocating once sized).
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicFirmState {
  T cash_usd;
  T free_btc;                        // unpledged BTC
  std::vector<BasicDebtState<T>> debts;           // per FirmPlan::debts
  std::vector<BasicFleetState<T>> fleet;          // per FirmPlan::fleet
  std::vector<BasicSiteState<T>> sites;           // per FirmPlan::sites
  alignas(lanes::kAlignOf<T>) T ppe_book_usd;                    // Σ fleet book + Σ site conversion book
  T paid_in_capital_usd;
  T retained_earnings_usd;
  T btc_mark_price_usd;               // the price BTC is carried at (last day's price)
  lanes::IntOf<T> trigger_days_below;                  // consecutive days with hashprice below the pivot trigger
  // EBITDA per day, exponentially weighted over kTrailingEbitdaDays (from the first day's): what a
  // lender's interest-coverage test at a refinancing looks at.
  T trailing_ebitda_usd_per_day;
  lanes::IntOf<T> refinancings;                       // debts rolled on this path so far
  lanes::MaskOf<T> defaulted;
  lanes::IntOf<T> default_day;                        // -1 while solvent
  // Shares (firm/equity.hpp; all 0 when the plan has no shares).
  T shares_outstanding{};          // at day 0 the plan's; + ATM sales + conversions
  T nav_multiple = lanes::splat<T>(1.0);                // the path's m (make_state: the plan's level; the engine draws it)
  T share_price_usd{};             // the day's price per share (step 1b) where the plan reads one, USD
  T atm_sold_usd{};                // gross ATM sales so far (against the programme's size)
  // Hashprice forwards (FirmPlan::swap_legs order): each leg's month-to-date P&L, USD, settled and
  // reset on the month's last day (0 for power swaps, which settle daily).
  std::array<T, kMaxSwapLegs> swap_accrued_usd{};
  // Margin posted on the forwards (initial + variation), USD: cash restricted with the counterparty
  // and returned, so an asset of the balance sheet (beside cash), never an expense.
  T margin_posted_usd{};
};
using FirmState = BasicFirmState<double>;

inline constexpr int kTenantNeverDefaults = std::numeric_limits<int>::max();

/// The opening state: the plan's cash, free BTC, debts and collateral, fleet book values, BTC
/// marked at the opening price, paid-in capital 0 and retained earnings balancing the sheet.
[[nodiscard]] FirmState make_state(const FirmPlan& plan);

/// One day's market as seen by the firm (T = lanes::Lanes: a block's paths, one a lane; their hourly
/// prices are not given: a block whose plan needs them is stepped path by path).
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicDayMarket {
  T price_usd_per_btc;
  T hashprice_btc_per_ph_day;
  T hashprice_usd_per_ph_day;
  /// Per site (FirmPlan::sites order): the day's mean power price, USD/MWh. Used by index sites;
  /// fixed-price sites use their contract price. May be empty when every site is fixed.
  std::span<const T> power_usd_per_mwh;
  /// Optional: sites × 24 hourly prices (site-major), USD/MWh, for economic curtailment at index
  /// sites (rules::curtail_hourly). Empty: curtailment decides on the daily price for the whole day.
  std::span<const double> hourly_power_usd_per_mwh;
  /// The pool's luck (model/pool_luck.hpp): the day's BTC mined are the FPPS amount × this. 1 under
  /// FPPS (and in a backtest); drawn by the engine per path-day under PPLNS or TIDES.
  alignas(lanes::kAlignOf<T>) T pool_luck = lanes::splat<T>(1.0);
};
using DayMarket = BasicDayMarket<double>;

/// The day's accounts. Every field is for this day only; step_day overwrites all of them.
template <class T>
struct alignas(lanes::kAlignOf<T>) BasicDayAccounts {
  // Income statement, USD.
  T mining_revenue_usd;        // BTC mined × price
  T hpc_revenue_usd;           // lease × MW × NOI margin (net operating income)
  T power_cost_usd;
  T curtailment_credit_usd;
  T opex_usd;                  // site fixed opex + relocation costs
  T sga_usd;
  T ebitda_usd;                // mining + HPC + credits − power − opex − SG&A
  T depreciation_usd;
  T interest_usd;
  T btc_revaluation_gain_usd;  // unrealized, on BTC held at the start of the day
  T slippage_usd;              // realized loss of the day's BTC sales (firm's and lenders') against
                                    // the day's price: the market impact of [market_impact]
  T pretax_income_usd;         // EBITDA − depreciation − interest + machine sale gain + hedge cash flow
                                    // + revaluation − slippage
  T tax_usd;
  T net_income_usd;
  // Cash flow, USD (operating + investing + financing = total = Δcash).
  T operating_cash_flow_usd;
  T btc_sale_proceeds_usd;     // part of investing
  T capex_usd;                 // conversion capex paid (tenant-funded share excluded), refreshes, deployments
  T investing_cash_flow_usd;
  T debt_drawn_usd;
  T debt_repaid_usd;           // in cash: amortization, maturities, one-off repayments, shortfalls
  T financing_cash_flow_usd;
  T total_cash_flow_usd;
  // Non-cash debt movements, USD.
  T debt_repaid_by_collateral_usd;
  T debt_converted_to_equity_usd;
  // BTC flows. Δ(free + collateral) = mined − sold − liquidated.
  T btc_mined;
  T btc_sold;                  // by the firm: one-off, policy and remedy sales
  T btc_sold_forced;           // of btc_sold, the remedies' sales: BTC sold to cover a cash shortfall
  T btc_topped_up;             // free → collateral
  T btc_released;              // collateral → free when a BTC-backed loan is closed
  T btc_liquidated;            // collateral sold by a lender
  T margin_calls;              // BTC-backed loans whose LTV exceeded ltv_call (step 10), a count
  T btc_pool_luck;             // BTC mined above (below: negative) the FPPS amount: the pool's luck
  // Refresh and resale (step 5, rules of a strategy's [[strategies.refresh]]).
  T machine_sale_proceeds_usd; // replaced machines sold at their tier's secondary price (investing)
  T machine_sale_gain_usd;     // those proceeds − the machines' book value (in pre-tax income)
  T machines_bought;           // delivered today, a count
  T machines_sold;             // replaced and sold today, a count
  // Hedges (step 6b): premiums paid (negative) or received and expiry payoffs received or paid
  // (negative), USD, cash basis: realized in pre-tax income the day the cash moves, investing flow.
  T hedge_cash_flow_usd;
  // Margin (step 6b): initial and variation margin of the forwards returned (positive) less posted
  // (negative), USD: a movement between cash and margin posted, an investing flow, not income.
  T margin_cash_flow_usd;
  // Operations.
  T running_hashrate_th;       // mean over the day, before uptime
  T energy_mwh;
  // Power contracts and curtailment.
  T available_hashrate_th;     // machines in service and available (before curtailment), before uptime
  T curtailed_mwh;             // energy not drawn by available machines switched off
  T hosting_fixed_usd;         // the part of power_cost_usd paid whether machines run or not
  // Equity (firm/equity.hpp): ATM sales (net proceeds a financing cash flow, into paid-in capital;
  // the agents' fee charged against it) and shares issued (ATM sales and conversions), a count.
  T equity_issued_usd;         // net of fees
  T equity_issue_fees_usd;
  T shares_issued;
  lanes::MaskOf<T> defaulted_today;
};
using DayAccounts = BasicDayAccounts<double>;

/// One row of the member table of DayAccounts: a summable field, its name (as run --json, the
/// result store and reports write it) and unit, and whether the simulation keeps its monthly sums
/// (sim::MonthlyAccounts, in this table's order).
template <class T>
struct BasicDayAccountsField {
  const char* name;
  const char* unit;
  T BasicDayAccounts<T>::*member;
  bool monthly;
};
using DayAccountsField = BasicDayAccountsField<double>;

/// Every field of DayAccounts but the flag defaulted_today, in declaration order: the one list
/// that sums, names and (through `monthly`) reports them, for a path and (the same rows) for a
/// block's lanes. A new field is one row here.
template <class T>
inline constexpr std::array<BasicDayAccountsField<T>, 46> kBasicDayAccountsFields{{
    {"mining_revenue_usd", "USD", &BasicDayAccounts<T>::mining_revenue_usd, true},
    {"hpc_revenue_usd", "USD", &BasicDayAccounts<T>::hpc_revenue_usd, true},
    {"power_cost_usd", "USD", &BasicDayAccounts<T>::power_cost_usd, true},
    {"curtailment_credit_usd", "USD", &BasicDayAccounts<T>::curtailment_credit_usd, true},
    {"opex_usd", "USD", &BasicDayAccounts<T>::opex_usd, true},
    {"sga_usd", "USD", &BasicDayAccounts<T>::sga_usd, true},
    {"ebitda_usd", "USD", &BasicDayAccounts<T>::ebitda_usd, true},
    {"depreciation_usd", "USD", &BasicDayAccounts<T>::depreciation_usd, true},
    {"interest_usd", "USD", &BasicDayAccounts<T>::interest_usd, true},
    {"btc_revaluation_gain_usd", "USD", &BasicDayAccounts<T>::btc_revaluation_gain_usd, false},
    {"slippage_usd", "USD", &BasicDayAccounts<T>::slippage_usd, true},
    {"pretax_income_usd", "USD", &BasicDayAccounts<T>::pretax_income_usd, false},
    {"tax_usd", "USD", &BasicDayAccounts<T>::tax_usd, true},
    {"net_income_usd", "USD", &BasicDayAccounts<T>::net_income_usd, true},
    {"operating_cash_flow_usd", "USD", &BasicDayAccounts<T>::operating_cash_flow_usd, true},
    {"btc_sale_proceeds_usd", "USD", &BasicDayAccounts<T>::btc_sale_proceeds_usd, false},
    {"capex_usd", "USD", &BasicDayAccounts<T>::capex_usd, false},
    {"investing_cash_flow_usd", "USD", &BasicDayAccounts<T>::investing_cash_flow_usd, true},
    {"debt_drawn_usd", "USD", &BasicDayAccounts<T>::debt_drawn_usd, false},
    {"debt_repaid_usd", "USD", &BasicDayAccounts<T>::debt_repaid_usd, false},
    {"financing_cash_flow_usd", "USD", &BasicDayAccounts<T>::financing_cash_flow_usd, true},
    {"total_cash_flow_usd", "USD", &BasicDayAccounts<T>::total_cash_flow_usd, false},
    {"debt_repaid_by_collateral_usd", "USD", &BasicDayAccounts<T>::debt_repaid_by_collateral_usd, false},
    {"debt_converted_to_equity_usd", "USD", &BasicDayAccounts<T>::debt_converted_to_equity_usd, false},
    {"btc_mined", "BTC", &BasicDayAccounts<T>::btc_mined, true},
    {"btc_sold", "BTC", &BasicDayAccounts<T>::btc_sold, true},
    {"btc_sold_forced", "BTC", &BasicDayAccounts<T>::btc_sold_forced, true},
    {"btc_topped_up", "BTC", &BasicDayAccounts<T>::btc_topped_up, false},
    {"btc_released", "BTC", &BasicDayAccounts<T>::btc_released, false},
    {"btc_liquidated", "BTC", &BasicDayAccounts<T>::btc_liquidated, true},
    {"margin_calls", "count", &BasicDayAccounts<T>::margin_calls, false},
    {"btc_pool_luck", "BTC", &BasicDayAccounts<T>::btc_pool_luck, true},
    {"machine_sale_proceeds_usd", "USD", &BasicDayAccounts<T>::machine_sale_proceeds_usd, false},
    {"machine_sale_gain_usd", "USD", &BasicDayAccounts<T>::machine_sale_gain_usd, false},
    {"machines_bought", "count", &BasicDayAccounts<T>::machines_bought, true},
    {"machines_sold", "count", &BasicDayAccounts<T>::machines_sold, true},
    {"hedge_cash_flow_usd", "USD", &BasicDayAccounts<T>::hedge_cash_flow_usd, false},
    {"margin_cash_flow_usd", "USD", &BasicDayAccounts<T>::margin_cash_flow_usd, false},
    {"running_hashrate_th", "TH/s", &BasicDayAccounts<T>::running_hashrate_th, false},
    {"energy_mwh", "MWh", &BasicDayAccounts<T>::energy_mwh, false},
    {"available_hashrate_th", "TH/s", &BasicDayAccounts<T>::available_hashrate_th, false},
    {"curtailed_mwh", "MWh", &BasicDayAccounts<T>::curtailed_mwh, false},
    {"hosting_fixed_usd", "USD", &BasicDayAccounts<T>::hosting_fixed_usd, false},
    {"equity_issued_usd", "USD", &BasicDayAccounts<T>::equity_issued_usd, false},
    {"equity_issue_fees_usd", "USD", &BasicDayAccounts<T>::equity_issue_fees_usd, false},
    {"shares_issued", "count", &BasicDayAccounts<T>::shares_issued, false},
}};
inline constexpr const std::array<DayAccountsField, 46>& kDayAccountsFields = kBasicDayAccountsFields<double>;

/// Adds `day` into the running sums `sums`, field by field: every row of kDayAccountsFields, or with
/// `Only` (a flag of the row, e.g. &DayAccountsField::monthly) the rows that have it set; a defaulted
/// day sets sums.defaulted_today. Unrolled at compile time: one add per field summed. Over lanes,
/// only where `m` is true.
template <bool DayAccountsField::*Only = nullptr, class T>
inline void add_accounts(BasicDayAccounts<T>& sums, const BasicDayAccounts<T>& day, lanes::MaskOf<T> m) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr DayAccountsField row = kDayAccountsFields[I];
          if constexpr (Only == nullptr || row.*Only) {
            constexpr auto member = kBasicDayAccountsFields<T>[I].member;
            lanes::assign_if(m, sums.*member, sums.*member + day.*member);
          }
        }(),
        ...);
  }(std::make_index_sequence<kDayAccountsFields.size()>{});
  lanes::assign_if(m, sums.defaulted_today, lanes::either(sums.defaulted_today, day.defaulted_today));
}
template <bool DayAccountsField::*Only = nullptr>
inline void add_accounts(DayAccounts& sums, const DayAccounts& day) {
  add_accounts<Only, double>(sums, day, true);
}

/// BTC held: free plus pledged as collateral (summed in debt order).
template <class T>
[[nodiscard]] inline T total_btc(const BasicFirmState<T>& state) {
  T btc = state.free_btc;
  for (const BasicDebtState<T>& d : state.debts) btc += d.collateral_btc;
  return btc;
}

/// Balance sheet at the state's mark price (T: a path's double or a block's lanes).
template <class T>
struct BasicBalanceSheet {
  T assets_usd;       // cash + margin posted + (free + collateral BTC) × mark + PP&E
  T liabilities_usd;  // Σ principal, then Σ sites' project debt
  T equity_usd;       // paid-in capital + retained earnings (book; zero to holders after default)
};
using BalanceSheet = BasicBalanceSheet<double>;
template <class T>
[[nodiscard]] inline BasicBalanceSheet<T> balance_sheet(const BasicFirmState<T>& state) {
  T liabilities = lanes::splat<T>(0.0);
  for (const BasicDebtState<T>& d : state.debts) liabilities += d.principal_usd;
  for (const BasicSiteState<T>& site : state.sites) liabilities += site.project_debt_usd;
  // Margin posted is added last, so that without forwards (0) the sum keeps its bits.
  const T assets =
      state.cash_usd + total_btc(state) * state.btc_mark_price_usd + state.ppe_book_usd + state.margin_posted_usd;
  return {assets, liabilities, state.paid_in_capital_usd + state.retained_earnings_usd};
}

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

/// The end of step_day's day, from step 10 (the BTC-backed loans) to 12 (default), on a solvent
/// firm whose day has run steps 1-9 (`a` holds their accounts; `price` is the day's BTC price).
void finish_day(const FirmPlan& plan, int day, double price, FirmState& state, DayAccounts& a);

// ---- A block of paths at once (docs/speed.md, "The structure-of-arrays step") -----------------------

/// A block's kLanes paths, one a lane: the state, the day's market and the day's accounts.
using LaneState = BasicFirmState<lanes::Lanes>;
using LaneMarket = BasicDayMarket<lanes::Lanes>;
using LaneAccounts = BasicDayAccounts<lanes::Lanes>;

/// Whether step_day_lanes can step `plan` (on a market without hourly prices): every rule the plan
/// can act on has a form over lanes, or acts only on days step_day_lanes leaves to step_day. Not
/// for plans that have covenants, revolvers, forwards or swaps, sites that decide as a whole, or a
/// pivot on a trigger.
[[nodiscard]] bool steps_in_lanes(const FirmPlan& plan);

/// Advances each lane of `state` by day `day` under its lane of `market` and writes its lane of the
/// day's accounts, to the bit what step_day gives that lane's path alone (a defaulted lane does
/// nothing and its accounts are zero). Returns false, leaving `state` as it was, on a day it leaves
/// to step_day: a dated event of the plan (the pivot's day, a sale, a refresh, a deployment or
/// relocation, a hedge bought or expiring) or a solvent lane's debt due. The caller then steps each
/// lane with step_day (step_day_by_lane). A day on which a BTC lender acts (a margin call, a
/// liquidation) runs steps 1-9 over the lanes and the rest path by path (finish_day).
/// `set`: the instruction set whose copy of the step runs (every copy gives the same bits), one that
/// lane_instruction_set_available accepts.
/// Preconditions: steps_in_lanes(plan); `market` has no hourly prices; `scratch` and `path_state`
/// have the plan's sizes (a copy of `state`, make_state). Allocates nothing.
[[nodiscard]] bool step_day_lanes(const FirmPlan& plan, int day, const LaneMarket& market, LaneState& state,
                                  LaneAccounts& accounts, LaneState& scratch, FirmState& path_state,
                                  DayAccounts& path_accounts, lanes::InstructionSet set);

/// Whether this build has a copy of step_day_lanes for `set` and this processor runs it (the
/// baseline's: always).
[[nodiscard]] bool lane_instruction_set_available(lanes::InstructionSet set);
/// The widest instruction set lane_instruction_set_available accepts.
[[nodiscard]] lanes::InstructionSet widest_lane_instruction_set();
/// Whether the block step on `set` is faster than one path at a time: on AVX2 and AVX-512, where a
/// Lanes is one register (measured: docs/speed.md); not on the baseline's two SSE2 registers, unless
/// the whole build is for a machine with AVX2 (HASHPIVOT_NATIVE).
[[nodiscard]] bool block_step_pays(lanes::InstructionSet set);
/// "baseline", "avx2" or "avx512".
[[nodiscard]] std::string_view name_of(lanes::InstructionSet set);

/// step_day on each lane of a block: lane l's path state out of `state` into `path_state`, stepped under
/// markets[l], and back, with its accounts into lane l of `accounts`. `path_state` has the plan's
/// sizes (make_state will do); nothing is allocated.
void step_day_by_lane(const FirmPlan& plan, int day, std::span<const DayMarket> markets, LaneState& state,
                      LaneAccounts& accounts, FirmState& path_state, DayAccounts& path_accounts);

/// A block whose every lane is `path` (the plan's sizes).
[[nodiscard]] LaneState lane_state_of(const FirmState& path);
/// Lane `lane` of a block's state into `path` (sized like it), and `path` into lane `lane`.
void get_lane(const LaneState& state, std::size_t lane, FirmState& path);
void set_lane(LaneState& state, std::size_t lane, const FirmState& path);
/// Lane `lane` of a block's accounts into a path's, and a path's into lane `lane`.
void get_lane(const LaneAccounts& accounts, std::size_t lane, DayAccounts& path);
void set_lane(LaneAccounts& accounts, std::size_t lane, const DayAccounts& path);

}  // namespace hashpivot::firm
