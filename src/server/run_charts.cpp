#include "run_charts.hpp"

#include <string>
#include <vector>

#include "hashpivot/report/format.hpp"
#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::server {

using nlohmann::json;
using report::number_or_null;

json run_charts_json(const io::RunRecord& r) {
  constexpr std::size_t kHashcost = sim::metric_index("hashcost_usd_per_ph_day");
  json strategies = json::array();
  for (const io::StrategySummary& s : r.strategies)
    strategies.push_back({{"strategy", s.strategy}, {"hashcost_usd_per_ph_day", number_or_null(s[kHashcost])}});
  json quantiles = json::array();
  std::vector<std::string> months;
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    quantiles.push_back({{"strategy", q.strategy ? json(*q.strategy) : json(nullptr)},
                         {"month", q.month},
                         {"series", q.series},
                         {"p5", number_or_null(q.p5)},
                         {"p25", number_or_null(q.p25)},
                         {"p50", number_or_null(q.p50)},
                         {"p75", number_or_null(q.p75)},
                         {"p95", number_or_null(q.p95)}});
    // The market's BTC price has one row a month: the months of the run.
    if (!q.strategy && q.series == "btc_price_usd") months.push_back(q.month);
  }
  json accounts = json::array();
  for (const io::MonthlyAccount& a : r.monthly_accounts)
    accounts.push_back({{"strategy", a.strategy}, {"month", a.month}, {"field", a.field}, {"mean", number_or_null(a.mean)}});
  json defaults = json::array();
  for (const io::DefaultMonth& d : r.default_months)
    defaults.push_back({{"strategy", d.strategy}, {"month", d.month}, {"paths_defaulted", d.paths_defaulted}});
  return {{"run", {{"id", r.run.id}, {"paths", r.run.paths}}},
          {"months", months},
          {"strategies", strategies},
          {"monthly_quantiles", quantiles},
          {"monthly_accounts", accounts},
          {"default_months", defaults},
          {"scenario_toml", r.scenario_text}};
}

}  // namespace hashpivot::server
