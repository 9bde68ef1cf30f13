#include "hashpivot/core/error.hpp"

#include <fmt/format.h>

namespace hashpivot {
namespace {

std::string describe(const std::string& source, std::size_t line, const std::string& field,
                     const std::string& problem) {
  std::string where = source;
  if (line > 0) where += fmt::format(":{}", line);
  if (!field.empty()) return fmt::format("{}: {}: {}", where, field, problem);
  return fmt::format("{}: {}", where, problem);
}

}  // namespace

InputError::InputError(std::string source, std::size_t line, std::string field, std::string problem)
    : std::runtime_error(describe(source, line, field, problem)),
      source_(std::move(source)),
      line_(line),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

ParameterError::ParameterError(std::string parameter, std::string problem)
    : InputError(std::string(kParameterSource), 0, std::move(parameter), std::move(problem)) {}

}  // namespace hashpivot
