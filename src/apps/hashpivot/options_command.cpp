#include "options_command.hpp"

namespace hashpivot::cli {

void add_options_command(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace hashpivot::cli
