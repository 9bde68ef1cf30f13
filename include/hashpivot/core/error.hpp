#pragma once
// Errors at the boundary of the program (files, flags, model parameters): one exception type that
// carries where the bad input is, so every front end can print `file:line: field: what (expected ...)`.
//
// Tiers: a bug asserts; bad input throws InputError. Library code that checks a value it was handed
// (a model parameter) does not know whether a flag, a scenario key or a calibration file set it: it
// throws ParameterError naming the parameter as the library calls it ("site", "paths",
// "volatility"), most simply through `require`; a front end may rename it to what its user typed
// (the CLI maps parameter names to its flags).

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

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

/// A model parameter outside its domain: an InputError whose source is kParameterSource and whose
/// field is the parameter's name; reads "model parameter: NAME: PROBLEM".
class ParameterError : public InputError {
 public:
  static constexpr std::string_view kParameterSource = "model parameter";
  ParameterError(std::string parameter, std::string problem);
  /// The parameter's name as the library calls it (the field).
  [[nodiscard]] const std::string& parameter() const noexcept { return field(); }
};

/// Throws ParameterError(parameter, problem) unless `condition`. The strings are copied only when
/// it throws, so checks in loops cost a comparison.
inline void require(bool condition, std::string_view parameter, std::string_view problem) {
  if (!condition) throw ParameterError(std::string(parameter), std::string(problem));
}

}  // namespace hashpivot
