#include "cli_support.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <unistd.h>
#include <fmt/format.h>

#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::cli {
namespace {

/// The SI prefixes a number on the command line may end with (144.4T is a difficulty of 1.444e14).
struct SiPrefix {
  char suffix;
  double scale;
};
constexpr std::array<SiPrefix, 6> kSiPrefixes{{
    {'k', kThousand}, {'M', kMillion}, {'G', kBillion}, {'T', kTrillion}, {'P', 1e15}, {'E', 1e18}}};

/// Whole numbers in scientific notation are exact up to here (2^53); past it a double skips integers.
constexpr double kLargestExactWholeDouble = 9007199254740992.0;

/// What a count the user typed is: a whole number, a number too large for 64 bits, or neither.
struct WholeNumber {
  std::optional<std::int64_t> value;
  bool too_large = false;
};

/// `text` as an integer when it is one: digits with an optional sign, or a double that is whole.
WholeNumber whole_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return {};
  const char* const text_end = text.data() + text.size();
  std::int64_t integer = 0;
  const auto [int_end, int_ec] = std::from_chars(text.data(), text_end, integer);
  if (int_end == text_end && int_ec == std::errc()) return {integer};
  if (int_end == text_end && int_ec == std::errc::result_out_of_range) return {std::nullopt, true};
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text_end, value, std::chars_format::general);
  if (ec != std::errc() || end != text_end || !std::isfinite(value) || value != std::floor(value)) return {};
  if (std::fabs(value) > kLargestExactWholeDouble) return {std::nullopt, true};
  return {static_cast<std::int64_t>(value)};
}

std::string count_problem(std::string_view text, std::string_view unit, std::int64_t min, std::int64_t max) {
  if (text.find_first_of(",_' ") != std::string_view::npos)
    return fmt::format("{} has a separator: write the number without one (1000000 or 1e6)", text);
  const WholeNumber number = whole_number(text);
  if (!number.value && !number.too_large)
    return fmt::format("{} is not a whole number{}{}", text, unit.empty() ? "" : " of ", unit);
  const bool open_ended = max == std::numeric_limits<std::int64_t>::max();
  if (open_ended && !number.too_large && *number.value < min)
    return fmt::format("{} is out of range: must be {} or more", text, with_thousands(min));
  if (number.too_large || *number.value < min || *number.value > max)
    return fmt::format("{} is out of range {}\u2013{}", text, with_thousands(min), with_thousands(max));
  return "";
}

}  // namespace

std::string with_thousands(std::int64_t value) {
  const auto as_unsigned = static_cast<unsigned long long>(value);
  const std::string digits = std::to_string(value < 0 ? 0ULL - as_unsigned : as_unsigned);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

CLI::Validator count_in_range(std::string_view unit, std::int64_t min, std::int64_t max) {
  CLI::Validator validator(
      [unit = std::string(unit), min, max](std::string& text) {
        std::string problem = count_problem(text, unit, min, max);
        if (problem.empty()) text = std::to_string(*whole_number(text).value);
        return problem;
      },
      fmt::format("in [{} - {}]", min, max));
  return validator;
}

std::string format_duration(double seconds) {
  constexpr auto kMinutesPerHour = static_cast<std::int64_t>(kSecondsPerHour / kSecondsPerMinute);
  const auto total_minutes = static_cast<std::int64_t>(std::llround(seconds / kSecondsPerMinute));
  if (seconds < kSecondsPerMinute) return fmt::format("{:.0f} s", seconds);
  if (total_minutes < kMinutesPerHour) return fmt::format("{} min", total_minutes);
  return fmt::format("{} h {:02} min", total_minutes / kMinutesPerHour, total_minutes % kMinutesPerHour);
}

void confirm_long_run(double estimated_seconds, const std::string& how, bool yes, const std::string& flag) {
  if (yes || !(estimated_seconds > kConfirmAboveSeconds)) return;
  const std::string estimate =
      fmt::format("this would take about {} on this machine ({})", format_duration(estimated_seconds), how);
  if (isatty(STDIN_FILENO) == 0)
    throw InputError("command line", 0, flag,
                     fmt::format("{}: over an hour; pass --yes to run it anyway, or ask for fewer", estimate));
  fmt::print(stderr, "{}.\ncontinue? [y/N] ", estimate);
  std::fflush(stderr);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "y" && answer != "Y" && answer != "yes")
    throw InputError("command line", 0, flag, "not confirmed (pass --yes to skip the question)");
}

void confirm_by_pilot(const std::function<void()>& pilot, double pilot_units, double total_units, unsigned threads,
                      bool yes, const std::string& flag, const std::string& what) {
  constexpr double kPilotShare = 100;  // the pilot at most 1% of the work
  if (yes || total_units < kPilotShare * pilot_units) return;
  const auto started = std::chrono::steady_clock::now();
  pilot();
  const double pilot_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double seconds = pilot_s / pilot_units * total_units / std::max(1u, threads);
  confirm_long_run(seconds,
                   fmt::format("{}; a pilot of {} paths took {:.2f} s on one thread, scaled to {} thread{}", what,
                               pilot_units, pilot_s, threads, threads == 1 ? "" : "s"),
                   yes, flag);
}

void confirm_simulation_time(const firm::Scenario& scenario, const model::MarketModel& market, std::int64_t paths,
                             double runs, unsigned threads, bool yes, const std::string& flag, const std::string& what) {
  const auto pilot = [&] {
    static_cast<void>(sim::run_simulation(scenario, market, {sim::kPathsPerBlock, scenario.run.seed, 1, {}}));
  };
  confirm_by_pilot(pilot, sim::kPathsPerBlock, static_cast<double>(paths) * runs, threads, yes, flag, what);
}

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

void add_variance_reduction_flag(CLI::App& cmd, bool& variance_reduction) {
  cmd.add_flag("--variance-reduction", variance_reduction,
               "Antithetic pairs of paths and control variates (the BTC price, whose mean is known) for every run's "
               "mean NPV: its SE shrinks; run --json reports npv_usd.se with them and npv_usd.se_plain without "
               "(docs/speed.md)");
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

void bad_flag(const std::string& flag, const std::string& problem) {
  throw InputError("command line", 0, flag, problem);
}

void rethrow_with_flag(const ParameterError& e, std::span<const ParameterFlag> flags) {
  for (const ParameterFlag& f : flags)
    if (f.parameter == e.parameter()) throw InputError("command line", 0, std::string(f.flag), e.problem());
  throw e;
}

}  // namespace hashpivot::cli
