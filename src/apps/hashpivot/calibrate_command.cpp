#include "calibrate_command.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "fit_output.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/market/correlation.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/market/ai_rates.hpp"
#include "hashpivot/market/asic_price.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/energy.hpp"
#include "hashpivot/market/fees.hpp"
#include "hashpivot/network/hashrate.hpp"
#include "hashpivot/network/margin_calibration.hpp"

namespace hashpivot::cli {
namespace {

struct CalibrateOptions {
  CalibrationInputs inputs;
  std::string toml_out;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
};

// Days with a known value of each column the fits read: unknown days are skipped by every fit, never filled.
struct KnownDays {
  const char* column;
  int days;
};

std::vector<KnownDays> known_days(const market::DailyHistory& h) {
  auto count = [](const std::vector<double>& v) {
    return static_cast<int>(std::count_if(v.begin(), v.end(), [](double x) { return market::is_known(x); }));
  };
  return {{"PriceUSD", count(h.price_usd)}, {"DiffMean", count(h.difficulty)}, {"BlkCnt", count(h.block_count)},
          {"HashRate", count(h.hashrate_ths)}, {"FeeTotNtv", count(h.fees_btc)}};
}

// A fit that cannot use the window (too few known days or weeks, a gap) is an input error on the window, not a
// bug. Every fit is tried, so one message names each that fails and why, and the user sees what the window
// does fit; its value is then never used.
struct WindowFits {
  const std::string& history_file;
  const std::string& window_field;
  const market::DailyHistory& history;
  std::vector<std::string> failures;

  template <typename Fit>
  auto operator()(const char* factor, Fit fit) {
    try {
      return fit();
    } catch (const ParameterError& e) {
      failures.push_back(fmt::format("{} ({})", factor, e.problem()));
    } catch (const InputError& e) {
      failures.push_back(e.field().empty() ? fmt::format("{} ({})", factor, e.problem())
                                           : fmt::format("{} (series {}: {})", factor, e.field(), e.problem()));
    }
    return decltype(fit()){};
  }

  /// Throws one InputError naming the window, and each fit that failed with its series and reason.
  void throw_if_any_failed(std::size_t fits) const {
    if (failures.empty()) return;
    throw InputError(history_file, 0, window_field,
                     fmt::format("{} of {} fits fail on {} .. {} ({} days): {}; the other {} fit; widen the window",
                                 failures.size(), fits, format_date(history.first_day),
                                 format_date(history.day(history.days() - 1)), history.days(),
                                 fmt::join(failures, "; "), fits - failures.size()));
  }
};

std::string first_day(const market::DailyHistory& history) { return format_date(history.first_day); }
std::string last_day(const market::DailyHistory& history) { return format_date(history.day(history.days() - 1)); }

}  // namespace

std::vector<market::FitReport> calibrate_all(const market::DailyHistory& history, const CalibrationInputs& inputs,
                                             const std::string& window_field) {
  std::vector<market::FitReport> reports;
  auto append = [&reports](std::vector<market::FitReport> more) {
    for (auto& r : more) reports.push_back(std::move(r));
  };
  WindowFits fit_window{inputs.history, window_field, history, {}};
  append(fit_window("btc_price", [&] { return market::calibrate_btc_price(history); }));
  reports.push_back(fit_window("fees", [&] { return market::calibrate_fees(history); }));
  append(fit_window("hashrate", [&] { return network::calibrate_hashrate(history); }));
  reports.push_back(fit_window("correlation", [&] { return market::calibrate_correlation(history); }));
  reports.push_back(fit_window("asic_price", [&] { return market::asic_price_report(market::AsicPriceModel{}, history); }));
  constexpr std::size_t kHistoryFits = 5;
  std::size_t fits = kHistoryFits;
  if (!inputs.asic_lists.empty()) {
    // The frontier a forecaster standing at the window's end could have known: models released by then.
    const auto models = network::read_asic_lists(inputs.asic_lists);
    const DayNumber last = history.day(history.days() - 1);
    // The supply response needs several hashprice cycles: its window may start earlier than the others'.
    const market::DailyHistory margin_history =
        inputs.margin_from.empty() ? history
                                   : read_history_window(inputs.history, inputs.margin_from, format_date(last), false);
    append(fit_window("hashrate margin_driven", [&] {
      return network::calibrate_margin_hashrate(margin_history, network::window_frontier(models, last));
    }));
    ++fits;
  }
  fit_window.throw_if_any_failed(fits);
  if (!inputs.energy_csv.empty()) append(market::calibrate_energy_ercot(inputs.energy_csv, inputs.energy_column));
  if (!inputs.gpu_csv.empty()) append(market::calibrate_ai_rates(inputs.gpu_csv));
  return reports;
}

nlohmann::json calibration_json(const std::vector<market::FitReport>& reports, const market::DailyHistory& history,
                                const std::string& history_file) {
  nlohmann::json out = fit_reports_json(reports);
  nlohmann::json gaps = nlohmann::json::array();
  for (const auto& gap : history.gaps)
    gaps.push_back({{"first_missing", format_date(gap.first_missing)}, {"days", gap.missing_days}});
  nlohmann::json known = nlohmann::json::object();
  for (const KnownDays& k : known_days(history)) known[k.column] = k.days;
  out["history"] = {{"file", history_file},   {"from", first_day(history)}, {"to", last_day(history)},
                    {"days", history.days()}, {"gaps", gaps},               {"known_days", known}};
  return out;
}

std::string calibration_toml(const std::vector<market::FitReport>& reports, const market::DailyHistory& history,
                             const CalibrationInputs& inputs, const std::string& toml_out) {
  std::string command = "hashpivot calibrate " + inputs.history;
  if (!inputs.from.empty()) command += " --from " + inputs.from;
  if (!inputs.to.empty()) command += " --to " + inputs.to;
  if (!inputs.energy_csv.empty()) command += " --energy " + inputs.energy_csv + " --energy-column " + inputs.energy_column;
  if (!inputs.gpu_csv.empty()) command += " --gpu-prices " + inputs.gpu_csv;
  for (const std::string& list : inputs.asic_lists) command += " --asic-list " + list;
  if (!inputs.margin_from.empty()) command += " --margin-from " + inputs.margin_from;
  command += " --toml " + toml_out;
  int missing_days = 0;
  for (const auto& gap : history.gaps) missing_days += gap.missing_days;
  return fit_reports_toml(reports, {"Calibrated market and network parameters (hashpivot calibrate).",
                                    "Regenerate with: " + command,
                                    fmt::format("History: {} from {} to {} ({} days, {} missing)", inputs.history,
                                                first_day(history), last_day(history), history.days(), missing_days)});
}

namespace {

void run_calibrate(const CalibrateOptions& options) {
  const CalibrationInputs& in = options.inputs;
  if (!options.toml_out.empty()) check_output_path(options.toml_out, "--toml");  // before the fits, not after
  const market::DailyHistory history = read_history_window(in.history, in.from, in.to, options.strict);
  const std::vector<market::FitReport> reports =
      calibrate_all(history, in, in.from.empty() && in.to.empty() ? "HISTORY" : "--from/--to");
  if (!options.toml_out.empty())
    write_file_atomically(options.toml_out, calibration_toml(reports, history, in, options.toml_out), "--toml");
  if (options.json) {
    std::cout << calibration_json(reports, history, in.history).dump() << '\n';
    return;
  }
  int missing_days = 0;
  for (const auto& gap : history.gaps) missing_days += gap.missing_days;
  fmt::print("history  {}\n         {} to {}: {} days", in.history, first_day(history), last_day(history), history.days());
  if (history.gaps.empty()) fmt::print(", no missing dates\n");
  else fmt::print(", {} dates missing in {} gaps (treated as unknown)\n", missing_days, history.gaps.size());
  std::string known;
  for (const KnownDays& k : known_days(history))
    known += fmt::format("{}{} {} used, {} skipped", known.empty() ? "" : "; ", k.column, k.days,
                         static_cast<int>(history.days()) - k.days);
  fmt::print("         known days (unknown days are skipped, never filled): {}\n\n", known);
  fmt::print("{}", fit_reports_text(reports));
  if (!options.toml_out.empty()) fmt::print("wrote {}\n", options.toml_out);
}

}  // namespace

constexpr const char* kCalibrateHelp =
    "Fit every market and network process to a daily history (Coin Metrics format: time, PriceUSD, HashRate, "
    "DiffMean, BlkCnt, FeeTotNtv) and report parameters, standard errors and goodness of fit";

void add_calibrate_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] = add_command<CalibrateOptions>(app, exit_code, "calibrate", kCalibrateHelp,
      [](CalibrateOptions& o) { run_calibrate(o); });
  cmd->add_option("HISTORY", options->inputs.history, "Daily history CSV")->required();
  cmd->add_option("--from", options->inputs.from, "First day used (YYYY-MM-DD)");
  cmd->add_option("--to", options->inputs.to, "Last day used (YYYY-MM-DD)");
  cmd->add_option("--energy", options->inputs.energy_csv, "Hourly power prices (ERCOT DAM format) to fit the energy model");
  cmd->add_option("--energy-column", options->inputs.energy_column, "Price column of --energy, USD/MWh")->capture_default_str();
  cmd->add_option("--gpu-prices", options->inputs.gpu_csv, "GPU rental price snapshots to fit the AI/HPC rates");
  cmd->add_option("--asic-list", options->inputs.asic_lists,
                  "ASIC hardware list (columns release_date, efficiency_j_per_th; repeatable) to fit the margin-driven "
                  "network hashrate as well (bundled: data/network/asic_miners_cbeci_2014_2020.csv and "
                  "data/network/asic_frontier_2022_2026.csv)");
  cmd->add_option("--margin-from", options->inputs.margin_from,
                  "First day of the margin-driven fit's window, to the same last day (default: --from): the supply "
                  "response needs several hashprice cycles to be identified");
  cmd->add_option("--toml", options->toml_out, "Also write the parameters as a TOML fragment a scenario can include");
  cmd->add_flag("--json", options->json, "Print one JSON object keyed by factor and model");
  add_strict_flag(*cmd, options->strict);
}

}  // namespace hashpivot::cli
