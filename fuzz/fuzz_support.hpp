#pragma once
// What every libFuzzer target of fuzz/ shares (docs/fuzzing.md):
// - TempInput: the readers take a path, so each input is written to a file of this process's own
//   (under $TMPDIR or /tmp, named after the process id, removed at exit).
// - expect_only_input_errors: the rule of the project for bad input. An InputError is the expected
//   answer (the user sees exit 2 with the file, line and key); any other exception would reach the
//   user as exit 3, "internal error", so it is a finding: printed and turned into abort(), which
//   libFuzzer reports as a crash and saves the input for.
// - finding: a broken invariant (a result that contradicts its documentation) reported the same way.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <typeinfo>

#include "hashpivot/core/error.hpp"

namespace hashpivot::fuzz {

/// Prints what was found and aborts, so libFuzzer saves the input as crash-<sha1>.
[[noreturn]] inline void finding(std::string_view target, std::string_view what) {
  std::fprintf(stderr, "\n==fuzz finding== %.*s: %.*s\n", static_cast<int>(target.size()), target.data(),
               static_cast<int>(what.size()), what.data());
  std::abort();
}

/// Runs `body`; an InputError is the expected outcome of bad input, `also_expected(e)` may accept
/// more (e.g. the store's documented std::runtime_error), anything else is a finding.
template <typename Body, typename Accept>
void expect_only_input_errors(std::string_view target, Body&& body, Accept&& also_expected) {
  try {
    body();
  } catch (const InputError&) {
    // The documented answer to bad input.
  } catch (const std::exception& e) {
    if (also_expected(e)) return;
    finding(target, std::string("uncaught ") + typeid(e).name() + " (exit 3 for a user): " + e.what());
  } catch (...) {
    finding(target, "an exception that is not a std::exception");
  }
}

template <typename Body>
void expect_only_input_errors(std::string_view target, Body&& body) {
  expect_only_input_errors(target, static_cast<Body&&>(body), [](const std::exception&) { return false; });
}

/// A file of this process that holds the current input.
class TempInput {
 public:
  explicit TempInput(std::string_view name)
      : path_((std::filesystem::temp_directory_path() /
               ("hashpivot-fuzz-" + std::to_string(::getpid()) + "-" + std::string(name)))
                  .string()) {}
  ~TempInput() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempInput(const TempInput&) = delete;
  TempInput& operator=(const TempInput&) = delete;

  /// Replaces the file's contents with `size` bytes at `data`; returns the path.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) finding("TempInput", "cannot write " + path_);
    return path_;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hashpivot::fuzz
