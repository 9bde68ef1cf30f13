#pragma once
// `hashpivot report ID (--html FILE | --json) [--db STORE]`: the self-contained HTML report of a recorded
// run, or the run as JSON.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_report_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
