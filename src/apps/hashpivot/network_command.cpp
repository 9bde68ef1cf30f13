#include "network_command.hpp"

namespace hashpivot::cli {

void add_network_command(CLI::App& app, int& exit_code) {
  (void)exit_code;
  CLI::App* network = app.add_subcommand("network", "The simulated Bitcoin network against real history");
  network->require_subcommand(1);
}

}  // namespace hashpivot::cli
