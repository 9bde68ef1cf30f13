#include "cli_support.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>

#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::cli {
namespace {

/// The SI prefixes a number on the command line may end with (144.4T is a difficulty of 1.444e14).
struct SiPrefix {
  char suffix;
  double scale;
};
constexpr std::array<SiPrefix, 6> kSiPrefixes{{
    {'k', kThousand}, {'M', kMillion}, {'G', kBillion}, {'T', kTrillion}, {'P', 1e15}, {'E', 1e18}}};

}  // namespace

double parse_scaled_number(std::string_view text, const std::string& flag) {
  const std::string_view original = text;
  double scale = 1.0;
  for (const SiPrefix& prefix : kSiPrefixes)
    if (!text.empty() && text.back() == prefix.suffix) scale = prefix.scale;
  if (scale != 1.0) text.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value <= 0)
    throw InputError("command line", 0, flag,
                     fmt::format("expected a positive number (suffixes k M G T P E allowed, e.g. 144.4T), got '{}'",
                                 original));
  return value * scale;
}

unsigned parse_bits_hex(std::string_view text, const std::string& flag) {
  const std::string_view original = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw InputError("command line", 0, flag,
                     fmt::format("expected 32-bit compact bits in hex such as 0x1d00ffff, got '{}'", original));
  return value;
}

std::optional<DayNumber> parse_date_flag(const std::string& text, const std::string& flag) {
  if (text.empty()) return std::nullopt;
  const auto day = parse_date(text);
  if (!day) throw InputError("command line", 0, flag, fmt::format("expected a date YYYY-MM-DD, got '{}'", text));
  return day;
}

market::DailyHistory read_history_window(const std::string& path, const std::string& from, const std::string& to,
                                         bool strict) {
  const auto first = parse_date_flag(from, "--from");
  const auto last = parse_date_flag(to, "--to");
  if (first && last && *first > *last) throw InputError("command line", 0, "--from", "must not be after --to");
  market::DailyHistory history = market::read_daily_history_csv(path, first, last);
  report_warnings(history.warnings, strict);
  return history;
}

void add_strict_flag(CLI::App& cmd, bool& strict) {
  cmd.add_flag("--strict", strict,
               "Refuse implausible inputs (exit 2): values valid but far outside what the world has seen, which "
               "otherwise print a warning (docs/scenario.md, Plausibility warnings)");
}

void report_warnings(std::span<const InputWarning> warnings, bool strict, bool print) {
  if (warnings.empty()) return;
  if (strict) {
    const InputWarning& first = warnings.front();
    const std::string others =
        warnings.size() > 1 ? fmt::format("; and {} more implausible value{}", warnings.size() - 1,
                                          warnings.size() == 2 ? "" : "s")
                            : "";
    throw InputError(first.source, first.line, first.field,
                     fmt::format("{} (--strict refuses implausible input){}", first.problem, others));
  }
  if (!print) return;
  for (const InputWarning& w : warnings) fmt::print(stderr, "hashpivot: warning: {}\n", w.message());
}

io::ScenarioInput read_scenario_checked(const std::string& path, bool strict, bool print) {
  io::ScenarioInput input = io::read_scenario_input(path);
  report_warnings(input.warnings, strict, print);
  return input;
}

market::DailyHistory read_history_checked(const std::string& path, bool strict) {
  market::DailyHistory history = market::read_daily_history_csv(path);
  report_warnings(history.warnings, strict);
  return history;
}

std::string format_bits(unsigned bits) { return fmt::format("0x{:08x}", bits); }

void rethrow_with_flag(const ParameterError& e, std::span<const ParameterFlag> flags) {
  for (const ParameterFlag& f : flags)
    if (f.parameter == e.parameter()) throw InputError("command line", 0, std::string(f.flag), e.problem());
  throw e;
}

}  // namespace hashpivot::cli
