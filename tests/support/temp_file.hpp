#pragma once
// A test's input file in the temporary folder, removed when the test is done with it: the suite
// runs each test in its own process, so a file left behind per process piles up in /tmp.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace hashpivot::testing {

/// `name` in the temporary folder, prefixed with the process ID (ctest runs tests in parallel processes).
inline std::filesystem::path temp_file_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
}

/// `text` written to `name` (prefixed with the process ID: ctest runs tests in parallel processes)
/// in the temporary folder; the file is removed when this goes out of scope.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text) : path_(temp_file_path(name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::error_code ignored;  // a test may have removed it already
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace hashpivot::testing
