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

namespace hashpivot::cli {
namespace {

struct CalibrateOptions {
  std::string history;
  std::string from;
  std::string to;
  std::string energy_csv;
  std::string energy_column = "hb_west_usd_per_mwh";
  std::string gpu_csv;
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
  const CalibrateOptions& options;
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
    throw InputError(options.history, 0, options.from.empty() && options.to.empty() ? "HISTORY" : "--from/--to",
                     fmt::format("{} of {} fits fail on {} .. {} ({} days): {}; the other {} fit; widen the window",
                                 failures.size(), fits, format_date(history.first_day),
                                 format_date(history.day(history.days() - 1)), history.days(),
                                 fmt::join(failures, "; "), fits - failures.size()));
  }
};

void run_calibrate(const CalibrateOptions& options) {
  if (!options.toml_out.empty()) check_output_path(options.toml_out, "--toml");  // before the fits, not after
  const market::DailyHistory history = read_history_window(options.history, options.from, options.to, options.strict);

  std::vector<market::FitReport> reports;
  auto append = [&reports](std::vector<market::FitReport> more) {
    for (auto& r : more) reports.push_back(std::move(r));
  };
  WindowFits fit_window{options, history, {}};
  append(fit_window("btc_price", [&] { return market::calibrate_btc_price(history); }));
  reports.push_back(fit_window("fees", [&] { return market::calibrate_fees(history); }));
  append(fit_window("hashrate", [&] { return network::calibrate_hashrate(history); }));
  reports.push_back(fit_window("correlation", [&] { return market::calibrate_correlation(history); }));
  reports.push_back(fit_window("asic_price", [&] { return market::asic_price_report(market::AsicPriceModel{}, history); }));
  constexpr std::size_t kHistoryFits = 5;
  fit_window.throw_if_any_failed(kHistoryFits);
  if (!options.energy_csv.empty()) append(market::calibrate_energy_ercot(options.energy_csv, options.energy_column));
  if (!options.gpu_csv.empty()) append(market::calibrate_ai_rates(options.gpu_csv));

  const std::string first = format_date(history.first_day);
  const std::string last = format_date(history.day(history.days() - 1));
  int missing_days = 0;
  for (const auto& gap : history.gaps) missing_days += gap.missing_days;

  if (!options.toml_out.empty()) {
    std::string command = "hashpivot calibrate " + options.history;
    if (!options.from.empty()) command += " --from " + options.from;
    if (!options.to.empty()) command += " --to " + options.to;
    if (!options.energy_csv.empty())
      command += " --energy " + options.energy_csv + " --energy-column " + options.energy_column;
    if (!options.gpu_csv.empty()) command += " --gpu-prices " + options.gpu_csv;
    command += " --toml " + options.toml_out;
    write_file_atomically(options.toml_out,
                     fit_reports_toml(reports, {"Calibrated market and network parameters (hashpivot calibrate).",
                                                "Regenerate with: " + command,
                                                fmt::format("History: {} from {} to {} ({} days, {} missing)",
                                                            options.history, first, last, history.days(),
                                                            missing_days)}),
                          "--toml");
  }
  if (options.json) {
    nlohmann::json out = fit_reports_json(reports);
    nlohmann::json gaps = nlohmann::json::array();
    for (const auto& gap : history.gaps)
      gaps.push_back({{"first_missing", format_date(gap.first_missing)}, {"days", gap.missing_days}});
    nlohmann::json known = nlohmann::json::object();
    for (const KnownDays& k : known_days(history)) known[k.column] = k.days;
    out["history"] = {{"file", options.history}, {"from", first}, {"to", last}, {"days", history.days()}, {"gaps", gaps},
                      {"known_days", known}};
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("history  {}\n         {} to {}: {} days", options.history, first, last, history.days());
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
  cmd->add_option("HISTORY", options->history, "Daily history CSV")->required();
  cmd->add_option("--from", options->from, "First day used (YYYY-MM-DD)");
  cmd->add_option("--to", options->to, "Last day used (YYYY-MM-DD)");
  cmd->add_option("--energy", options->energy_csv, "Hourly power prices (ERCOT DAM format) to fit the energy model");
  cmd->add_option("--energy-column", options->energy_column, "Price column of --energy, USD/MWh")->capture_default_str();
  cmd->add_option("--gpu-prices", options->gpu_csv, "GPU rental price snapshots to fit the AI/HPC rates");
  cmd->add_option("--toml", options->toml_out, "Also write the parameters as a TOML fragment a scenario can include");
  cmd->add_flag("--json", options->json, "Print one JSON object keyed by factor and model");
  add_strict_flag(*cmd, options->strict);
}

}  // namespace hashpivot::cli
