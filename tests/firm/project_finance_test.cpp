// Project finance of a conversion (firm/project_finance.hpp, firm::step_day's project debt and
// firm::contracted_lease_terminal), against independent references:
// - the annuity payment against the textbook closed form and published figures, its balance against
//   the schedule rolled forward period by period;
// - the lease's remaining value against a hand sum with pow per day;
// - the daily step: project debt drawn at loan-to-cost as capex is paid, interest on the balance,
//   repaid by the annuity over the term to zero; the firm without debt differs by exactly those
//   flows; the balance sheet balances every day;
// - the horizon value: the hand sum of the remaining lease, the residual discounted, the last
//   year's NOI equal to the lease revenue the step paid those days.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/project_finance.hpp"
#include "hashpivot/firm/rules.hpp"

namespace hashpivot::firm {
namespace {

// ---- Annuity ------------------------------------------------------------------------------------

// $1,000 at 1% a period over 12 periods: 88.8487886 (any annuity table); $200,000 at 6%/12 over 360
// months: the textbook mortgage payment $1,199.10.
TEST(Annuity, the_payment_matches_published_figures_and_the_closed_form) {
  EXPECT_NEAR(annuity_payment_usd(1000, 0.01, 12), 88.8487886, 1e-7);
  EXPECT_NEAR(annuity_payment_usd(200'000, 0.06 / 12, 360), 1199.10, 5e-3);
  for (const double r : {0.001, 0.02, 0.1}) {
    const double closed_form = 5e6 * r * std::pow(1 + r, 48) / (std::pow(1 + r, 48) - 1);
    EXPECT_NEAR(annuity_payment_usd(5e6, r, 48), closed_form, 1e-9 * closed_form) << r;
  }
  EXPECT_EQ(annuity_payment_usd(1200, 0.0, 12), 100.0);  // no interest: straight line
}

// The balance after k payments equals the schedule rolled forward (balance × (1 + r) − payment) k
// times, and reaches zero at the last payment; daily compounding as the step uses it.
TEST(Annuity, the_balance_follows_the_rolled_schedule_to_zero) {
  for (const double rate_annual : {0.0, 0.0775, 0.15}) {
    const double r = rate_annual / 365.0;
    constexpr int kPeriods = 15 * 365;
    constexpr double kPrincipal = 76.5e6;
    const double payment = annuity_payment_usd(kPrincipal, r, kPeriods);
    double rolled = kPrincipal;
    for (int k = 0; k <= kPeriods; ++k) {
      ASSERT_NEAR(annuity_balance_usd(kPrincipal, r, kPeriods, k), rolled, 1e-6 * kPrincipal) << rate_annual << " " << k;
      rolled = rolled * (1 + r) - payment;
    }
    EXPECT_NEAR(annuity_balance_usd(kPrincipal, r, kPeriods, kPeriods), 0.0, 1e-6 * kPrincipal);
  }
}

// ---- Lease value --------------------------------------------------------------------------------

TEST(LeaseValue, the_daily_factor_is_survival_over_discount_to_the_day) {
  EXPECT_NEAR(lease_daily_factor(0.10, 0.05), std::pow(0.95 / 1.10, 1.0 / 365.0), 1e-15);
  EXPECT_NEAR(std::pow(lease_daily_factor(0.08, 0.0), 365.0), 1 / 1.08, 1e-12);
  EXPECT_EQ(lease_daily_factor(0.0, 0.0), 1.0);
}

// Two days left of year 1 (NOI 10 a day) and two of year 2 (20 a day), by hand:
// 10 + 10 f + 20 f² + 20 f³; and a whole 3-year term against a pow-per-day sum.
TEST(LeaseValue, the_remaining_value_is_the_hand_sum_of_the_days_left) {
  const std::vector<double> noi{10, 20};
  const double f = 0.999;
  EXPECT_NEAR(lease_remaining_value_usd(noi, 367, 363, f), 10 + 10 * f + 20 * f * f + 20 * f * f * f, 1e-12);
  EXPECT_EQ(lease_remaining_value_usd(noi, 367, 367, f), 0.0);
  const std::vector<double> years{1000, 1030, 1060.9};
  const double g = lease_daily_factor(0.12, 0.03);
  double hand = 0;
  for (int t = 100; t < 3 * 365; ++t) hand += years[static_cast<std::size_t>(t / 365)] * std::pow(g, t - 100);
  EXPECT_NEAR(lease_remaining_value_usd(years, 3 * 365, 100, g), hand, 1e-9 * hand);
}

// ---- The daily step -----------------------------------------------------------------------------

const DayNumber kStart = *parse_date("2026-02-01");
constexpr double kPrice = 90'000, kHashpriceUsd = 50;
constexpr double kPivotMw = 7, kCapexPerMw = 9e6, kTenantShare = 0.4, kLease = 1.8e6, kEscalator = 0.03, kNoi = 0.85;
constexpr int kTermYears = 3;
constexpr double kLoanToCost = 0.85, kDebtRate = 0.0775;

// A firm with 5,000 S21 at a fixed-price site, 7 MW converted by schedule on `decision_day` with
// `lead_months` of lead time, the firm's capex lent at `loan_to_cost`.
Scenario conversion_scenario(int decision_day, int lead_months, double loan_to_cost) {
  Scenario s{};
  s.run.start_date = kStart;
  s.run.horizon_years = 5;
  s.run.discount_rate_annual = 0.12;
  s.market.btc_price_usd = kPrice;
  MachineModel m{};
  m.name = "S21";
  m.hashrate_th = 200;
  m.power_w = 3500;
  m.release_year = 2023;
  s.machines = {m};
  Site site{};
  site.name = "site";
  site.capacity_mw = 50;
  site.pue = 1.05;
  site.power_contract = PowerContract::kFixed;
  site.power_price_usd_per_mwh = 45;
  Conversion c{};
  c.capex_usd_per_mw = kCapexPerMw;
  c.tenant_funded_fraction = kTenantShare;
  c.lead_time_months = lead_months;
  c.lease_usd_per_mw_year = kLease;
  c.escalator_annual = kEscalator;
  c.term_years = kTermYears;
  c.noi_margin = kNoi;
  c.project_debt_loan_to_cost = loan_to_cost;
  c.project_debt_rate_annual = kDebtRate;
  site.conversion = c;
  s.sites = {site};
  FleetEntry f{};
  f.machine = "S21";
  f.site = "site";
  f.count = 5000;
  f.uptime = 0.95;
  f.depreciation_years = 3;
  s.fleet = {f};
  s.treasury.btc = 0;
  s.treasury.cash_usd = 200e6;
  s.treasury.pool_fee = 0.02;
  Strategy st{};
  st.name = "pivot";
  st.sell_policy = SellPolicy::kHold;
  st.curtail_policy = CurtailPolicy::kNever;
  st.pivot_policy = PivotPolicy::kSchedule;
  st.pivot_site = "site";
  st.pivot_mw = kPivotMw;
  st.pivot_date = kStart + decision_day;
  s.strategies = {st};
  return s;
}

DayMarket market() {
  DayMarket m{};
  m.price_usd_per_btc = kPrice;
  m.hashprice_usd_per_ph_day = kHashpriceUsd;
  m.hashprice_btc_per_ph_day = kHashpriceUsd / kPrice;
  return m;
}

// Debt drawn during the lead time = loan-to-cost × the firm's capex; interest daily on the balance;
// from the first day of revenue the annuity over the term, its balance on the closed-form schedule,
// zero after the term. The unlevered firm's cash differs by exactly draws − interest − principal.
TEST(ProjectDebt, is_drawn_with_the_capex_and_repaid_by_the_annuity_over_the_term) {
  constexpr int kDecision = 20, kLeadMonths = 6;
  const FirmPlan levered = make_plan(conversion_scenario(kDecision, kLeadMonths, kLoanToCost), 0);
  const FirmPlan unlevered = make_plan(conversion_scenario(kDecision, kLeadMonths, 0.0), 0);
  const int lead_days = levered.sites[0].lead_time_days;
  const int revenue_day = kDecision + lead_days;
  const int term_days = kTermYears * 365;
  const double capex_total = kPivotMw * kCapexPerMw * (1 - kTenantShare);
  const double drawn = kLoanToCost * capex_total;
  const double r = kDebtRate / 365.0;
  FirmState a_state = make_state(levered), b_state = make_state(unlevered);
  DayAccounts a{}, b{};
  double draws = 0, interest = 0, repaid = 0;
  const DayMarket m = market();
  for (int day = 0; day < revenue_day + term_days + 30; ++day) {
    const double opening_balance = a_state.sites[0].project_debt_usd;
    step_day(levered, day, m, a_state, a);
    step_day(unlevered, day, m, b_state, b);
    ASSERT_FALSE(a_state.defaulted);
    ASSERT_EQ(a.capex_usd, b.capex_usd) << day;
    ASSERT_EQ(a.hpc_revenue_usd, b.hpc_revenue_usd) << day;
    draws += a.debt_drawn_usd;
    interest += a.interest_usd;
    repaid += a.debt_repaid_usd;
    ASSERT_NEAR(a.debt_drawn_usd, kLoanToCost * a.capex_usd, 1e-9 * capex_total) << day;
    ASSERT_NEAR(a.interest_usd, (opening_balance + a.debt_drawn_usd) * kDebtRate / 365.0, 1e-6) << day;
    if (day >= revenue_day && day < revenue_day + term_days) {
      const int payments = day - revenue_day + 1;
      ASSERT_NEAR(a_state.sites[0].project_debt_usd, annuity_balance_usd(drawn, r, term_days, payments), 1e-3) << day;
      ASSERT_NEAR(a.interest_usd + a.debt_repaid_usd, annuity_payment_usd(drawn, r, term_days), 1e-6) << day;
    }
    const BalanceSheet bs = balance_sheet(a_state);
    ASSERT_NEAR(bs.assets_usd, bs.liabilities_usd + bs.equity_usd, 1e-9 * bs.assets_usd) << day;
    // The firm's cash: the unlevered firm's plus the debt's flows (no tax here).
    ASSERT_NEAR(a_state.cash_usd, b_state.cash_usd + draws - interest - repaid, 1e-6 * capex_total) << day;
  }
  EXPECT_NEAR(draws, drawn, 1e-6);
  EXPECT_NEAR(repaid, drawn, 1e-6);
  EXPECT_EQ(a_state.sites[0].project_debt_usd, 0.0);
  // Interest paid = the lead time's on the rising balance + the annuity's (n × payment − principal).
  double lead_interest = 0;
  for (int k = 1; k <= lead_days; ++k) lead_interest += drawn * k / lead_days * r;
  const double annuity_interest = term_days * annuity_payment_usd(drawn, r, term_days) - drawn;
  EXPECT_NEAR(interest, lead_interest + annuity_interest, 1e-6 * interest);
}

// Without debt the site's debt fields stay zero and the balance sheet carries no project debt.
TEST(ProjectDebt, zero_loan_to_cost_draws_nothing) {
  const FirmPlan plan = make_plan(conversion_scenario(0, 0, 0.0), 0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  for (int day = 0; day < 400; ++day) {
    step_day(plan, day, market(), state, a);
    ASSERT_EQ(a.debt_drawn_usd, 0.0);
    ASSERT_EQ(a.debt_repaid_usd, 0.0);
    ASSERT_EQ(a.interest_usd, 0.0);
  }
  EXPECT_EQ(state.sites[0].project_debt_usd, 0.0);
}

// ---- The horizon value --------------------------------------------------------------------------

FirmPlan lease_terminal_plan(int decision_day, int lead_months, double residual_usd_per_mw, double default_prob) {
  Scenario s = conversion_scenario(decision_day, lead_months, kLoanToCost);
  s.sites[0].conversion->terminal_value = ConversionTerminal::kContractedLease;
  s.sites[0].conversion->residual_value_usd_per_mw = residual_usd_per_mw;
  s.sites[0].conversion->tenant_default_prob_annual = default_prob;
  return make_plan(s, 0);
}

// NOI of day t of the term (contract year t / 365), for the 7 MW.
double noi_of_term_day(int t) { return lease_usd_per_mw_year(kLease, kEscalator, 1 + t / 365) / 365.0 * kPivotMw * kNoi; }

// At a horizon inside the term: the hand sum of the remaining days weighted by survival over
// discount at the run's rate, the residual discounted from the term's end, the last year's NOI
// equal to the lease revenue the daily step paid over those days.
TEST(ContractedLease, values_the_remaining_term_and_the_residual_and_returns_the_last_years_noi) {
  constexpr int kDecision = 10, kHorizon = 600;
  constexpr double kResidual = 2e6, kDefaultProb = 0.04;
  const FirmPlan plan = lease_terminal_plan(kDecision, 0, kResidual, kDefaultProb);
  FirmState state = make_state(plan);
  DayAccounts a{};
  double lease_last_year = 0;
  for (int day = 0; day < kHorizon; ++day) {
    step_day(plan, day, market(), state, a);
    if (day >= kHorizon - 365) lease_last_year += a.hpc_revenue_usd;
  }
  const ContractedLeaseTerminal t = contracted_lease_terminal(plan, state, kHorizon);
  const int elapsed = kHorizon - kDecision;
  const int term_days = kTermYears * 365;
  const double f = std::pow((1 - kDefaultProb) / 1.12, 1 / 365.0);
  double hand = 0;
  for (int d = elapsed; d < term_days; ++d) hand += noi_of_term_day(d) * std::pow(f, d - elapsed);
  hand += kResidual * kPivotMw * std::pow(1.12, -(term_days - elapsed) / 365.0);
  EXPECT_NEAR(t.value_usd, hand, 1e-9 * hand);
  EXPECT_NEAR(t.noi_last_year_usd, lease_last_year, 1e-9 * lease_last_year);
  // A tenant defaulted by the horizon leaves only the residual; its last year counts what it paid.
  FirmState defaulted = make_state(plan);
  defaulted.sites[0].tenant_default_after_days = 300;
  double paid_last_year = 0;
  for (int day = 0; day < kHorizon; ++day) {
    step_day(plan, day, market(), defaulted, a);
    if (day >= kHorizon - 365) paid_last_year += a.hpc_revenue_usd;
  }
  const ContractedLeaseTerminal d = contracted_lease_terminal(plan, defaulted, kHorizon);
  EXPECT_NEAR(d.value_usd, kResidual * kPivotMw * std::pow(1.12, -(term_days - elapsed) / 365.0), 1e-3);
  EXPECT_NEAR(d.noi_last_year_usd, paid_last_year, 1e-9 * paid_last_year);
  // The multiple's rule leaves every site out.
  const FirmPlan multiple = make_plan(conversion_scenario(kDecision, 0, kLoanToCost), 0);
  const ContractedLeaseTerminal none = contracted_lease_terminal(multiple, state, kHorizon);
  EXPECT_EQ(none.value_usd, 0.0);
  EXPECT_EQ(none.noi_last_year_usd, 0.0);
}

// In the lead time at the horizon: the whole term valued from its first day, discounted to the
// horizon, less the capex still to pay; after the term only the residual, undiscounted.
TEST(ContractedLease, a_lease_not_started_is_discounted_to_the_horizon_less_the_capex_to_pay) {
  constexpr int kDecision = 100, kLeadMonths = 12, kHorizon = 300;
  const FirmPlan plan = lease_terminal_plan(kDecision, kLeadMonths, 0.0, 0.0);
  FirmState state = make_state(plan);
  DayAccounts a{};
  double capex_paid = 0;
  for (int day = 0; day < kHorizon; ++day) {
    step_day(plan, day, market(), state, a);
    capex_paid += a.capex_usd;
  }
  const int lead_days = plan.sites[0].lead_time_days;
  const int to_start = kDecision + lead_days - kHorizon;
  const double f = std::pow(1 / 1.12, 1 / 365.0);
  double hand = 0;
  for (int d = 0; d < kTermYears * 365; ++d) hand += noi_of_term_day(d) * std::pow(f, d + to_start);
  const double capex_total = kPivotMw * kCapexPerMw * (1 - kTenantShare);
  const ContractedLeaseTerminal t = contracted_lease_terminal(plan, state, kHorizon);
  EXPECT_NEAR(t.value_usd, hand - (capex_total - capex_paid), 1e-6 * hand);
  EXPECT_EQ(t.noi_last_year_usd, 0.0);

  const FirmPlan ended = lease_terminal_plan(0, 0, 1.5e6, 0.0);
  FirmState after = make_state(ended);
  for (int day = 0; day < kTermYears * 365 + 50; ++day) step_day(ended, day, market(), after, a);
  const ContractedLeaseTerminal e = contracted_lease_terminal(ended, after, kTermYears * 365 + 50);
  EXPECT_NEAR(e.value_usd, 1.5e6 * kPivotMw, 1e-6);
  // The last year [term + 50 − 365, term + 50) holds the term's last 315 days, all of contract year 3.
  EXPECT_NEAR(e.noi_last_year_usd, 315 * noi_of_term_day(2 * 365), 1e-6);
  EXPECT_EQ(after.sites[0].project_debt_usd, 0.0);
}

}  // namespace
}  // namespace hashpivot::firm
