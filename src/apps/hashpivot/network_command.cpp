#include "network_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "hashpivot/report/format.hpp"
#include "fit_output.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/backtest.hpp"
#include "hashpivot/network/hashrate.hpp"

namespace hashpivot::cli {
namespace {

using nlohmann::json;

/// The flags that set network::run_backtest's options (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kBacktestParameterFlags[] = {
    {"paths", "--paths"}, {"window_days", "--window-days"}, {"from", "--from"}, {"to", "--to"}};

network::HashrateDriver driver_flag(const std::string& text) {
  if (text == "centred-loo") return network::HashrateDriver::kCentredLeaveOneOut;
  if (text == "centred") return network::HashrateDriver::kCentred;
  if (text == "trailing") return network::HashrateDriver::kTrailing;
  if (text == "raw") return network::HashrateDriver::kRaw;
  throw InputError("command line", 0, "--driver",
                   fmt::format("expected centred-loo, centred, trailing or raw, got '{}'", text));
}

using report::number_or_null;

struct BacktestCliOptions {
  std::string history;
  std::string from;
  std::string to;
  std::uint64_t seed = 1;
  int paths = 64;
  std::string driver = "centred-loo";
  int window_days = 7;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
};

void run_backtest_command(const BacktestCliOptions& o) {
  network::BacktestOptions options;
  options.from = parse_date_flag(o.from, "--from");
  options.to = parse_date_flag(o.to, "--to");
  if (options.from && options.to && *options.from > *options.to)
    throw InputError("command line", 0, "--from", "must not be after --to");
  options.seed = o.seed;
  options.paths = o.paths;
  options.driver = driver_flag(o.driver);
  options.window_days = o.window_days;
  // The whole file is read: heights are counted from the first block.
  const market::DailyHistory history = read_history_checked(o.history, o.strict);
  const network::BacktestResult r = network::run_backtest(history, options);

  // Per calendar year of the scored days.
  struct YearStats {
    int days = 0;
    double blocks_ape = 0, diff_ape = 0;
  };
  std::map<std::string, YearStats> years;
  for (const auto& day : r.days) {
    if (!day.scored) continue;
    YearStats& y = years[format_date(day.day).substr(0, 4)];
    ++y.days;
    y.blocks_ape += std::abs(day.sim_blocks - day.real_blocks) / day.real_blocks;
    y.diff_ape += std::abs(day.sim_difficulty - day.real_difficulty) / day.real_difficulty;
  }
  const char* driver_note =
      "hashrate driver: mean HashRate of days d-3..d+3 except d (centred, leave-one-out) unless --driver says otherwise";
  if (o.json) {
    json by_year = json::object();
    for (const auto& [year, y] : years)
      by_year[year] = {{"days", y.days},
                       {"blocks_mape_pct", kPercentPerUnit * y.blocks_ape / y.days},
                       {"difficulty_mape_pct", kPercentPerUnit * y.diff_ape / y.days}};
    std::cout << json{{"history", o.history},
                      {"from", format_date(r.days.empty() ? r.start_day : r.days.front().day)},
                      {"to", format_date(r.last_day)},
                      {"start_day", format_date(r.start_day)},
                      {"start_height", r.start_height},
                      {"start_height_estimated", r.start_height_estimated},
                      {"start_bits", format_bits(r.start_bits)},
                      {"start_difficulty", r.start_difficulty},
                      {"seed", o.seed},
                      {"paths", r.paths},
                      {"driver", o.driver},
                      {"window_days", o.window_days},
                      {"days", r.days_scored},
                      {"days_simulated", r.days_simulated},
                      {"days_skipped", r.days_skipped},
                      {"driver_days_filled", r.driver_days_filled},
                      {"blocks_mape_pct", number_or_null(r.blocks_mape_pct)},
                      {"blocks_mape_realized_pct", number_or_null(r.blocks_mape_realized_pct)},
                      {"blocks_mape_single_path_pct", number_or_null(r.blocks_mape_single_path_pct)},
                      {"blocks_total_error_pct", number_or_null(r.blocks_total_error_pct)},
                      {"blocks_mean_signed_error_pct", number_or_null(r.blocks_mean_signed_error_pct)},
                      {"difficulty_mape_pct", number_or_null(r.difficulty_mape_pct)},
                      {"difficulty_bias_pct", number_or_null(r.difficulty_bias_pct)},
                      {"retargets_simulated", r.retargets_simulated},
                      {"retargets_real", r.retargets_real},
                      {"by_year", by_year}}
                     .dump()
              << '\n';
    return;
  }
  fmt::print("history     {}\n", o.history);
  fmt::print("start       retarget on {} at height {}{}, bits {} (difficulty {:.6g})\n", format_date(r.start_day),
             r.start_height, r.start_height_estimated ? " (estimated)" : "", format_bits(r.start_bits),
             r.start_difficulty);
  fmt::print("simulated   {} days to {}, {} paths, seed {}; {}\n", r.days_simulated, format_date(r.last_day), r.paths,
             o.seed, o.driver == "centred-loo" ? driver_note : ("hashrate driver: " + o.driver).c_str());
  fmt::print("scored      {} days ({} skipped: BlkCnt or DiffMean unknown; driver interpolated on {})\n\n",
             r.days_scored, r.days_skipped, r.driver_days_filled);
  fmt::print("{:<44} {:>10}\n", "metric", "value");
  fmt::print("{:<44} {:>9.3f}%\n", "blocks MAPE (expected count, mean of paths)", r.blocks_mape_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "blocks MAPE (realized, mean of paths)", r.blocks_mape_realized_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "blocks MAPE (realized, one path)", r.blocks_mape_single_path_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "blocks total error (sum sim / sum real)", r.blocks_total_error_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "blocks mean signed error (+1/144 bias)", r.blocks_mean_signed_error_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "difficulty MAPE", r.difficulty_mape_pct);
  fmt::print("{:<44} {:>9.3f}%\n", "difficulty bias", r.difficulty_bias_pct);
  fmt::print("{:<44} {:>10.1f}\n", "retargets simulated (mean)", r.retargets_simulated);
  fmt::print("{:<44} {:>10.0f}\n\n", "retargets in the history", r.retargets_real);
  fmt::print("{:<6} {:>6} {:>12} {:>16}\n", "year", "days", "blocks MAPE", "difficulty MAPE");
  for (const auto& [year, y] : years)
    fmt::print("{:<6} {:>6} {:>11.3f}% {:>15.3f}%\n", year, y.days, kPercentPerUnit * y.blocks_ape / y.days,
               kPercentPerUnit * y.diff_ape / y.days);
  fmt::print("\nThe real daily count is itself Poisson (about +-8% a day): a daily blocks MAPE near "
             "sqrt(2/(pi*144)) = 6.6% is the floor for any forecast.\n");
}

struct CalibrateCliOptions {
  std::string history;
  std::string from;
  std::string to;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
};

void run_calibrate_command(const CalibrateCliOptions& o) {
  const market::DailyHistory history = read_history_window(o.history, o.from, o.to, o.strict);
  std::vector<market::FitReport> reports;
  try {  // too few known weeks in the window: an input error on the window, not a bug
    reports = network::calibrate_hashrate(history);
  } catch (const ParameterError& e) {
    throw InputError(o.history, 0, o.from.empty() && o.to.empty() ? "HISTORY" : "--from/--to",
                     fmt::format("hashrate cannot be fitted on {} .. {} ({} days): {}", format_date(history.first_day),
                                 format_date(history.day(history.days() - 1)), history.days(), e.what()));
  }
  if (o.json) {
    std::cout << fit_reports_json(reports).dump() << '\n';
    return;
  }
  fmt::print("{}", fit_reports_text(reports));
}

}  // namespace

constexpr const char* kBacktestHelp =
    "Simulate blocks and retargets driven by the history's own (smoothed) hashrate from a real retarget, and "
    "compare with the real daily block counts (BlkCnt) and difficulty (DiffMean)";

constexpr const char* kCalibrateHelp =
    "Fit the exogenous hashrate model (drift, volatility, lagged price response) to a daily history";

void add_network_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  static_cast<void>(group);
  CLI::App* network = app.add_subcommand("network", "The simulated Bitcoin network against real history");
  network->require_subcommand(1);

  const auto [backtest_cmd, backtest] = add_command<BacktestCliOptions>(*network, exit_code, "backtest", kBacktestHelp,
      [](BacktestCliOptions& o) { run_with_flags(kBacktestParameterFlags, [&] { run_backtest_command(o); }); });
  backtest_cmd->add_option("HISTORY", backtest->history, "Daily history CSV (Coin Metrics format)")->required();
  backtest_cmd->add_option("--from", backtest->from, "Start at the first retarget on or after this day (YYYY-MM-DD)");
  backtest_cmd->add_option("--to", backtest->to, "Last day simulated (YYYY-MM-DD)");
  backtest_cmd->add_option("--seed", backtest->seed, "Seed of the block arrivals")->capture_default_str();
  backtest_cmd->add_option("--paths", backtest->paths, "Simulated paths averaged per day")
      ->capture_default_str()
      ->transform(count_in_range("paths", 1, network::kMaxBacktestPaths));
  backtest_cmd
      ->add_option("--driver", backtest->driver,
                   "Hashrate driving day d: centred-loo (days d-3..d+3 except d), centred, trailing, raw (circular)")
      ->capture_default_str();
  backtest_cmd->add_option("--window-days", backtest->window_days, "Days in the driver's window")
      ->capture_default_str()
      ->transform(count_in_range("days", 1, network::kMaxBacktestWindowDays));
  add_strict_flag(*backtest_cmd, backtest->strict);
  backtest_cmd->add_flag("--json", backtest->json,
                         "Print one JSON object: days, blocks_mape_pct, difficulty_mape_pct and more");

  const auto [calibrate_cmd, calibrate] = add_command<CalibrateCliOptions>(
      *network, exit_code, "calibrate", kCalibrateHelp, [](CalibrateCliOptions& o) { run_calibrate_command(o); });
  calibrate_cmd->add_option("HISTORY", calibrate->history, "Daily history CSV (Coin Metrics format)")->required();
  calibrate_cmd->add_option("--from", calibrate->from, "First day used (YYYY-MM-DD)");
  calibrate_cmd->add_option("--to", calibrate->to, "Last day used (YYYY-MM-DD)");
  add_strict_flag(*calibrate_cmd, calibrate->strict);
  calibrate_cmd->add_flag("--json", calibrate->json, "Print one JSON object keyed by factor and model");
}

}  // namespace hashpivot::cli
