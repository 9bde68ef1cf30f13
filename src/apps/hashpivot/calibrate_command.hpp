#pragma once
// `hashpivot calibrate HISTORY.csv`: fits every market and network process to real history.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"

#include "hashpivot/sim/process_group.hpp"

namespace hashpivot::cli {

/// What a calibration reads, as given: the history file and its window (dates "YYYY-MM-DD", empty:
/// the file's first or last day), and the optional hourly energy prices and GPU rental prices.
struct CalibrationInputs {
  std::string history;
  std::string from;
  std::string to;
  std::string energy_csv;
  std::string energy_column = "hb_west_usd_per_mwh";
  std::string gpu_csv;
  std::vector<std::string> asic_lists;  // ASIC hardware lists (release_date, efficiency_j_per_th): with them,
                                       // the margin-driven hashrate is fitted too
  std::string margin_from;  // first day of the margin-driven fit's window (its last is the window's); empty: --from
};

/// Every fit of `hashpivot calibrate` on `history` (inputs.history read over its window), in its
/// order: BTC price, fees, hashrate, correlation, ASIC price, then energy and AI rates when their
/// files are given, and the margin-driven hashrate when the ASIC list is (its frontier from
/// the models released up to the window's end). When the window is too short for some of the five history fits, throws one
/// InputError on (inputs.history, `window_field`) naming each fit that fails and why.
[[nodiscard]] std::vector<market::FitReport> calibrate_all(const market::DailyHistory& history,
                                                           const CalibrationInputs& inputs,
                                                           const std::string& window_field);

/// What `hashpivot calibrate --json` prints: the fits keyed by factor and model, and "history"
/// (file, first and last day, days, gaps, known days per column).
[[nodiscard]] nlohmann::json calibration_json(const std::vector<market::FitReport>& reports,
                                              const market::DailyHistory& history, const std::string& history_file);

/// The TOML that `hashpivot calibrate --toml OUT` writes, its header naming the command that
/// regenerates it (with `--toml toml_out`).
[[nodiscard]] std::string calibration_toml(const std::vector<market::FitReport>& reports,
                                           const market::DailyHistory& history, const CalibrationInputs& inputs,
                                           const std::string& toml_out);

void add_calibrate_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

}  // namespace hashpivot::cli
