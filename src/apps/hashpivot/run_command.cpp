#include "run_command.hpp"

namespace hashpivot::cli {

void add_run_command(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace hashpivot::cli
