#pragma once
// Shares, a share price and at-the-market (ATM) equity: the pure rules (scenario.hpp Equity and
// AtmProgramme state the terms and their sources), and the two state changes the daily step makes
// with them (day_steps.hpp calls them; nothing here runs for a plan without shares).
//
// The share price rule. Market value of equity = m × NAV, where
//   NAV = cash + BTC held (free and pledged) × the day's BTC price + PP&E book
//         − principal of every debt (the scenario's and the sites' project debt),
// that is the balance sheet's assets less liabilities with BTC at market (accounts.hpp
// balance_sheet, once the day's re-mark has run). Price per share = max(0, m × NAV) / shares.
// The day's price is set once, on the opening balances re-marked to the day's BTC price (step 1b),
// and every sale or conversion of the day uses it.

#include <algorithm>
#include <cmath>

#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/lanes.hpp"
#include "hashpivot/firm/plan.hpp"

namespace hashpivot::firm {

/// The path's NAV multiple: level × exp(σz − σ²/2), so that its mean over z ~ N(0, 1) is `level`
/// (σ = 0: exactly `level`).
[[nodiscard]] inline double nav_multiple_on_path(double level, double dispersion, double z) {
  return dispersion > 0.0 ? level * std::exp(dispersion * z - 0.5 * dispersion * dispersion) : level;
}

/// Price per share, USD: max(0, multiple × nav_usd) / shares (0 without shares). T: a path's double
/// or a block's lanes (firm/lanes.hpp).
template <class T>
[[nodiscard]] inline T share_price_usd(T nav_multiple, T nav_usd, T shares) {
  const T zero = lanes::splat<T>(0.0);
  return lanes::select(shares > 0.0, lanes::max(zero, nav_multiple * nav_usd) / shares, zero);
}

/// NAV of `state`, USD, at its BTC mark: cash + BTC × mark + PP&E − all debt principal
/// (balance_sheet's assets less its liabilities).
template <class T>
[[nodiscard]] inline T net_asset_value_usd(const BasicFirmState<T>& state) {
  const BasicBalanceSheet<T> bs = balance_sheet(state);
  return bs.assets_usd - bs.liabilities_usd;
}

/// The terms one ATM sale is made on.
struct AtmTerms {
  double discount = 0;             // to the share price, [0, 1)
  double fee = 0;                  // of gross proceeds, [0, 1)
  double floor_usd_per_share = 0;  // no sale below this share price
  double min_market_cap_usd = 0;   // no sale while price × shares is below this
};

/// One ATM sale: shares sold, gross proceeds (shares × price × (1 − discount)), the agents' fee
/// (fee × gross) and the net to cash (gross − fee).
template <class T>
struct BasicAtmSale {
  T shares{};
  T gross_usd{};
  T fee_usd{};
  T net_usd{};
};
using AtmSale = BasicAtmSale<double>;

/// The ATM sale of up to `gross_wanted_usd` gross at share price `price_usd_per_share` with
/// `shares_outstanding` shares, at most `shares_left_today` shares and `gross_left_usd` of the
/// programme. Nothing when the price is 0, below the floor, or the market cap is below the minimum.
template <class T>
[[nodiscard]] inline BasicAtmSale<T> atm_sale(const AtmTerms& terms, T price_usd_per_share, T shares_outstanding,
                                              T shares_left_today, T gross_left_usd, T gross_wanted_usd) {
  const T sale_price = price_usd_per_share * (1.0 - terms.discount);
  const auto priced = sale_price > 0.0 && !(price_usd_per_share < terms.floor_usd_per_share) &&
                      !(price_usd_per_share * shares_outstanding < terms.min_market_cap_usd);
  if (!lanes::any(priced)) return {};
  // std::min({wanted, left, cap}): the first of the smallest.
  const T gross = lanes::min(lanes::min(gross_wanted_usd, gross_left_usd),
                             lanes::max(lanes::splat<T>(0.0), shares_left_today) * sale_price);
  const auto sells = priced && gross > 0.0;
  if (!lanes::any(sells)) return {};
  const T fee = gross * terms.fee;
  const T zero{};
  return {lanes::select(sells, gross / sale_price, zero), lanes::select(sells, gross, zero),
          lanes::select(sells, fee, zero), lanes::select(sells, gross - fee, zero)};
}

/// Shares a convertible's holder takes at maturity under the share-price rule: principal /
/// conversion price when the day's share price is at or above the conversion price (converting is
/// then worth at least the principal), else 0: the note is repaid in cash.
[[nodiscard]] inline double conversion_shares(double principal_usd, double conversion_price_usd_per_share,
                                              double share_price_usd_today) {
  return share_price_usd_today >= conversion_price_usd_per_share ? principal_usd / conversion_price_usd_per_share : 0.0;
}

/// Step 1b: the day's share price from the state just re-marked. Nothing for a plan without shares,
/// or one that never reads the price (FirmPlan::LiveRules::share_price: no ATM, no convertible priced
/// per share), which would pay for a balance sheet a day for nothing.
template <class T>
inline void mark_share_price(const FirmPlan& plan, BasicFirmState<T>& state) {
  if (!plan.live.share_price || plan.shares_outstanding <= 0.0) return;
  state.share_price_usd = share_price_usd(state.nav_multiple, net_asset_value_usd(state), state.shares_outstanding);
}

/// Sells ATM shares, on the paths of `m` (a path's: true), for up to `gross_wanted_usd` gross today
/// within the plan's terms, the day's cap (less what was sold earlier today) and what is left of the
/// programme: net proceeds to cash and paid-in capital (the fee charged against it), shares
/// outstanding up.
template <class T>
inline void issue_atm_shares(lanes::MaskOf<T> m, const FirmPlan& plan, T gross_wanted_usd, BasicFirmState<T>& state,
                             BasicDayAccounts<T>& a) {
  if (!plan.has_atm) return;
  const AtmTerms terms{plan.atm_discount, plan.atm_fee, plan.atm_floor_usd_per_share, plan.atm_min_market_cap_usd};
  const T sale_price = state.share_price_usd * (1.0 - plan.atm_discount);
  const T sold_today_gross = a.equity_issued_usd + a.equity_issue_fees_usd;
  const T shares_sold_today = lanes::select(sale_price > 0.0, sold_today_gross / sale_price, T{});
  const BasicAtmSale<T> sale =
      atm_sale(terms, state.share_price_usd, state.shares_outstanding, plan.atm_max_shares_per_day - shares_sold_today,
               plan.atm_size_usd - state.atm_sold_usd, gross_wanted_usd);
  const auto sells = m && sale.gross_usd > 0.0;
  if (!lanes::any(sells)) return;
  lanes::assign_if(sells, state.shares_outstanding, state.shares_outstanding + sale.shares);
  lanes::assign_if(sells, state.atm_sold_usd, state.atm_sold_usd + sale.gross_usd);
  lanes::assign_if(sells, state.cash_usd, state.cash_usd + sale.net_usd);
  lanes::assign_if(sells, state.paid_in_capital_usd, state.paid_in_capital_usd + sale.net_usd);
  lanes::assign_if(sells, a.equity_issued_usd, a.equity_issued_usd + sale.net_usd);
  lanes::assign_if(sells, a.equity_issue_fees_usd, a.equity_issue_fees_usd + sale.fee_usd);
  lanes::assign_if(sells, a.shares_issued, a.shares_issued + sale.shares);
}

/// The gross sale that nets `net_usd` after the plan's fee.
template <class T>
[[nodiscard]] inline T atm_gross_for_net_usd(const FirmPlan& plan, T net_usd) {
  return net_usd / (1.0 - plan.atm_fee);
}

}  // namespace hashpivot::firm
