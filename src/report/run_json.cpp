#include "hashpivot/report/run_json.hpp"

#include "hashpivot/report/strategy_table.hpp"

namespace hashpivot::report {

nlohmann::json run_info_json(const io::RunInfo& r) {
  return {{"id", r.id},
          {"scenario", r.scenario_name},
          {"scenario_path", r.scenario_path},
          {"seed", r.seed},
          {"paths", r.paths},
          {"threads", r.threads},
          {"version", r.version},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"start_date", r.start_date},
          {"horizon_days", r.horizon_days},
          // null: recorded before the store said (schema version 10)
          {"variance_reduction", r.variance_reduction ? nlohmann::json(*r.variance_reduction) : nlohmann::json()}};
}

nlohmann::json run_listing_json(const io::RunListing& listing) {
  nlohmann::json out = run_info_json(listing.run);
  out["strategies"] = listing.strategies;
  return out;
}

nlohmann::json run_show_json(const io::RunRecord& r) {
  nlohmann::json out = run_info_json(r.run);
  out["market"] = r.market_description;
  out["warnings"] = r.warnings;
  nlohmann::json strategies = nlohmann::json::array();
  for (const io::StrategySummary& s : r.strategies) strategies.push_back(strategy_json(s));
  out["strategies"] = strategies;
  return out;
}

}  // namespace hashpivot::report
