#pragma once
// `hashpivot sensitivity` (being written).

#include <CLI/CLI.hpp>

#include "hashpivot/engine/process_group.hpp"

namespace hashpivot::cli {

void add_sensitivity_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group);

}  // namespace hashpivot::cli
