#pragma once
// Test support: runs the hashpivot executable and captures its exit code, stdout and stderr.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace hashpivot::testing {

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};

/// Runs `hashpivot ARGS` (ARGS as one shell-quoted string).
CliResult run_cli(const std::string& args);
std::string slurp(const std::filesystem::path& path);
/// A path in the temporary directory that is unique to this process and `name`.
std::filesystem::path temp_path(const std::string& name);
/// Writes `scenario_text` to a temporary file, runs `hashpivot COMMAND FILE ARGS` and removes the file.
CliResult run_on_scenario(const std::string& command, const std::string& scenario_text, const std::string& args);

/// The JSON object a command printed; throws (failing the test with the command's stderr) unless it
/// exited 0.
nlohmann::json json_output(const CliResult& r);

/// The bundled daily history (Coin Metrics format) the command-line tests run on.
inline const std::string kHistoryCsv =
    std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";

}  // namespace hashpivot::testing
