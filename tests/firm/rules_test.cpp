#include "hashpivot/firm/rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "hashpivot/network/hashprice.hpp"

namespace hashpivot::firm {
namespace {

TEST(Fpps, a_fleet_with_the_whole_network_hashrate_earns_every_block) {
  // Network hashrate D·2^32/600 H/s earns 144 blocks a day at no fee and full uptime.
  const double difficulty = 141668107417558.24;  // epoch 463 (data/chain/btc_difficulty_epochs.csv)
  const double network_th = difficulty * std::ldexp(1.0, 32) / 600.0 / 1e12;
  const double hashprice = network::hashprice_btc_per_ph_day(difficulty, 3.125);
  EXPECT_NEAR(fpps_btc_per_day(network_th, 1.0, hashprice, 0.0), 144 * 3.125, 1e-9);
  EXPECT_NEAR(fpps_btc_per_day(network_th, 0.5, hashprice, 0.02), 144 * 3.125 * 0.5 * 0.98, 1e-9);
}

TEST(Power, an_s19j_pro_draws_73_2_kwh_a_day) {
  // S19j Pro: 3,050 W (docs/model.md §4) × 24 h = 73.2 kWh.
  EXPECT_DOUBLE_EQ(energy_mwh(3050, 1.0, 24), 0.0732);
  EXPECT_DOUBLE_EQ(energy_mwh(3050, 1.1, 12), 0.0732 * 1.1 / 2);
}

TEST(Breakeven, revenue_equals_power_cost_at_the_breakeven_price) {
  // A 200 TH/s machine at 17.5 J/TH (S21, docs/model.md §4) with hashprice $29.9/PH/day.
  const double hashprice_usd = 29.9, efficiency = 17.5, pue = 1.05, fee = 0.02;
  const double breakeven = breakeven_power_price_usd_per_mwh(hashprice_usd, efficiency, pue, fee);
  const double revenue = 200.0 / 1000 * hashprice_usd * (1 - fee);
  const double cost = energy_mwh(200 * efficiency, pue, 24) * breakeven;
  EXPECT_NEAR(revenue, cost, 1e-12);
  // docs/model.md §4's hashprice / (e · 24 · 10^-6) with hashprice per TH/s·day (= per PH/s·day / 1000).
  EXPECT_NEAR(breakeven_power_price_usd_per_mwh(hashprice_usd, efficiency, 1.0, 0.0),
              hashprice_usd / 1000 / (efficiency * 24 * 1e-6), 1e-9);
}

TEST(Curtailment, runs_only_the_hours_priced_below_breakeven_less_credit) {
  const std::array<double, 6> prices{20, 40, 60, 80, 100, 9000};
  const CurtailedDay no_credit = curtail_hourly(prices, 70, 0);
  EXPECT_DOUBLE_EQ(no_credit.running_hours, 3);
  EXPECT_DOUBLE_EQ(no_credit.energy_cost_usd_per_mw, 120);
  EXPECT_DOUBLE_EQ(no_credit.credit_usd_per_mw, 0);
  // A $25 credit makes the $60 hour not worth running: 60 + 25 >= 70.
  const CurtailedDay credit = curtail_hourly(prices, 70, 25);
  EXPECT_DOUBLE_EQ(credit.running_hours, 2);
  EXPECT_DOUBLE_EQ(credit.credit_usd_per_mw, 4 * 25);
}

TEST(BtcLoan, topup_restores_the_target_ltv_exactly) {
  const double loan = 305e6, collateral = 5000, price = 68000;
  EXPECT_NEAR(loan_to_value(loan, collateral, price), 305e6 / (5000 * 68000.0), 1e-15);
  const double topup = topup_to_target_btc(loan, collateral, price, 0.65);
  EXPECT_NEAR(loan_to_value(loan, collateral + topup, price), 0.65, 1e-12);
  EXPECT_EQ(topup_to_target_btc(loan, 1e6, price, 0.65), 0.0);
  EXPECT_TRUE(std::isinf(loan_to_value(1, 0, price)));
}

TEST(BtcLoan, liquidation_repays_from_collateral_and_returns_the_rest) {
  const Liquidation covered = liquidate(68e6, 2000, 68000);
  EXPECT_DOUBLE_EQ(covered.collateral_sold_btc, 1000);
  EXPECT_DOUBLE_EQ(covered.loan_remaining_usd, 0);
  EXPECT_DOUBLE_EQ(covered.collateral_returned_btc, 1000);
  const Liquidation short_of = liquidate(68e6, 500, 68000);
  EXPECT_DOUBLE_EQ(short_of.collateral_sold_btc, 500);
  EXPECT_DOUBLE_EQ(short_of.loan_repaid_usd, 34e6);
  EXPECT_DOUBLE_EQ(short_of.loan_remaining_usd, 34e6);
}

// ---- Market impact of BTC sales ----------------------------------------------------------------

// The defaults of [market_impact]: k = 2/3, σ_daily = 0.0235, V = 100,000 BTC a day. A sale of 4,451 BTC
// at $100,000 fills at 100,000 × (1 − 2/3 × 0.0235 × sqrt(4451 / 100000)) = $99,669.48 on average.
TEST(MarketImpact, a_sale_fills_at_the_square_root_law_price) {
  const double k = 2.0 / 3.0, sigma = 0.0235, volume = 100'000, price = 100'000, q = 4451;
  const double c = k * sigma / std::sqrt(volume);
  const double fill = price * (1.0 - k * sigma * std::sqrt(q / volume));
  EXPECT_NEAR(fill, 99'669.48, 0.01);  // the figure above, by hand
  EXPECT_NEAR(sale_proceeds_usd(price, c, 0, q), q * fill, 1e-6);
  // No impact: exactly q × price.
  EXPECT_EQ(sale_proceeds_usd(price, 0.0, 123, q), q * price);
}

TEST(MarketImpact, a_days_sales_raise_the_same_however_they_are_split) {
  const double c = 5e-5, price = 80'000;
  const double whole = sale_proceeds_usd(price, c, 0, 3000);
  const double split = sale_proceeds_usd(price, c, 0, 1000) + sale_proceeds_usd(price, c, 1000, 500) +
                       sale_proceeds_usd(price, c, 1500, 1500);
  EXPECT_NEAR(split, whole, 1e-6);
  // A later sale fills lower: the book is walked.
  EXPECT_LT(sale_proceeds_usd(price, c, 1000, 100), sale_proceeds_usd(price, c, 0, 100));
}

TEST(MarketImpact, btc_to_raise_inverts_the_proceeds_and_stops_where_the_book_is_exhausted) {
  const double c = 5e-5, price = 80'000;
  for (const double before : {0.0, 250.0, 5000.0}) {
    for (const double usd : {1.0, 1e6, 4e8}) {
      const double q = btc_to_raise(usd, price, c, before);
      EXPECT_NEAR(sale_proceeds_usd(price, c, before, q), usd, 1e-7 * usd) << before << " " << usd;
      EXPECT_GT(q, usd / price);  // more BTC than at the quoted price
    }
  }
  // To the rounding of the proceeds themselves (R(q0 + q) − R(q0) carries R's rounding), from a cent
  // to a billion dollars, on a fresh day and after sales of 1 to 20,000 BTC.
  for (const double before : {0.0, 1.0, 250.0, 5000.0, 20000.0}) {
    for (double usd = 0.01; usd < 1e9; usd *= 3.7) {
      const double q = btc_to_raise(usd, price, c, before);
      const double rounding = 8 * std::numeric_limits<double>::epsilon() * impacted_revenue_usd(price, c, before + q);
      EXPECT_NEAR(sale_proceeds_usd(price, c, before, q), usd, rounding + 1e-12 * usd) << before << " " << usd;
    }
  }
  EXPECT_EQ(btc_to_raise(-5, price, c, 0), 0.0);
  EXPECT_EQ(btc_to_raise(1e6, price, 0.0, 10), 1e6 / price);
  // Q* = 4 / (9 c²): R(Q*) = price × Q* / 3 is the most a day's sales can raise.
  const double exhausted = 4.0 / (9.0 * c * c);
  EXPECT_NEAR(impacted_revenue_usd(price, c, exhausted), price * exhausted / 3.0, 1e-6 * price * exhausted);
  EXPECT_EQ(btc_to_raise(price * exhausted, price, c, 100), exhausted - 100);
  EXPECT_EQ(sale_proceeds_usd(price, c, exhausted, 10), 0.0);
}

// The reference: R(q) = target solved by Newton's method in extended precision (x87's 64-bit
// significand; from a = target / price, below the root of the concave R, the steps rise to it).
long double extended_root_btc(long double price, long double c, long double target) {
  long double q = target / price;
  for (int step = 0; step < 200; ++step) {
    const long double next = q - (price * (q - c * q * std::sqrt(q)) - target) / (price * (1.0L - 1.5L * c * std::sqrt(q)));
    if (!(next > q)) break;
    q = next;
  }
  return q;
}

TEST(MarketImpact, btc_to_raise_is_the_extended_precision_root_for_small_and_large_sales) {
  // Both ways of solving: the series for sales small against the book (ε = c·√(target / price) up to
  // 2·10⁻³) and Newton's steps above; sales from a cent to 90 % of the book, fresh days and after
  // earlier sales, and sales at ε just either side of the switch, where the series' last term counts.
  int cases = 0;
  for (const double c : {1e-6, 5e-5, 1e-3}) {
    for (const double price : {5'000.0, 80'000.0, 1e6}) {
      const double top_usd = 0.9 * impacted_revenue_usd(price, c, impact_exhausted_btc(c));
      for (const double before : {0.0, 1.0, 250.0, 5000.0}) {
        if (before >= 0.5 * impact_exhausted_btc(c)) continue;
        const long double revenue_before =
            before > 0 ? price * (before - static_cast<long double>(c) * before * std::sqrt(static_cast<long double>(before))) : 0.0L;
        std::vector<double> sums_usd;
        for (double usd = 0.01; usd + revenue_before < top_usd; usd *= 3.7) sums_usd.push_back(usd);
        for (const double side : {1.0 - 1e-9, 1.0 + 1e-9}) {
          const double a_btc = std::pow(2e-3 * side / c, 2);  // ε = 2·10⁻³ × side
          const double usd = static_cast<double>(price * a_btc - revenue_before);
          if (usd > 0 && usd + revenue_before < top_usd) sums_usd.push_back(usd);
        }
        for (const double usd : sums_usd) {
          const long double root = extended_root_btc(price, c, revenue_before + usd);
          const double total = before + btc_to_raise(usd, price, c, before);
          EXPECT_NEAR(static_cast<double>((total - root) / root), 0.0, 3 * std::numeric_limits<double>::epsilon())
              << "c " << c << " price " << price << " before " << before << " usd " << usd;
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(cases, 300);
}

TEST(MarketImpact, a_lenders_liquidation_sells_more_collateral_under_impact) {
  const double c = 5e-5, price = 68'000;
  const Liquidation l = liquidate(68e6, 2000, price, c, 0);
  EXPECT_GT(l.collateral_sold_btc, 1000);
  EXPECT_NEAR(l.loan_repaid_usd, 68e6, 1e-3);
  EXPECT_NEAR(l.collateral_sold_btc * price * (1 - c * std::sqrt(l.collateral_sold_btc)), 68e6, 1e-3);
  EXPECT_DOUBLE_EQ(l.collateral_returned_btc, 2000 - l.collateral_sold_btc);
}

TEST(Debt, a_year_of_daily_interest_is_the_annual_rate_and_amortization_clears_the_principal) {
  double interest = 0;
  for (int d = 0; d < 365; ++d) interest += daily_interest_usd(100e6, 0.09);
  EXPECT_NEAR(interest, 9e6, 1e-6);
  double principal = 407.5e6;
  for (int days_left = 730; days_left >= 1; --days_left) principal -= linear_amortization_usd(principal, days_left);
  EXPECT_NEAR(principal, 0.0, 1e-6);
}

TEST(Lease, escalates_geometrically) {
  EXPECT_DOUBLE_EQ(lease_usd_per_mw_year(1.75e6, 0.03, 1), 1.75e6);
  EXPECT_NEAR(lease_usd_per_mw_year(1.75e6, 0.03, 11), 1.75e6 * std::pow(1.03, 10), 1e-6);
}

}  // namespace
}  // namespace hashpivot::firm
