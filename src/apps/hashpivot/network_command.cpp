#include "network_command.hpp"

#include <fmt/format.h>

#include <filesystem>
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
#include "hashpivot/network/chain_history.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/study/network_state.hpp"

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

/// The flags that set study::network_state_at's options and day.
constexpr ParameterFlag kStateParameterFlags[] = {{"day", "--date"}, {"window_days", "--window-days"}};

/// The most days of --window-days: a year of blocks is far past any epoch.
constexpr int kMaxStateWindowDays = 366;

struct StateCliOptions {
  std::string history;
  std::string date;
  std::string heights;  // default: btc_daily_heights.csv beside HISTORY
  std::string epochs;   // default: ../chain/btc_difficulty_epochs.csv from HISTORY
  int window_days = study::NetworkStateOptions{}.window_days;
  std::string hashrate_from = "difficulty";
  bool json = false;
  bool strict = false;
};

/// The hashrate that `--hashrate-from` puts on the TOML line, TH/s.
double chosen_hashrate_ths(const study::NetworkState& s, const std::string& from) {
  if (from == "difficulty") return s.target_spacing_hashrate_ths;
  if (from == "implied") return s.implied_hashrate_ths;
  if (from == "mean-7d") return s.mean_7d_hashrate_ths;
  throw InputError("command line", 0, "--hashrate-from",
                   fmt::format("expected difficulty, implied or mean-7d, got '{}'", from));
}

constexpr const char* kUnknownFeesNote =
    "unknown: no day of the window has both FeeTotNtv and BlkCnt (Coin Metrics' community data has no "
    "FeeTotNtv 2024-04-28..2025-08-10)";

/// The [market] lines of a scenario starting on the day (rounded as the bundled scenarios write them).
std::string state_toml(const study::NetworkState& s, double hashrate_ehs) {
  std::string out = "[market]\n";
  out += fmt::format("btc_price_usd = {:.2f}\n", s.btc_price_usd);
  out += s.fees_btc_per_block ? fmt::format("fees_btc_per_block = {:.5f}\n", *s.fees_btc_per_block)
                              : "# fees_btc_per_block: unknown in the window\n";
  out += fmt::format("network_hashrate_ehs = {:.1f}\n", hashrate_ehs);
  out += fmt::format("height = {}\n", s.next_height);
  out += fmt::format("bits = \"{}\"\n", format_bits(s.bits));
  if (s.epoch_first_block_time_unix)
    out += fmt::format("epoch_first_block_time_unix = {}{}\n", *s.epoch_first_block_time_unix,
                       s.epoch_start_estimated ? "  # estimated from the day that mined it" : "");
  else
    out += "# epoch_first_block_time_unix: unknown\n";
  return out;
}

json state_json(const StateCliOptions& o, const study::NetworkState& s, const study::NetworkStateOptions& options,
                const std::filesystem::path& heights, const std::filesystem::path& epochs) {
  const double chosen_ths = chosen_hashrate_ths(s, o.hashrate_from);
  json j{{"history", o.history},
         {"heights", heights.string()},
         {"epochs", epochs.string()},
         {"date", format_date(s.day)},
         {"height", s.next_height},
         {"bits", format_bits(s.bits)},
         {"difficulty", s.difficulty},
         {"epoch_first_block_time_unix", nullptr},
         {"epoch_start_estimated", s.epoch_start_estimated},
         {"btc_price_usd", s.btc_price_usd},
         {"price_date", format_date(s.day - 1)},
         {"window_from", format_date(s.day - options.window_days)},
         {"window_to", format_date(s.day - 1)},
         {"window_days", options.window_days},
         {"fees_btc_per_block", nullptr},
         {"fee_days", s.fee_days},
         {"min_epoch_days", options.min_epoch_days},
         {"epoch_days", s.epoch_days},
         {"implied_from_epoch", s.implied_from_epoch},
         {"implied_hashrate_ehs", s.implied_hashrate_ths / kThPerEh},
         {"target_spacing_hashrate_ehs", s.target_spacing_hashrate_ths / kThPerEh},
         {"mean_7d_hashrate_ehs", number_or_null(s.mean_7d_hashrate_ths / kThPerEh)},
         {"hashrate_from", o.hashrate_from},
         {"network_hashrate_ehs", number_or_null(chosen_ths / kThPerEh)},
         {"toml", state_toml(s, chosen_ths / kThPerEh)}};
  if (s.epoch_first_block_time_unix) j["epoch_first_block_time_unix"] = *s.epoch_first_block_time_unix;
  if (s.fees_btc_per_block)
    j["fees_btc_per_block"] = *s.fees_btc_per_block;
  else
    j["fees_note"] = kUnknownFeesNote;
  return j;
}

void print_state_text(const StateCliOptions& o, const study::NetworkState& s, const study::NetworkStateOptions& options,
                      const std::filesystem::path& heights, const std::filesystem::path& epochs) {
  const std::string from = format_date(s.day - options.window_days), to = format_date(s.day - 1);
  fmt::print("history     {}\nchain       {}, {}\n", o.history, heights.string(), epochs.string());
  fmt::print("state at    the start of {} (00:00 UTC)\n", format_date(s.day));
  fmt::print("height      {} (the day's first block)\n", s.next_height);
  fmt::print("bits        {} (difficulty {:.6g})\n", format_bits(s.bits), s.difficulty);
  if (s.epoch_first_block_time_unix)
    fmt::print("epoch start {} ({}{})\n", *s.epoch_first_block_time_unix,
               format_date(day_of_unix_time(*s.epoch_first_block_time_unix)),
               s.epoch_start_estimated ? ", estimated from the day that mined it" : "");
  else
    fmt::print("epoch start unknown\n");
  fmt::print("BTC price   {:.2f} USD (PriceUSD of {})\n", s.btc_price_usd, to);
  if (s.fees_btc_per_block)
    fmt::print("fees        {:.6f} BTC per block (sum FeeTotNtv / sum BlkCnt over {}..{}, {} of {} days known)\n",
               *s.fees_btc_per_block, from, to, s.fee_days, options.window_days);
  else
    fmt::print("fees        {}\n", kUnknownFeesNote);
  fmt::print("hashrate    {:8.1f} EH/s at 10-minute blocks: difficulty x 2^32 / 600 s (about the previous epoch's "
             "work over its time)\n",
             s.target_spacing_hashrate_ths / kThPerEh);
  if (s.implied_from_epoch)
    fmt::print("            {:8.1f} EH/s implied by the difficulty and the blocks of the {} days of {}..{} in its "
               "epoch (forecast-check's rule; its defaults: a {}-day window, at least {} days)\n",
               s.implied_hashrate_ths / kThPerEh, s.epoch_days, from, to, study::NetworkStateOptions{}.window_days,
               options.min_epoch_days);
  else
    fmt::print("            {:8.1f} EH/s the work of {}..{} over its time (only {} days in the epoch in force, "
               "fewer than {})\n",
               s.implied_hashrate_ths / kThPerEh, from, to, s.epoch_days, options.min_epoch_days);
  fmt::print("            {:8.1f} EH/s mean HashRate of the {} days to {}\n", s.mean_7d_hashrate_ths / kThPerEh,
             study::kComparisonMeanDays, to);
  fmt::print("\n# network_hashrate_ehs from --hashrate-from {}\n{}", o.hashrate_from,
             state_toml(s, chosen_hashrate_ths(s, o.hashrate_from) / kThPerEh));
}

void run_state_command(const StateCliOptions& o) {
  const std::optional<DayNumber> day = parse_date_flag(o.date, "--date");
  if (!day) throw InputError("command line", 0, "--date", "required (YYYY-MM-DD)");
  static_cast<void>(chosen_hashrate_ths(study::NetworkState{}, o.hashrate_from));  // the flag, before the files
  const std::filesystem::path history_dir = std::filesystem::path(o.history).parent_path();
  const std::filesystem::path heights = o.heights.empty() ? history_dir / "btc_daily_heights.csv" : std::filesystem::path(o.heights);
  const std::filesystem::path epochs =
      o.epochs.empty() ? history_dir / ".." / "chain" / "btc_difficulty_epochs.csv" : std::filesystem::path(o.epochs);
  const market::DailyHistory history = read_history_checked(o.history, o.strict);
  const network::ChainHistory chain = network::read_chain_history(heights, epochs);
  study::NetworkStateOptions options;
  options.window_days = o.window_days;
  const study::NetworkState s = study::network_state_at(history, chain, *day, options);
  if (o.json) {
    std::cout << state_json(o, s, options, heights, epochs).dump() << '\n';
    return;
  }
  print_state_text(o, s, options, heights, epochs);
}

}  // namespace

constexpr const char* kNetworkBacktestHelp =
    "Simulate blocks and retargets driven by the history's own (smoothed) hashrate from a real retarget, and "
    "compare with the real daily block counts (BlkCnt) and difficulty (DiffMean)";

constexpr const char* kNetworkStateHelp =
    "The network's state at the start of a day as a scenario's [market] takes it: height, bits, epoch start, "
    "BTC price, fees per block and the starting hashrate, with the TOML lines";

constexpr const char* kNetworkCalibrateHelp =
    "Fit the exogenous hashrate model (drift, volatility, lagged price response) to a daily history";

void add_network_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group) {
  static_cast<void>(group);
  CLI::App* network = app.add_subcommand("network", "The simulated Bitcoin network against real history");
  network->require_subcommand(1);

  const auto [backtest_cmd, backtest] = add_command<BacktestCliOptions>(*network, exit_code, "backtest", kNetworkBacktestHelp,
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
      *network, exit_code, "calibrate", kNetworkCalibrateHelp, [](CalibrateCliOptions& o) { run_calibrate_command(o); });
  calibrate_cmd->add_option("HISTORY", calibrate->history, "Daily history CSV (Coin Metrics format)")->required();
  calibrate_cmd->add_option("--from", calibrate->from, "First day used (YYYY-MM-DD)");
  calibrate_cmd->add_option("--to", calibrate->to, "Last day used (YYYY-MM-DD)");
  add_strict_flag(*calibrate_cmd, calibrate->strict);
  calibrate_cmd->add_flag("--json", calibrate->json, "Print one JSON object keyed by factor and model");

  const auto [state_cmd, state] = add_command<StateCliOptions>(*network, exit_code, "state", kNetworkStateHelp,
      [](StateCliOptions& o) { run_with_flags(kStateParameterFlags, [&] { run_state_command(o); }); });
  state_cmd->add_option("HISTORY", state->history, "Daily history CSV (Coin Metrics format)")->required();
  state_cmd->add_option("--date", state->date, "The day whose start is described (YYYY-MM-DD)")->required();
  state_cmd->add_option("--window-days", state->window_days, "Days before --date behind the fees and the implied hashrate")
      ->capture_default_str()
      ->transform(count_in_range("days", 1, kMaxStateWindowDays));
  state_cmd
      ->add_option("--hashrate-from", state->hashrate_from,
                   "network_hashrate_ehs of the TOML lines: difficulty (at 10-minute blocks), implied (difficulty "
                   "and recent blocks) or mean-7d")
      ->capture_default_str();
  state_cmd->add_option("--heights", state->heights, "Daily block heights (default: btc_daily_heights.csv beside HISTORY)");
  state_cmd->add_option("--epochs", state->epochs, "Difficulty epochs (default: ../chain/btc_difficulty_epochs.csv from HISTORY)");
  add_strict_flag(*state_cmd, state->strict);
  state_cmd->add_flag("--json", state->json, "Print one JSON object: height, bits, price, fees, hashrates, toml");
}

}  // namespace hashpivot::cli
