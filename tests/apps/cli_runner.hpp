#pragma once
// Test support: runs the hashpivot executable and captures its exit code, stdout and stderr.

#include <filesystem>
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

}  // namespace hashpivot::testing
