#include "sensitivity_command.hpp"

namespace hashpivot::cli {

void add_sensitivity_command(CLI::App& app, int& exit_code, const engine::ProcessGroup& group) {
  static_cast<void>(app);
  static_cast<void>(exit_code);
  static_cast<void>(group);
}

}  // namespace hashpivot::cli
