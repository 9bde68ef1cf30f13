#pragma once
// What the hashpivot command line returns, and the small parsing helpers its commands share.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/plausibility.hpp"
#include "hashpivot/io/plausibility.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::cli {

/// Process exit codes: 0 success; 1 the command ran and found a problem in the data (a check that
/// failed, e.g. a retarget mismatch); 2 the input could not be used (bad flag, malformed file);
/// 3 an internal error (a bug: please report it).
enum ExitCode : int { kExitOk = 0, kExitCheckFailed = 1, kExitBadInput = 2, kExitInternalError = 3 };

/// Parses a positive finite number with an optional SI suffix: k, M, G, T, P, E (×10^3 … ×10^18),
/// so a difficulty can be written 144.4T. Throws InputError naming `flag` otherwise.
[[nodiscard]] double parse_scaled_number(std::string_view text, const std::string& flag);

/// Parses 32-bit compact bits written as hex, with or without 0x. Throws InputError naming `flag`.
[[nodiscard]] unsigned parse_bits_hex(std::string_view text, const std::string& flag);

/// An optional date flag: std::nullopt when `text` is empty; throws InputError naming `flag` unless
/// it is a calendar date YYYY-MM-DD.
[[nodiscard]] std::optional<DayNumber> parse_date_flag(const std::string& text, const std::string& flag);

/// The daily history at `path` between the dates of the flags --from and --to (either may be empty:
/// the history's own end); throws InputError naming the flag when a date is malformed or --from is
/// after --to. Its plausibility warnings are reported (report_warnings).
[[nodiscard]] market::DailyHistory read_history_window(const std::string& path, const std::string& from,
                                                       const std::string& to, bool strict);

/// Adds --strict to `cmd`: plausibility warnings about its inputs (values valid but far outside
/// what the world has seen, core/plausibility.hpp) become errors, exit 2. Every command that reads
/// a scenario, a history or a calibration has it.
void add_strict_flag(CLI::App& cmd, bool& strict);
/// --variance-reduction (sim::RunOptions::variance_reduction) on a command whose runs report a mean NPV.
void add_variance_reduction_flag(CLI::App& cmd, bool& variance_reduction);

/// Prints each warning to stderr as "hashpivot: warning: file:line: key: problem" before the work
/// starts (only when `print`: under MPI the root alone prints); with `strict`, throws the first as
/// an InputError instead (exit 2, still located, on every rank), its problem counting the others.
void report_warnings(std::span<const InputWarning> warnings, bool strict, bool print = true);

/// io::read_scenario_input(path) with its warnings reported (report_warnings).
[[nodiscard]] io::ScenarioInput read_scenario_checked(const std::string& path, bool strict, bool print = true);

/// market::read_daily_history_csv(path) with its warnings reported (report_warnings).
[[nodiscard]] market::DailyHistory read_history_checked(const std::string& path, bool strict);

/// A CLI11 transform for an integer option, the one parser of every count on the command line: it
/// accepts decimal digits, or scientific notation that is an exact whole number (1e6, 1e+06 and
/// 1000000 are the same), rewrites the text into plain digits for CLI11 to convert, and otherwise
/// fails the parse (exit 2) with "TEXT is not a whole number of UNIT", "TEXT has a separator" or
/// "TEXT is out of range MIN–MAX" ("must be MIN or more" when MAX is the largest int64). Use it in
/// place of CLI::Range on every integer count; `unit` ("paths") may be "".
[[nodiscard]] CLI::Validator count_in_range(std::string_view unit, std::int64_t min, std::int64_t max);

/// `value` with thousands separators: 1000000000 -> "1,000,000,000".
[[nodiscard]] std::string with_thousands(std::int64_t value);

/// Runs that the --yes guard leaves alone: estimated under an hour.
inline constexpr double kConfirmAboveSeconds = kSecondsPerHour;

/// The --yes guard: when `estimated_seconds` (how long the work will take, and `how` it was
/// estimated) exceeds kConfirmAboveSeconds and `yes` is false, asks "continue? [y/N]" on a terminal
/// and throws InputError naming `flag` unless the answer is y or yes; when stdin is not a terminal,
/// throws at once with the estimate.
void confirm_long_run(double estimated_seconds, const std::string& how, bool yes, const std::string& flag);

/// The --yes guard for work of `total_units` (paths) on `threads` threads, estimated by timing
/// `pilot` (which does `pilot_units` of the same work on one thread) and scaling linearly; no
/// pilot when `yes` or when total_units is under 100 × pilot_units (the pilot would be over 1% of
/// the work). `what` describes the work in the message.
void confirm_by_pilot(const std::function<void()>& pilot, double pilot_units, double total_units, unsigned threads,
                      bool yes, const std::string& flag, const std::string& what);

/// The --yes guard for `runs` simulations of `paths` paths each of `scenario` on `market` with
/// `threads` threads (`flag` names the paths' flag), through confirm_by_pilot with a pilot of
/// sim::kPathsPerBlock paths (so from 25,600 paths on; below, at the ~1.4 ms per path and thread
/// measured on the bundled scenarios, a run takes minutes). Linear scaling over threads makes the
/// estimate a lower bound.
/// `what` says what the runs are ("80 evaluations of 4000 paths and 2 re-runs").
void confirm_simulation_time(const firm::Scenario& scenario, const model::MarketModel& market, std::int64_t paths,
                             double runs, unsigned threads, bool yes, const std::string& flag, const std::string& what);

/// Long commands print progress only once they have run this long: short runs stay quiet.
inline constexpr double kProgressAfterSeconds = 1.0;

/// Throws the InputError of a command-line flag: "command line: FLAG: PROBLEM".
[[noreturn]] void bad_flag(const std::string& flag, const std::string& problem);

/// "3 h 20 min", "45 min", "12 s".
[[nodiscard]] std::string format_duration(double seconds);

/// "0x1d00ffff"
[[nodiscard]] std::string format_bits(unsigned bits);

/// A model parameter, as the library's ParameterError names it, and the flag of a command that sets
/// it. Each command keeps a small table of them.
struct ParameterFlag {
  std::string_view parameter;
  std::string_view flag;
};

/// Rethrows `e` as the InputError of the command line's flag when `flags` maps its parameter (the
/// user reads the flag they typed: "command line: --site: ..."), else unchanged.
[[noreturn]] void rethrow_with_flag(const ParameterError& e, std::span<const ParameterFlag> flags);

/// Runs `command`, mapping the parameters of a ParameterError to the command's flags (see above).
template <class Command>
void run_with_flags(std::span<const ParameterFlag> flags, Command&& command) {
  try {
    std::forward<Command>(command)();
  } catch (const ParameterError& e) {
    rethrow_with_flag(e, flags);
  }
}

/// A subcommand and the options its flags fill: CLI11 writes them while parsing and the callback
/// reads them afterwards, so both share one value.
template <class Options>
struct Command {
  CLI::App* cmd;
  std::shared_ptr<Options> options;
};

/// Adds subcommand `name` to `parent` with `description` as its help, and a callback that runs
/// `run(options)` (or `run(options, subcommand)`, to ask which flags were given) and then sets
/// `exit_code` to kExitOk; an exception leaves `exit_code` to whoever catches it.
template <class Options, class Run>
Command<Options> add_command(CLI::App& parent, int& exit_code, const std::string& name,
                             const std::string& description, Run run) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, description);
  cmd->callback([options, cmd, &exit_code, run] {
    if constexpr (std::is_invocable_v<Run, Options&, CLI::App&>) {
      run(*options, *cmd);
    } else {
      run(*options);
    }
    exit_code = kExitOk;
  });
  return {cmd, options};
}

}  // namespace hashpivot::cli
