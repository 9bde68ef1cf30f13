#include "hashpivot/core/plausibility.hpp"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

namespace hashpivot {
namespace {

constexpr double kGroupWholeFrom = 1e3;   // 1,000 grouped; 1234.5 as is
constexpr double kGroupAnyFrom = 1e4;     // 12,345.6 grouped (rounded)
constexpr double kGroupDigitsUpTo = 1e15; // beyond: scientific

}  // namespace

std::string readable_number(double x) {
  const double magnitude = std::abs(x);
  const bool grouped_form = magnitude < kGroupDigitsUpTo &&
                            (magnitude >= kGroupAnyFrom || (magnitude >= kGroupWholeFrom && x == std::round(x)));
  if (!grouped_form) return fmt::format("{:.6g}", x);
  const std::string digits = fmt::format("{:.0f}", magnitude);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return (x < 0 ? "-" : "") + grouped;
}

std::string InputWarning::message() const {
  std::string where = source;
  if (line > 0) where += fmt::format(":{}", line);
  if (line > 0 && column > 0) where += fmt::format(":{}", column);
  return fmt::format("{}: {}: {}", where, field, problem);
}

const PlausibleRange& plausible_range(std::string_view key) {
  for (const PlausibleRange& range : kPlausibleRanges)
    if (range.key == key) return range;
  assert(false && "plausible_range: a key not in kPlausibleRanges");
  return kPlausibleRanges.front();
}

std::string describe_range(const PlausibleRange& range) {
  const std::string bounds = range.min == range.max
                                 ? readable_number(range.min)
                                 : fmt::format("{}–{}", readable_number(range.min), readable_number(range.max));
  return range.unit.empty() ? bounds : fmt::format("{} {}", bounds, range.unit);
}

std::optional<std::string> implausibility(const PlausibleRange& range, double value) {
  if (std::isnan(value) || (value >= range.min && value <= range.max)) return std::nullopt;  // NaN: unknown
  const std::string_view hint = value < range.min ? range.below_hint : range.above_hint;
  return fmt::format("{} is outside the plausible range {}{}", readable_number(value), describe_range(range),
                     hint.empty() ? "" : fmt::format(" ({})", hint));
}

}  // namespace hashpivot
