#pragma once
// Firms and markets for the firm's tests: scenario parts with the fields a test sets (the rest
// zero), and random firms (two sites, four kinds of debt, a pivot, one-off sales, a sell policy,
// curtailment) with random daily markets, some crashing through a BTC-backed loan's call and
// liquidation levels.

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::firm::test_firms {

inline const DayNumber kStart = *parse_date("2026-01-01");

inline MachineModel machine(const char* name, double hashrate_th, double power_w) {
  MachineModel m{};
  m.name = name;
  m.hashrate_th = hashrate_th;
  m.power_w = power_w;
  m.release_year = 2024;
  m.price_usd = 0;
  return m;
}

inline Site site(const char* name, double capacity_mw, double pue, PowerContract contract, double price_usd_per_mwh) {
  Site s{};
  s.name = name;
  s.capacity_mw = capacity_mw;
  s.pue = pue;
  s.power_contract = contract;
  s.power_price_usd_per_mwh = price_usd_per_mwh;
  s.curtailment_credit_usd_per_mwh = 0;
  s.opex_usd_per_mw_year = 0;
  return s;
}

inline Conversion conversion(double lead_months) {
  Conversion c{};
  c.capex_usd_per_mw = 9e6;
  c.tenant_funded_fraction = 0.4;
  c.lead_time_months = static_cast<int>(lead_months);
  c.lease_usd_per_mw_year = 1.8e6;
  c.escalator_annual = 0.03;
  c.term_years = 10;
  c.noi_margin = 0.85;
  c.tenant_default_prob_annual = 0;
  return c;
}

inline FleetEntry fleet(const char* machine_name, const char* site_name, std::int64_t count, double uptime, double book_usd) {
  FleetEntry f{};
  f.machine = machine_name;
  f.site = site_name;
  f.count = count;
  f.uptime = uptime;
  f.failure_rate_annual = 0;
  f.book_value_usd = book_usd;
  f.depreciation_years = 3;
  return f;
}

inline Debt debt(const char* name, DebtKind kind, double principal_usd, double rate_annual, int maturity_day,
          Amortization amortization) {
  Debt d{};
  d.name = name;
  d.kind = kind;
  d.principal_usd = principal_usd;
  d.rate_annual = rate_annual;
  d.maturity = kStart + maturity_day;
  d.amortization = amortization;
  return d;
}

inline Strategy strategy(SellPolicy sell) {
  Strategy s{};
  s.name = "s";
  s.sell_policy = sell;
  s.curtail_policy = CurtailPolicy::kNever;
  s.pivot_policy = PivotPolicy::kNone;
  return s;
}

// A random firm (`scenario`, one strategy) and `days` days of its market.
struct RandomCase {
  Scenario scenario;
  std::vector<double> price;          // per day
  std::vector<double> hashprice_btc;  // per day
  std::vector<double> power;          // per day, per site (2 sites)
  std::vector<double> hourly;         // per day, 2 sites × 24
};

inline RandomCase random_case(std::uint64_t seed, int days) {
  using random::DrawAddress;
  using random::Stream;
  const random::CounterRng rng(seed);
  auto u = [&](std::uint32_t block) { return rng.uniforms(DrawAddress{Stream::kTest, 0, 0, block})[0]; };
  RandomCase c{};  // value-initialized: every field a test does not set is zero
  Scenario& s = c.scenario;
  s.run.start_date = kStart;
  s.run.horizon_years = 3;
  s.market.btc_price_usd = 60'000 + 60'000 * u(1);
  s.machines = {machine("S21", 200, 3500), machine("S19XP", 140, 3010)};
  Site a = site("a", 60, 1.05, PowerContract::kFixed, 40 + 30 * u(2));
  a.opex_usd_per_mw_year = 50'000;
  Site b = site("b", 40, 1.1, PowerContract::kIndex, 50);
  b.curtailment_credit_usd_per_mwh = 10 * u(3);
  b.opex_usd_per_mw_year = 40'000;
  b.conversion = conversion(6 + 12 * u(4));
  s.sites = {a, b};
  s.fleet = {fleet("S21", "a", 8'000 + static_cast<std::int64_t>(8'000 * u(5)), 0.95, 40e6),
             fleet("S19XP", "b", 5'000 + static_cast<std::int64_t>(5'000 * u(6)), 0.9, 10e6)};
  s.fleet[1].failure_rate_annual = 0.05;
  s.treasury.btc = 200 + 800 * u(7);
  s.treasury.cash_usd = 5e6 + 20e6 * u(8);
  s.treasury.sga_usd_per_year = 10e6;
  s.treasury.tax_rate = 0.21;
  s.treasury.pool_fee = 0.02;
  s.debts = {debt("term", DebtKind::kTerm, 10e6 + 20e6 * u(9), 0.09, 365 + static_cast<int>(500 * u(10)),
                  Amortization::kLinear),
             debt("btc", DebtKind::kBtcBacked, 40e6, 0.07, 700, Amortization::kBullet),
             debt("rcf", DebtKind::kRevolver, 5e6, 0.08, 900, Amortization::kBullet),
             debt("cvt", DebtKind::kConvertible, 15e6, 0.04, 600, Amortization::kBullet)};
  Debt& btc = s.debts[1];
  btc.collateral_btc = 40e6 / (0.45 * s.market.btc_price_usd);  // LTV 0.45 at the start
  btc.ltv_target = 0.5;
  btc.ltv_call = 0.6;
  btc.ltv_liquidation = 0.75;
  s.debts[2].limit_usd = 15e6 + 15e6 * u(11);
  s.debts[3].conversion_price_usd = 100'000;
  Strategy st = strategy(SellPolicy::kHold);
  const double pick = u(12);
  st.sell_policy = pick < 0.25   ? SellPolicy::kHold
                   : pick < 0.5  ? SellPolicy::kSellAllMined
                   : pick < 0.75 ? SellPolicy::kSellFraction
                                 : SellPolicy::kCashFloor;
  st.sell_fraction = u(13);
  st.cash_floor_months = 1 + 5 * u(14);
  st.curtail_policy = u(15) < 0.5 ? CurtailPolicy::kNever : CurtailPolicy::kEconomic;
  const double pivot = u(16);
  st.pivot_policy = pivot < 0.2 ? PivotPolicy::kNone : pivot < 0.6 ? PivotPolicy::kSchedule : PivotPolicy::kTrigger;
  st.pivot_site = "b";
  st.pivot_mw = 5 + 20 * u(17);
  st.pivot_date = kStart + static_cast<int>(300 * u(18));
  st.pivot_hashprice_below_usd_per_ph_day = 45;
  st.pivot_trigger_days = 30;
  OneOffSale repay{};
  repay.date = kStart + 100 + static_cast<int>(200 * u(19));
  repay.btc = 100 * u(20);
  repay.use = SaleUse::kRepayDebt;
  repay.repay_debt = "btc";
  OneOffSale cash{};
  cash.date = kStart + static_cast<int>(700 * u(21));
  cash.btc = 50 * u(22);
  cash.use = u(23) < 0.5 ? SaleUse::kCash : SaleUse::kCapex;
  st.sales = {repay, cash};
  s.strategies = {st};

  // Market: log price with 70%/yr volatility and, for a third of the seeds, a crash through the
  // BTC-backed loan's call and liquidation levels; hashprice mean-reverting around $50/PH/day.
  const auto n = static_cast<std::size_t>(days);
  c.price.resize(n);
  c.hashprice_btc.resize(n);
  c.power.resize(2 * n);
  c.hourly.resize(48 * n);
  double log_price = std::log(s.market.btc_price_usd);
  double log_hashprice_usd = std::log(50.0);
  for (std::size_t d = 0; d < n; ++d) {
    const auto step = static_cast<std::uint32_t>(d + 1);
    const auto z = rng.normals(DrawAddress{Stream::kTest, 1, step, 0});
    log_price += 0.7 / std::sqrt(365.0) * z[0];
    if (seed % 3 == 0 && (d == 120 || d == 121)) log_price += std::log(0.7);
    log_hashprice_usd += 0.02 * (std::log(50.0) - log_hashprice_usd) + 0.03 * z[1];
    c.price[d] = std::exp(log_price);
    c.hashprice_btc[d] = std::exp(log_hashprice_usd) / c.price[d];
    double sum = 0;
    for (std::uint32_t h = 0; h < 24; ++h) {
      const double x = rng.uniforms(DrawAddress{Stream::kTest, 2, step, h})[0];
      const double price_h = 20 + 80 * x * x + (h >= 17 && h <= 20 ? 60 * x : 0.0);
      c.hourly[48 * d + 24 + h] = price_h;
      c.hourly[48 * d + h] = s.sites[0].power_price_usd_per_mwh;
      sum += price_h;
    }
    c.power[2 * d] = s.sites[0].power_price_usd_per_mwh;
    c.power[2 * d + 1] = sum / 24;
  }
  return c;
}

inline DayMarket market_of(const RandomCase& c, std::size_t d) {
  DayMarket m{};
  m.price_usd_per_btc = c.price[d];
  m.hashprice_btc_per_ph_day = c.hashprice_btc[d];
  m.hashprice_usd_per_ph_day = c.hashprice_btc[d] * c.price[d];
  m.power_usd_per_mwh = std::span<const double>(c.power).subspan(2 * d, 2);
  if (d % 2 == 0) m.hourly_power_usd_per_mwh = std::span<const double>(c.hourly).subspan(48 * d, 48);
  return m;
}

}  // namespace hashpivot::firm::test_firms
