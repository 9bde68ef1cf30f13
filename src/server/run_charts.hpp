#pragma once
// What the dashboard's run page draws from a recorded run (GET /api/runs/ID/charts): the monthly
// quantile fans, the monthly accounts' means, the default months and each strategy's hashcost, in
// the shape the static report's page reads (src/report/html_report.cpp), plus the scenario's text
// (for the inputs diff of two runs).

#include <nlohmann/json.hpp>

#include "hashpivot/io/result_store.hpp"

namespace hashpivot::server {

/// report::chart_data_json(record) (the static report's chart data) and "scenario_toml".
[[nodiscard]] nlohmann::json run_charts_json(const io::RunRecord& record);

}  // namespace hashpivot::server
