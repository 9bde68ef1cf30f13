#pragma once
// Errors at the boundary of the program (files, flags): one exception type that carries where
// the bad input is, so every front end can print `file:line: field: what (expected ...)`.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace hashpivot {

/// Bad input read from a file or the command line. `line` is 1-based and 0 when the problem is
/// not tied to a line (a missing column, a missing file); `field` names the column, key or flag.
class InputError : public std::runtime_error {
 public:
  InputError(std::string source, std::size_t line, std::string field, std::string problem);

  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

 private:
  std::string source_;
  std::size_t line_;
  std::string field_;
  std::string problem_;
};

}  // namespace hashpivot
