#pragma once
// A recorded run as JSON: what `hashpivot runs list/show --json` print and what `hashpivot serve`
// answers (GET /api/runs, /api/runs/ID), from one builder each, so the command line and the API
// cannot drift apart. Numbers that are not finite (unknown) are written as null.

#include <nlohmann/json.hpp>

#include "hashpivot/io/result_store.hpp"

namespace hashpivot::report {

/// A run's identification: id, scenario, scenario_path, seed, paths, threads, version, started_at,
/// finished_at, start_date, horizon_days.
[[nodiscard]] nlohmann::json run_info_json(const io::RunInfo& run);

/// `runs list --json`'s item: run_info_json plus "strategies", the strategies' names in order.
[[nodiscard]] nlohmann::json run_listing_json(const io::RunListing& listing);

/// `runs show --json`: run_info_json plus "market" (the market's description), "warnings" (the
/// inputs' plausibility warnings) and "strategies" (each as strategy_json writes it).
[[nodiscard]] nlohmann::json run_show_json(const io::RunRecord& record);

}  // namespace hashpivot::report
