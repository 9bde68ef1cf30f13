#include "hashpivot/report/inputs_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/report/format.hpp"

namespace hashpivot::report {
namespace {

using nlohmann::json;
using firm::keyword;

/// "4,451" or "0.5": whole numbers with thousands separators, others with up to 3 significant digits.
std::string amount(double x) {
  if (x != std::floor(x) || std::abs(x) >= 1e15) return significant(x, 3);
  std::string digits = fmt::format("{}", static_cast<long long>(std::abs(x)));
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return (x < 0 ? "-" : "") + digits;
}

std::string usd_millions(double usd) { return "$" + millions(usd) + "M"; }

/// "$55,093": whole dollars with thousands separators.
std::string usd_whole(double usd) { return "$" + amount(std::round(usd)); }

std::string sell_clause(const firm::Strategy& s) {
  switch (s.sell_policy) {
    case firm::SellPolicy::kHold: return "keeps every BTC it mines";
    case firm::SellPolicy::kSellAllMined: return "sells every BTC the day it is mined";
    case firm::SellPolicy::kSellFraction: return fmt::format("sells {} of each day's BTC", percent(s.sell_fraction, 0));
    case firm::SellPolicy::kCashFloor:
      return fmt::format("sells BTC to keep {} months of costs in cash", amount(s.cash_floor_months));
  }
  return "";
}

std::string sale_clause(const firm::OneOffSale& sale) {
  std::string use = "for cash";
  if (sale.use == firm::SaleUse::kCapex) use = "to fund capex";
  if (sale.use == firm::SaleUse::kRepayDebt) use = "to repay " + sale.repay_debt;
  return fmt::format("sells {} BTC on {} {}", amount(sale.btc), format_date(sale.date), use);
}

std::string pivot_clause(const firm::Strategy& s) {
  const std::string what = fmt::format("converts {} MW at {} to AI/HPC", amount(s.pivot_mw), s.pivot_site);
  if (s.pivot_policy == firm::PivotPolicy::kSchedule && s.pivot_date) return what + " on " + format_date(*s.pivot_date);
  if (s.pivot_policy == firm::PivotPolicy::kTrigger)
    return fmt::format("{} once hashprice stays below ${}/PH/day for {} days", what,
                       fixed(s.pivot_hashprice_below_usd_per_ph_day, 2), s.pivot_trigger_days);
  return "";
}

std::string conversion_sentence(const firm::Conversion& c) {
  std::string text = fmt::format("AI/HPC conversion: ${}M capex per MW", millions(c.capex_usd_per_mw, 2));
  if (c.tenant_funded_fraction > 0) text += fmt::format(" ({} tenant-funded)", percent(c.tenant_funded_fraction, 0));
  text += fmt::format(", {} months' lead time, lease ${}M per MW-year for {} years at {} NOI margin",
                      c.lead_time_months, millions(c.lease_usd_per_mw_year, 2), c.term_years, percent(c.noi_margin, 0));
  if (c.escalator_annual != 0) text += fmt::format(", escalating {} a year", percent(c.escalator_annual, 1));
  if (c.tenant_default_prob_annual > 0)
    text += fmt::format(", tenant default {} a year", percent(c.tenant_default_prob_annual, 1));
  return text;
}

std::string debt_terms(const firm::Debt& d) {
  std::vector<std::string> parts;
  switch (d.kind) {
    case firm::DebtKind::kBtcBacked:
      parts.push_back(fmt::format("{} BTC pledged; LTV target {}, call {}, liquidation {}", amount(d.collateral_btc),
                                  percent(d.ltv_target, 0), percent(d.ltv_call, 0), percent(d.ltv_liquidation, 0)));
      break;
    case firm::DebtKind::kConvertible:
      // Priced per share (the share-price rule) or, without shares, on the BTC price stand-in.
      parts.push_back(d.conversion_price_usd_per_share > 0
                          ? fmt::format("converts at ${} per share", fixed(d.conversion_price_usd_per_share, 2))
                          : fmt::format("converts at ${} per BTC", dollars(d.conversion_price_usd)));
      break;
    case firm::DebtKind::kRevolver: parts.push_back("limit " + usd_millions(d.limit_usd)); break;
    case firm::DebtKind::kTerm: break;
  }
  if (d.covenant_min_cash_usd > 0) parts.push_back("minimum cash covenant " + usd_millions(d.covenant_min_cash_usd));
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : "; ") + p;
  return text;
}

json fleet_json(const firm::Scenario& s) {
  json entries = json::array();
  double hashrate_th = 0, weighted_j_per_th = 0, power_mw = 0;
  for (const firm::FleetEntry& f : s.fleet) {
    const auto machine = std::ranges::find(s.machines, f.machine, &firm::MachineModel::name);
    const auto site = std::ranges::find(s.sites, f.site, &firm::Site::name);
    if (machine == s.machines.end() || site == s.sites.end()) continue;  // the reader rejects these
    const double th = static_cast<double>(f.count) * machine->hashrate_th;
    const double mw = static_cast<double>(f.count) * machine->power_w * f.uptime * site->pue / kWattsPerMegawatt;
    hashrate_th += th;
    weighted_j_per_th += th * machine->efficiency_j_per_th();
    power_mw += mw;
    entries.push_back({{"machine", f.machine},
                       {"site", f.site},
                       {"count", f.count},
                       {"hashrate_ehs", th / kThPerEh},
                       {"efficiency_j_per_th", machine->efficiency_j_per_th()},
                       {"uptime", f.uptime},
                       {"power_mw", mw}});
  }
  return {{"hashrate_ehs", hashrate_th / kThPerEh},
          {"efficiency_j_per_th", hashrate_th > 0 ? json(weighted_j_per_th / hashrate_th) : json(nullptr)},
          {"power_mw", power_mw},
          {"entries", entries}};
}

/// A hedge as its trade reads: puts and calls on BTC, hashprice sold forward, power swapped to fixed.
std::string hedge_clause(const firm::Hedge& h) {
  const std::string from = format_date(h.date);
  switch (h.kind) {
    case firm::HedgeKind::kPut:
      return fmt::format("buys puts on {} BTC struck at {} on {}, for {} days", amount(h.notional_btc),
                         usd_whole(h.put_strike_usd_per_btc), from, h.tenor_days);
    case firm::HedgeKind::kCollar:
      return fmt::format("collars {} BTC (puts at {}, calls sold at {}) on {}, for {} days", amount(h.notional_btc),
                         usd_whole(h.put_strike_usd_per_btc), usd_whole(h.call_strike_usd_per_btc), from, h.tenor_days);
    case firm::HedgeKind::kCoveredCall:
      return fmt::format("sells calls on {} BTC struck at {} on {}, for {} days", amount(h.notional_btc),
                         usd_whole(h.call_strike_usd_per_btc), from, h.tenor_days);
    case firm::HedgeKind::kHashpriceForward:
      return fmt::format("sells {} PH/s of hashprice forward at ${}/PH/day for {} months from {}",
                         amount(h.notional_ph_s), fixed(h.fixed_usd_per_ph_day, 2), h.tenor_months, from);
    case firm::HedgeKind::kPowerSwap:
      return fmt::format("swaps {} MW at {} to a fixed ${}/MWh for {} months from {}", amount(h.power_mw), h.site,
                         fixed(h.fixed_usd_per_mwh, 2), h.tenor_months, from);
  }
  return "";
}

/// A fleet refresh as its order reads.
std::string refresh_clause(const firm::Refresh& r) {
  std::string text = fmt::format("orders {} {} on {} (delivered {} days later, ${}/TH)", amount(static_cast<double>(r.count)),
                                 r.machine, format_date(r.date), r.lead_time_days, fixed(r.usd_per_th, 2));
  if (!r.replaces.empty()) text += ", replacing its " + r.replaces;
  return text;
}

/// How the strategy funds its conversion when its [strategies.pivot_finance] says.
std::string pivot_finance_clause(const firm::Strategy& s) {
  std::vector<std::string> parts;
  if (s.pivot_project_debt_loan_to_cost && *s.pivot_project_debt_loan_to_cost > 0) {
    std::string debt = fmt::format("project debt for {} of the cost", percent(*s.pivot_project_debt_loan_to_cost, 0));
    if (s.pivot_project_debt_rate_annual) debt += fmt::format(" at {}", percent(*s.pivot_project_debt_rate_annual, 2));
    parts.push_back(debt);
  }
  if (s.pivot_tenant_funded_fraction && *s.pivot_tenant_funded_fraction > 0)
    parts.push_back(fmt::format("a tenant funding {}", percent(*s.pivot_tenant_funded_fraction, 0)));
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "funds the conversion with " : " and ") + p;
  return text;
}

}  // namespace

std::string strategy_sentence(const firm::Strategy& s) {
  std::vector<std::string> clauses = {sell_clause(s)};
  clauses.push_back(s.curtail_policy == firm::CurtailPolicy::kEconomic
                        ? "switches machines off when power costs more than they earn"
                        : "runs its machines whatever the power price");
  for (const firm::OneOffSale& sale : s.sales) clauses.push_back(sale_clause(sale));
  if (s.pivot_policy != firm::PivotPolicy::kNone) clauses.push_back(pivot_clause(s));
  if (const std::string finance = pivot_finance_clause(s); !finance.empty()) clauses.push_back(finance);
  if (s.sell_displaced) clauses.push_back("sells the machines the conversion displaces");
  for (const firm::Refresh& r : s.refreshes) clauses.push_back(refresh_clause(r));
  for (const firm::Hedge& h : s.hedges)
    if (h.trades()) clauses.push_back(hedge_clause(h));
  if (s.refinance) clauses.push_back("rolls its debts at maturity when the lenders' tests pass");
  if (s.atm && s.atm->size_usd > 0)
    clauses.push_back(fmt::format("sells shares at the market from {} ({} programme, {} of it whatever the need)",
                                  format_date(s.atm->date), usd_millions(s.atm->size_usd),
                                  usd_millions(s.atm->raise_usd)));
  std::string text;
  for (const std::string& c : clauses) text += (text.empty() ? "" : "; ") + c;
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text + ".";
}

json inputs_summary_json(const firm::Scenario& s) {
  json sites = json::array();
  for (const firm::Site& site : s.sites)
    sites.push_back({{"name", site.name},
                     {"capacity_mw", site.capacity_mw},
                     {"power_contract", keyword(site.power_contract)},
                     {"power_price_usd_per_mwh", site.power_price_usd_per_mwh},
                     {"pue", site.pue},
                     {"curtailment_credit_usd_per_mwh", site.curtailment_credit_usd_per_mwh},
                     {"opex_usd_per_mw_year", site.opex_usd_per_mw_year},
                     {"conversion", site.conversion ? json(conversion_sentence(*site.conversion)) : json(nullptr)}});
  std::vector<const firm::Debt*> by_maturity;
  for (const firm::Debt& d : s.debts) by_maturity.push_back(&d);
  std::ranges::stable_sort(by_maturity, {}, [](const firm::Debt* d) { return d->maturity; });
  json debt = json::array();
  for (const firm::Debt* d : by_maturity)
    debt.push_back({{"name", d->name},
                    {"kind", keyword(d->kind)},
                    {"principal_usd", d->principal_usd},
                    {"rate_annual", d->rate_annual},
                    {"maturity", format_date(d->maturity)},
                    {"amortization", keyword(d->amortization)},
                    {"terms", debt_terms(*d)}});
  json strategies = json::array();
  for (const firm::Strategy& st : s.strategies) strategies.push_back({{"name", st.name}, {"sentence", strategy_sentence(st)}});
  return {{"run",
           {{"name", s.run.name},
            {"start_date", format_date(s.run.start_date)},
            {"horizon_years", s.run.horizon_years},
            {"discount_rate_annual", s.run.discount_rate_annual},
            {"terminal_ebitda_multiple", s.run.terminal_ebitda_multiple}}},
          {"market",
           {{"btc_price_model", keyword(s.market.btc_price_model)},
            {"btc_price_usd", s.market.btc_price_usd},
            {"network_hashrate_ehs", s.market.network_hashrate_ehs},
            {"fees_btc_per_block", s.market.fees_btc_per_block},
            {"hashrate_model", keyword(s.market.hashrate_model)},
            {"btc_price_drift_annual", number_or_null(s.market.btc_price_drift_annual)},
            {"hashrate_drift_annual", number_or_null(s.market.hashrate_drift_annual)},
            {"network_supply_share_annual", number_or_null(s.market.network_supply_share_annual)}}},
          {"fleet", fleet_json(s)},
          {"sites", sites},
          {"treasury",
           {{"btc", s.treasury.btc},
            {"cash_usd", s.treasury.cash_usd},
            {"sga_usd_per_year", s.treasury.sga_usd_per_year},
            {"tax_rate", s.treasury.tax_rate},
            {"pool_fee", s.treasury.pool_fee}}},
          {"debt", debt},
          {"strategies", strategies}};
}

}  // namespace hashpivot::report
