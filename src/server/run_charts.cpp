#include "run_charts.hpp"

#include "hashpivot/report/html_report.hpp"
#include "hashpivot/report/ranking.hpp"

namespace hashpivot::server {

using nlohmann::json;

json run_charts_json(const io::RunRecord& r) {
  json out = report::chart_data_json(r);
  out["scenario_toml"] = r.scenario_text;  // for the inputs diff of two runs
  out["ranking"] = report::ranking_json(r);  // the peer table (report/ranking.hpp), for every run
  return out;
}

}  // namespace hashpivot::server
