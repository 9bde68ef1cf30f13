#include "apps/cli_runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace hashpivot::testing {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("hashpivot_" + std::to_string(::getpid()) + "_" + name);
}

CliResult run_on_scenario(const std::string& command, const std::string& scenario_text, const std::string& args) {
  const auto path = temp_path(command + "_scenario.toml");
  std::ofstream(path) << scenario_text;
  CliResult result = run_cli(command + " " + path.string() + " " + args);
  std::filesystem::remove(path);
  return result;
}

nlohmann::json json_output(const CliResult& r) {
  if (r.exit_code != 0) throw std::runtime_error("exit code " + std::to_string(r.exit_code) + ": " + r.err);
  return nlohmann::json::parse(r.out);
}

CliResult run_cli(const std::string& args) {
  const auto out = temp_path("stdout");
  const auto err = temp_path("stderr");
  const std::string command = std::string(HASHPIVOT_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  CliResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

}  // namespace hashpivot::testing
