#pragma once
// `hashpivot runs list | show ID | export ID (--csv DIR | --json)`: the runs recorded in a result
// store (io/result_store.hpp).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hashpivot/io/result_store.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// `runs show --json`: the run and its strategies, as `hashpivot run --json` names them (also what
/// `report --json` prints).
[[nodiscard]] nlohmann::json show_json(const io::RunRecord& r);

void add_runs_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
