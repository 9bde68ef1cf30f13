#pragma once
// `hashpivot serve [--port P] [--db STORE] [--scenarios DIR] [--host H --token T] [--workers N]`:
// the JSON API over the run queue (server/server.hpp, docs/serve.md), until SIGINT or SIGTERM.

#include <CLI/CLI.hpp>

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

void add_serve_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
