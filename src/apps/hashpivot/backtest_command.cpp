#include "backtest_command.hpp"

namespace hashpivot::cli {

void add_backtest_command(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace hashpivot::cli
