// The inputs summary's sentences: each strategy's says every policy that moves its results, so
// that two strategies that differ read differently; a convertible priced per share says so.

#include "hashpivot/report/inputs_summary.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hashpivot/core/date.hpp"
#include "hashpivot/io/scenario_reader.hpp"

namespace hashpivot::report {
namespace {

DayNumber date(const char* iso) { return *parse_date(iso); }

TEST(InputsSummary, a_strategy_sentence_names_each_policy_that_moves_its_results) {
  firm::Strategy s;
  s.name = "everything";
  s.curtail_policy = firm::CurtailPolicy::kEconomic;
  s.pivot_policy = firm::PivotPolicy::kSchedule;
  s.pivot_site = "georgia";
  s.pivot_mw = 15;
  s.pivot_date = date("2026-02-09");
  s.pivot_project_debt_loan_to_cost = 0.85;
  s.pivot_project_debt_rate_annual = 0.0775;
  s.pivot_tenant_funded_fraction = 0.25;
  s.sell_displaced = true;
  firm::Refresh refresh;
  refresh.date = date("2026-06-01");
  refresh.machine = "S21";
  refresh.count = 1000;
  refresh.lead_time_days = 90;
  refresh.usd_per_th = 14.5;
  refresh.replaces = "S19";
  s.refreshes.push_back(refresh);
  const auto hedge = [](firm::HedgeKind kind, const char* on) {
    firm::Hedge h;
    h.kind = kind;
    h.date = date(on);
    return h;
  };
  firm::Hedge put = hedge(firm::HedgeKind::kPut, "2026-02-07");
  put.tenor_days = 357;
  put.notional_btc = 4872;
  put.put_strike_usd_per_btc = 55091.67;
  firm::Hedge forward = hedge(firm::HedgeKind::kHashpriceForward, "2026-03-01");
  forward.tenor_months = 6;
  forward.notional_ph_s = 5000;
  forward.fixed_usd_per_ph_day = 45;
  // The swap has no size, nor has a put whose only size is a swap's MW: they change nothing and are
  // not said (firm::Hedge::trades, which make_plan reads too).
  firm::Hedge stray_put = hedge(firm::HedgeKind::kPut, "2026-03-01");
  stray_put.power_mw = 5;
  s.hedges = {put, forward, hedge(firm::HedgeKind::kPowerSwap, "2026-03-01"), stray_put};
  s.refinance = true;
  firm::AtmProgramme atm;
  atm.date = date("2026-02-09");
  atm.size_usd = 200e6;
  atm.raise_usd = 142.5e6;
  s.atm = atm;
  EXPECT_EQ(strategy_sentence(s),
            "Keeps every BTC it mines; switches machines off when power costs more than they earn; converts 15 MW at "
            "georgia to AI/HPC on 2026-02-09; funds the conversion with project debt for 85% of the cost at 7.75% and "
            "a tenant funding 25%; sells the machines the conversion displaces; orders 1,000 S21 on 2026-06-01 "
            "(delivered 90 days later, $14.50/TH), replacing its S19; buys puts on 4,872 BTC struck at $55,092 on "
            "2026-02-07, for 357 days; sells 5,000 PH/s of hashprice forward at $45.00/PH/day for 6 months from "
            "2026-03-01; rolls its debts at maturity when the lenders' tests pass; sells shares at the market from "
            "2026-02-09 ($200.0M programme, $142.5M of it whatever the need).");
  // Without them the same strategy reads as a plain hold with curtailment.
  firm::Strategy plain;
  plain.curtail_policy = firm::CurtailPolicy::kEconomic;
  EXPECT_EQ(strategy_sentence(plain), "Keeps every BTC it mines; switches machines off when power costs more than they earn.");
}

// Riot's convertible notes convert on the share price ($14.86 a share, scenarios/peers/riot.toml):
// its terms say so, not "$0 per BTC".
TEST(InputsSummary, a_convertible_priced_per_share_says_its_share_price) {
  const firm::Scenario riot = io::read_scenario(std::string(HASHPIVOT_SCENARIOS_DIR) + "/peers/riot.toml");
  const nlohmann::json summary = inputs_summary_json(riot);
  bool found = false;
  for (const auto& d : summary["debt"]) {
    if (d["kind"] != "convertible") continue;
    found = true;
    EXPECT_EQ(d["terms"], "converts at $14.86 per share");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace hashpivot::report
